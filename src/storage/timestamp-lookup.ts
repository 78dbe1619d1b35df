// Record-level part of ListOffsets: inside the batch whose maxTimestamp first reaches the target, the first record
// with timestamp >= target (Kafka's LogSegment.findOffsetByTimestamp). Needs decoding (and decompressing) the batch.
import type { RecordBatchView } from '../protocol/records/batch-view.js';
import { decodeRecordBatchAsync } from '../protocol/records/record-batch.js';

export async function findOffsetByTimestampInBatch(
  view: RecordBatchView,
  timestamp: number,
  startingOffset: number,
): Promise<{ offset: number; timestamp: number } | null> {
  if (view.maxTimestamp < timestamp) return null;
  const batch = await decodeRecordBatchAsync(view, { verifyCrc: false });
  for (const r of batch.records) {
    if (r.timestamp >= timestamp && r.offset >= startingOffset) return { offset: r.offset, timestamp: r.timestamp };
  }
  return null;
}
