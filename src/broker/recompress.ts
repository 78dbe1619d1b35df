// Broker-side recompression for topics whose compression.type is not "producer" (Kafka's LogValidator does the
// same): the batch's records section is decompressed and compressed with the topic's codec, the header is kept
// (producer id/epoch/sequence, timestamps, offsets deltas), the compression bits, length and CRC are rewritten.
// Records themselves are not decoded: the records section is the same byte sequence under either codec.
import { compress, decompress } from '../protocol/compression/index.js';
import { CompressionType } from '../protocol/compression/types.js';
import * as H from '../protocol/records/batch-header.js';
import { RecordBatchView } from '../protocol/records/batch-view.js';

/** Topic compression.type -> codec, or null for "producer" (keep what the producer sent). */
export function topicCodec(value: string | null | undefined): CompressionType | null {
  switch (value) {
    case 'uncompressed':
      return CompressionType.None;
    case 'gzip':
      return CompressionType.Gzip;
    case 'snappy':
      return CompressionType.Snappy;
    case 'lz4':
      return CompressionType.Lz4;
    case 'zstd':
      return CompressionType.Zstd;
    default:
      return null;
  }
}

export async function recompressBatch(view: RecordBatchView, target: CompressionType): Promise<Buffer> {
  if (view.compression === target) return view.buffer;
  const raw = view.compression === CompressionType.None ? view.recordsBytes : await decompress(view.compression, view.recordsBytes);
  const body = target === CompressionType.None ? raw : await compress(target, raw);
  const out = Buffer.allocUnsafe(H.RECORDS + body.length);
  view.buffer.copy(out, 0, 0, H.RECORDS);
  body.copy(out, H.RECORDS);
  out.writeInt32BE(out.length - H.LOG_OVERHEAD, H.BATCH_LENGTH);
  out.writeInt16BE((view.attributes & ~H.COMPRESSION_MASK) | target, H.ATTRIBUTES);
  const v = new RecordBatchView(out);
  v.updateCrc();
  return out;
}
