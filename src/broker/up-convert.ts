// Produce v0-v2 carry message sets of magic v0/v1. Gregor stores only record batches (magic v2), so such a request
// is up-converted first, as Kafka brokers did for old clients: the messages (flattened out of their compressed
// wrapper) become one v2 batch with the same keys, values and timestamps, compressed with the wrapper's codec.
// librdkafka 2.0.2 only compresses when the broker advertises Produce v0, which is why these versions are served.
import { CompressionType } from '../protocol/compression/types.js';
import { encodeRecordBatchAsync } from '../protocol/records/record-batch.js';
import { decodeLegacyMessageSet } from '../protocol/records/legacy.js';

export async function upConvertLegacy(records: Buffer, now = Date.now()): Promise<Buffer> {
  const messages = decodeLegacyMessageSet(records);
  const codec = messages.find((m) => m.compression !== CompressionType.None)?.compression ?? CompressionType.None;
  return encodeRecordBatchAsync({
    compression: codec,
    records: messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp >= 0 ? m.timestamp : now })),
  });
}
