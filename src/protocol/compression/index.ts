// One entry point for Kafka's four codecs. Sync variants run on the calling thread; async variants run gzip and
// snappy on libuv's thread pool and run lz4/zstd inline (their native calls take ~1-3 ms per MiB, less than the cost
// of a thread hop for typical batch sizes). Decompression is always bounded by DecompressOptions.maxOutputBytes.
import { CompressionType } from './types.js';
import { type CompressOptions, type DecompressOptions } from './limits.js';
import { gzipCompress, gzipCompressSync, gzipDecompress, gzipDecompressSync } from './gzip.js';
import { snappyCompress, snappyCompressSync, snappyDecompress, snappyDecompressSync } from './snappy.js';
import { lz4Compress, lz4CompressSync, lz4Decompress, lz4DecompressSync } from './lz4.js';
import { zstdCompress, zstdCompressSync, zstdDecompress, zstdDecompressSync } from './zstd.js';
import { KafkaErrors, RecordBatchError } from '../records/errors.js';

export { CompressionType, COMPRESSION_NAMES, compressionTypeFromName, isCompressionType } from './types.js';
export { DEFAULT_MAX_DECOMPRESSED_BYTES, type CompressOptions, type DecompressOptions } from './limits.js';

function unsupported(type: number): RecordBatchError {
  return new RecordBatchError('UNSUPPORTED_COMPRESSION', `unknown compression codec id ${type}`, KafkaErrors.UNSUPPORTED_COMPRESSION_TYPE);
}

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
}

export function compressSync(type: CompressionType, data: Uint8Array, options?: CompressOptions): Buffer {
  switch (type) {
    case CompressionType.None:
      return toBuffer(data);
    case CompressionType.Gzip:
      return gzipCompressSync(data, options);
    case CompressionType.Snappy:
      return snappyCompressSync(data);
    case CompressionType.Lz4:
      return lz4CompressSync(data, options);
    case CompressionType.Zstd:
      return zstdCompressSync(data, options);
    default:
      throw unsupported(type);
  }
}

export async function compress(type: CompressionType, data: Uint8Array, options?: CompressOptions): Promise<Buffer> {
  switch (type) {
    case CompressionType.None:
      return toBuffer(data);
    case CompressionType.Gzip:
      return gzipCompress(data, options);
    case CompressionType.Snappy:
      return snappyCompress(data);
    case CompressionType.Lz4:
      return lz4Compress(data, options);
    case CompressionType.Zstd:
      return zstdCompress(data, options);
    default:
      throw unsupported(type);
  }
}

export function decompressSync(type: CompressionType, data: Uint8Array, options?: DecompressOptions): Buffer {
  switch (type) {
    case CompressionType.None:
      return toBuffer(data);
    case CompressionType.Gzip:
      return gzipDecompressSync(data, options);
    case CompressionType.Snappy:
      return snappyDecompressSync(data, options);
    case CompressionType.Lz4:
      return lz4DecompressSync(data, options);
    case CompressionType.Zstd:
      return zstdDecompressSync(data, options);
    default:
      throw unsupported(type);
  }
}

export async function decompress(type: CompressionType, data: Uint8Array, options?: DecompressOptions): Promise<Buffer> {
  switch (type) {
    case CompressionType.None:
      return toBuffer(data);
    case CompressionType.Gzip:
      return gzipDecompress(data, options);
    case CompressionType.Snappy:
      return snappyDecompress(data, options);
    case CompressionType.Lz4:
      return lz4Decompress(data, options);
    case CompressionType.Zstd:
      return zstdDecompress(data, options);
    default:
      throw unsupported(type);
  }
}
