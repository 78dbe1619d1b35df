// gzip through node:zlib. Kafka's Java client writes a single gzip member (GZIPOutputStream, level 6 by default);
// node's gunzip also accepts concatenated members. The sync variants block the event loop (about 30-70 ms per MiB
// to compress at level 6 and 3-8 ms per MiB to decompress on this machine); the async ones run on libuv's thread pool,
// except for inputs below ASYNC_THRESHOLD, where the thread hop costs more than the work (well under a millisecond).
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { type CompressOptions, type DecompressOptions, maxOutput, tooLarge, wrapFailure } from './limits.js';

/** Inputs smaller than this are handled synchronously even by the async functions. */
export const GZIP_ASYNC_THRESHOLD = 32 * 1024;

const gzipAsync = promisify(zlib.gzip);
const gunzipAsync = promisify(zlib.gunzip);

function level(options?: CompressOptions): number {
  const l = options?.level;
  return l === undefined || l < 0 ? 6 : Math.min(9, l);
}

export function gzipCompressSync(data: Uint8Array, options?: CompressOptions): Buffer {
  return zlib.gzipSync(data, { level: level(options) });
}

export async function gzipCompress(data: Uint8Array, options?: CompressOptions): Promise<Buffer> {
  if (data.length < GZIP_ASYNC_THRESHOLD) return gzipCompressSync(data, options);
  return gzipAsync(data, { level: level(options) });
}

/**
 * Output chunk size for gunzip: the gzip trailer's ISIZE (uncompressed size mod 2^32 of the last member) is a good
 * hint, so one or two chunks hold the output instead of many 16 KiB ones (fewer copies and, async, fewer thread-pool
 * round trips). Clamped so a lying trailer cannot make us allocate much.
 */
function chunkSizeFor(data: Uint8Array, limit: number): number {
  return Math.max(16 * 1024, Math.min(declaredSize(data) + 1, limit, 4 * 1024 * 1024));
}

/** ISIZE from the gzip trailer (0 when the input is too short to have one). */
function declaredSize(data: Uint8Array): number {
  return data.length >= 18 ? Buffer.from(data.buffer, data.byteOffset, data.length).readUInt32LE(data.length - 4) : 0;
}

function isOutputLimit(err: unknown): boolean {
  return err instanceof RangeError || (err as { code?: string } | null)?.code === 'ERR_BUFFER_TOO_LARGE';
}

export function gzipDecompressSync(data: Uint8Array, options?: DecompressOptions): Buffer {
  const limit = maxOutput(options);
  try {
    return zlib.gunzipSync(data, { maxOutputLength: limit, chunkSize: chunkSizeFor(data, limit) });
  } catch (err) {
    throw isOutputLimit(err) ? tooLarge('gzip', limit + 1, limit) : wrapFailure('gzip', err);
  }
}

export async function gzipDecompress(data: Uint8Array, options?: DecompressOptions): Promise<Buffer> {
  // Small input that also declares a small output (trailer ISIZE): not worth the thread hop.
  if (data.length < GZIP_ASYNC_THRESHOLD && declaredSize(data) < 8 * GZIP_ASYNC_THRESHOLD) return gzipDecompressSync(data, options);
  const limit = maxOutput(options);
  try {
    return await gunzipAsync(data, { maxOutputLength: limit, chunkSize: chunkSizeFor(data, limit) });
  } catch (err) {
    throw isOutputLimit(err) ? tooLarge('gzip', limit + 1, limit) : wrapFailure('gzip', err);
  }
}
