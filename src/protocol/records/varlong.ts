// Zig-zag varlongs as JS numbers. The shared Reader/Writer (src/protocol/primitives) read and write int64 varlongs as
// bigint, which costs an allocation per value; record timestamp deltas are read and written once per record, always
// fit in 53 bits, so the record codec uses these number-valued variants on the same Reader/Writer objects.
import type { Reader } from '../primitives/reader.js';
import type { Writer } from '../primitives/writer.js';
import { KafkaErrors, RecordBatchError } from './errors.js';

/** Zig-zag value of n (exact for |n| < 2^52, far beyond any timestamp delta). */
function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Bytes the zig-zag varlong encoding of n takes. */
export function varlongSize(n: number): number {
  let z = zigzag(n);
  let size = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

/** Bytes the zig-zag varint (int32) encoding of n takes. */
export function varintZigzagSize(n: number): number {
  const z = ((n << 1) ^ (n >> 31)) >>> 0;
  if (z < 0x80) return 1;
  if (z < 0x4000) return 2;
  if (z < 0x200000) return 3;
  if (z < 0x10000000) return 4;
  return 5;
}

export function writeVarlongNumber(w: Writer, n: number): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`varlong value is not a safe integer: ${n}`);
  w.ensure(10);
  const buf = w.buf;
  let pos = w.offset;
  let z = zigzag(n);
  while (z >= 128) {
    buf[pos++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  w.offset = pos;
}

/** Reads a zig-zag varlong as a number; values beyond 2^53 are refused (no Kafka timestamp delta is that large). */
export function readVarlongNumber(r: Reader): number {
  const buf = r.buf;
  let pos = r.offset;
  const end = r.end;
  let value = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new RecordBatchError('TRUNCATED', `varlong cut off at byte ${pos}`, KafkaErrors.INVALID_RECORD);
    const b = buf[pos++]!;
    value += (b & 0x7f) * mul;
    if (b < 0x80) {
      if (value > Number.MAX_SAFE_INTEGER) break;
      r.offset = pos;
      // undo zig-zag without 32-bit operators
      return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    }
    mul *= 128;
  }
  throw new RecordBatchError('BAD_VARINT', `varlong too long or beyond 2^53 at byte ${r.offset}`, KafkaErrors.INVALID_RECORD);
}
