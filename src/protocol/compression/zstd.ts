// Zstandard through zstd-napi's low-level binding (CCtx/DCtx). Kafka writes ordinary zstd frames (zstd-jni's
// ZstdOutputStream: no content size in the frame header); librdkafka writes frames with a content size. Reading
// checks declared content sizes against the output limit before allocating, and streams frames that declare none,
// stopping at the limit (zstd-napi's high-level decompress would allocate whatever a frame header claims).
import { createRequire } from 'node:module';
import { type CompressOptions, type DecompressOptions, corrupt, maxOutput, tooLarge, wrapFailure } from './limits.js';

interface CCtx {
  compress(dst: Uint8Array, src: Uint8Array, level: number): number;
}
interface DCtx {
  decompress(dst: Uint8Array, src: Uint8Array): number;
  decompressStream(dst: Uint8Array, src: Uint8Array): [number, number, number];
  reset(directive: number): void;
}
interface ZstdBinding {
  CCtx: new () => CCtx;
  DCtx: new () => DCtx;
  compressBound(size: number): number;
  getFrameContentSize(frame: Uint8Array): number | null;
  findFrameCompressedSize(frame: Uint8Array): number;
  dStreamOutSize(): number;
  ResetDirective: { sessionOnly: number; parameters: number; sessionAndParameters: number };
}

const require = createRequire(import.meta.url);
const binding = require('zstd-napi/binding.js') as ZstdBinding;

/** Kafka's compression.zstd.level default. */
export const ZSTD_DEFAULT_LEVEL = 3;

// One context of each kind, reused: creating a context costs far more than a small batch's compression.
let cctx: CCtx | undefined;
let dctx: DCtx | undefined;

export function zstdCompressSync(data: Uint8Array, options?: CompressOptions): Buffer {
  cctx ??= new binding.CCtx();
  const out = Buffer.allocUnsafe(binding.compressBound(data.length));
  const n = cctx.compress(out, data, options?.level ?? ZSTD_DEFAULT_LEVEL);
  return Buffer.from(out.subarray(0, n));
}

export async function zstdCompress(data: Uint8Array, options?: CompressOptions): Promise<Buffer> {
  return zstdCompressSync(data, options);
}

export function zstdDecompressSync(data: Uint8Array, options?: DecompressOptions): Buffer {
  const limit = maxOutput(options);
  dctx ??= new binding.DCtx();
  try {
    // Sum the declared sizes of all frames; if every frame declares one, decompress in one call into an exact buffer.
    let declared: number | null = 0;
    let rest = data;
    while (rest.length > 0 && declared !== null) {
      const size = binding.getFrameContentSize(rest);
      if (size === null) declared = null;
      else {
        declared += size;
        if (declared > limit) throw tooLarge('zstd', declared, limit);
        rest = rest.subarray(binding.findFrameCompressedSize(rest));
      }
    }
    if (declared !== null) {
      const out = Buffer.allocUnsafe(declared);
      const n = dctx.decompress(out, data);
      if (n !== declared) throw corrupt('zstd', `frame produced ${n} bytes, declared ${declared}`);
      return out;
    }
    return streamDecompress(dctx, data, limit);
  } catch (err) {
    dctx.reset(binding.ResetDirective.sessionOnly);
    throw wrapFailure('zstd', err);
  }
}

function streamDecompress(ctx: DCtx, data: Uint8Array, limit: number): Buffer {
  ctx.reset(binding.ResetDirective.sessionOnly);
  const chunks: Buffer[] = [];
  let total = 0;
  let rest = data;
  let last = 0;
  const step = binding.dStreamOutSize();
  while (rest.length > 0 || last > 0) {
    const room = Math.min(Math.max(step, rest.length * 4), limit - total + 1);
    const chunk = Buffer.allocUnsafe(room);
    const [hint, produced, consumed] = ctx.decompressStream(chunk, rest);
    if (produced > 0) chunks.push(chunk.subarray(0, produced));
    total += produced;
    if (total > limit) throw tooLarge('zstd', total, limit);
    rest = rest.subarray(consumed);
    last = hint;
    if (consumed === 0 && produced === 0) {
      if (rest.length === 0) throw corrupt('zstd', 'truncated frame');
      throw corrupt('zstd', 'decoder made no progress');
    }
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

export async function zstdDecompress(data: Uint8Array, options?: DecompressOptions): Promise<Buffer> {
  return zstdDecompressSync(data, options);
}
