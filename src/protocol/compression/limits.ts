// Shared options and error helpers for the codecs.
import { KafkaErrors, RecordBatchError } from '../records/errors.js';

/**
 * Default ceiling on the size of decompressed output. A small compressed batch can claim (or really expand to) an
 * enormous size; every codec checks sizes against this before allocating, so hostile input cannot exhaust memory.
 */
export const DEFAULT_MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

export interface DecompressOptions {
  /** Reject output larger than this many bytes (default DEFAULT_MAX_DECOMPRESSED_BYTES). */
  maxOutputBytes?: number;
}

export interface CompressOptions {
  /**
   * Codec level, Kafka's `compression.<codec>.level`: gzip 1..9 (default 6), zstd -131072..22 (default 3),
   * lz4 0 = fast block compressor (Kafka before 3.8) or 1..12 = high-compression; snappy has none.
   */
  level?: number;
}

export function maxOutput(options: DecompressOptions | undefined): number {
  return options?.maxOutputBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES;
}

export function tooLarge(codec: string, size: number, limit: number): RecordBatchError {
  return new RecordBatchError('TOO_LARGE', `${codec}: decompressed size ${size} exceeds the limit of ${limit} bytes`, KafkaErrors.CORRUPT_MESSAGE);
}

export function corrupt(codec: string, detail: string): RecordBatchError {
  return new RecordBatchError('DECOMPRESSION_FAILED', `${codec}: ${detail}`, KafkaErrors.CORRUPT_MESSAGE);
}

/** Wraps a codec library's exception (whatever it throws) in a typed error. */
export function wrapFailure(codec: string, err: unknown): RecordBatchError {
  if (err instanceof RecordBatchError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return corrupt(codec, msg);
}
