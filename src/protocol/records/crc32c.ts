// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of record batches (magic v2).
// The hot path uses the native `sse4_crc32` addon (SSE4.2 `crc32` instruction, ~9 GB/s); when the addon is missing
// or fails to load (other CPU architecture, no prebuilt binary), a slicing-by-8 table implementation in plain JS
// (~1 GB/s) gives identical results. Both are exported so tests and benchmarks can compare them.
import { createRequire } from 'node:module';

type NativeCrc = (data: Uint8Array, initial?: number) => number;

const POLY = 0x82f63b78;

/** 8 tables of 256 entries: table k maps a byte to its CRC contribution k bytes further along (slicing-by-8). */
const TABLES: Uint32Array = (() => {
  const t = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
})();

/**
 * Pure-JS CRC-32C. `initial` continues a previous result (crc32cJs(b, crc32cJs(a)) === crc32cJs(a ++ b)).
 */
export function crc32cJs(data: Uint8Array, initial = 0): number {
  const t = TABLES;
  let crc = ~initial >>> 0;
  let i = 0;
  const len = data.length;
  const end8 = len - (len % 8);
  for (; i < end8; i += 8) {
    const a = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) ^ crc;
    const b = data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24);
    crc =
      t[1792 + (a & 0xff)]! ^
      t[1536 + ((a >>> 8) & 0xff)]! ^
      t[1280 + ((a >>> 16) & 0xff)]! ^
      t[1024 + (a >>> 24)]! ^
      t[768 + (b & 0xff)]! ^
      t[512 + ((b >>> 8) & 0xff)]! ^
      t[256 + ((b >>> 16) & 0xff)]! ^
      t[b >>> 24]!;
  }
  for (; i < len; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function loadNative(): NativeCrc | null {
  if (process.env.GREGOR_CRC32C_JS === '1') return null; // lets tests/benchmarks force the fallback
  try {
    const require = createRequire(import.meta.url);
    const mod = require('sse4_crc32') as { calculate?: NativeCrc };
    const fn = mod.calculate;
    if (typeof fn !== 'function') return null;
    // Trust the addon only if it agrees with the reference vector.
    if (fn(Buffer.from('123456789')) >>> 0 !== 0xe3069283) return null;
    return fn;
  } catch {
    return null;
  }
}

const native = loadNative();

/** Which implementation `crc32c` uses: 'native' (sse4_crc32) or 'js'. */
export const crc32cImplementation: 'native' | 'js' = native ? 'native' : 'js';

// Below this size the N-API call overhead outweighs the faster loop.
const NATIVE_THRESHOLD = 64;

/** CRC-32C of `data` as an unsigned 32-bit number. `initial` continues a previous CRC. */
export function crc32c(data: Uint8Array, initial = 0): number {
  if (native !== null && data.length >= NATIVE_THRESHOLD) return native(data, initial) >>> 0;
  return crc32cJs(data, initial);
}
