// The coordinator's view of the __consumer_offsets topic: records in, v2 record batches out to the broker's
// partition layer, and the replay that rebuilds groups at start-up (committed transactions only).
import { CompressionType, isCompressionType } from '../protocol/compression/types.js';
import { iterateBatches } from '../protocol/records/batch-view.js';
import { decodeRecordBatch, decodeRecordBatchAsync, encodeRecordBatchAsync } from '../protocol/records/record-batch.js';
import type { OffsetsLogWriter, OffsetsRecord } from './group-coordinator.js';

/** What the broker provides over its partition layer (src/storage PartitionLog) for __consumer_offsets. */
export interface OffsetsTopic {
  /** Appends ONE v2 record batch to __consumer_offsets-<partition>; resolves with its base offset once appended.
   * Rejects with an Error carrying a numeric Kafka `errorCode` on failure. */
  append(partition: number, batch: Buffer): Promise<bigint>;
  /** The whole partition from its log start offset to its end, as chunks of complete v2 batches. */
  readAll(partition: number): AsyncIterable<Buffer>;
}

export class OffsetsTopicWriter implements OffsetsLogWriter {
  constructor(
    private readonly topic: OffsetsTopic,
    private readonly compressionCodec: number = 0,
  ) {}

  async append(partition: number, records: OffsetsRecord[], timestamp: number): Promise<void> {
    const compression = isCompressionType(this.compressionCodec) ? this.compressionCodec : CompressionType.None;
    const batch = await encodeRecordBatchAsync({
      records: records.map((r) => ({ key: r.key, value: r.value, timestamp })),
      compression,
      now: timestamp,
    });
    await this.topic.append(partition, batch);
  }
}

interface PendingTxn {
  records: OffsetsRecord[];
}

/**
 * Every record of a partition in log order, as the state it leaves behind: transactional records (TxnOffsetCommit)
 * count only once their COMMIT marker is read, aborted ones never; control batches themselves are skipped.
 */
export async function readOffsetsPartition(topic: OffsetsTopic, partition: number): Promise<OffsetsRecord[]> {
  const out: OffsetsRecord[] = [];
  const open = new Map<number, PendingTxn>();
  for await (const chunk of topic.readAll(partition)) {
    for (const view of iterateBatches(chunk, { allowPartial: true })) {
      if (view.magic !== 2) continue; // __consumer_offsets has been v2 since Kafka 0.11
      // Uncompressed batches (the default for this topic) decode synchronously: no promise per batch.
      const batch = view.compression === CompressionType.None ? decodeRecordBatch(view) : await decodeRecordBatchAsync(view);
      if (batch.isControl) {
        const txn = open.get(batch.producerId);
        open.delete(batch.producerId);
        const marker = batch.records[0]?.key;
        // Control record key: int16 version, int16 type (0 = ABORT, 1 = COMMIT).
        const isCommit = marker !== undefined && marker !== null && marker.length >= 4 && marker.readInt16BE(2) === 1;
        if (txn && isCommit) out.push(...txn.records);
        continue;
      }
      for (const r of batch.records) {
        if (r.key === null) continue; // Kafka skips keyless records in this topic too
        // Views into the chunk, not copies: the loader decodes them into fresh values and drops them.
        const rec = { key: r.key, value: r.value };
        if (batch.isTransactional) {
          let txn = open.get(batch.producerId);
          if (!txn) open.set(batch.producerId, (txn = { records: [] }));
          txn.records.push(rec);
        } else out.push(rec);
      }
    }
  }
  return out;
}

/** An OffsetsTopic kept in memory (tests, and a broker without storage). */
export class InMemoryOffsetsTopic implements OffsetsTopic {
  readonly partitions = new Map<number, Buffer[]>();
  private nextOffset = new Map<number, bigint>();
  /** Set to make appends fail with this Kafka error code (tests). */
  failWith: number | null = null;

  async append(partition: number, batch: Buffer): Promise<bigint> {
    if (this.failWith !== null) throw Object.assign(new Error(`append failed with error ${this.failWith}`), { errorCode: this.failWith });
    const base = this.nextOffset.get(partition) ?? 0n;
    const copy = Buffer.from(batch);
    // Assign offsets the way the log does: rewrite baseOffset (CRC does not cover it).
    copy.writeBigInt64BE(base, 0);
    const count = copy.readInt32BE(57);
    const lastOffsetDelta = copy.readInt32BE(23);
    this.nextOffset.set(partition, base + BigInt(Math.max(lastOffsetDelta + 1, count)));
    let list = this.partitions.get(partition);
    if (!list) this.partitions.set(partition, (list = []));
    list.push(copy);
    return base;
  }

  async *readAll(partition: number): AsyncIterable<Buffer> {
    for (const b of this.partitions.get(partition) ?? []) yield b;
  }
}
