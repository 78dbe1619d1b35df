// Growable big-endian writer. One backing Buffer that doubles when full, so encoding a message costs
// O(log n) allocations regardless of how many fields it has. Strings are written with one UTF-8 pass
// (the length prefix is patched afterwards) rather than Buffer.byteLength + write.

import { ProtocolError } from '../errors.js';

const ZERO_UUID_BYTES = Buffer.alloc(16);

export class Writer {
  buf: Buffer;
  offset: number;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize > 16 ? initialSize : 16);
    this.offset = 0;
  }

  /** Makes room for n more bytes. */
  ensure(n: number): void {
    const need = this.offset + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
  }

  /** The bytes written so far, as a view of the backing buffer (no copy). */
  toBuffer(): Buffer {
    return this.buf.subarray(0, this.offset);
  }

  /** Forget everything written so the backing buffer can be reused. Earlier toBuffer() views get overwritten. */
  reset(): void {
    this.offset = 0;
  }

  writeInt8(v: number): void {
    this.ensure(1);
    this.buf.writeInt8(v, this.offset);
    this.offset += 1;
  }

  writeUInt8(v: number): void {
    this.ensure(1);
    this.buf[this.offset++] = v;
  }

  writeBool(v: boolean): void {
    this.ensure(1);
    this.buf[this.offset++] = v ? 1 : 0;
  }

  writeInt16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.offset);
    this.offset += 2;
  }

  writeUInt16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.offset);
    this.offset += 2;
  }

  writeInt32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.offset);
    this.offset += 4;
  }

  writeUInt32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.offset);
    this.offset += 4;
  }

  writeInt64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.offset);
    this.offset += 8;
  }

  writeFloat64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.offset);
    this.offset += 8;
  }

  /** Unsigned LEB128 varint; v must be an integer in [0, 2^32). */
  writeUnsignedVarint(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.offset;
    if (v < 0 || v > 0xffffffff) throw new ProtocolError('VALUE_OUT_OF_RANGE', `unsigned varint out of range: ${v}`);
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[pos++] = v;
    this.offset = pos;
  }

  /** Zig-zag signed varint (int32). */
  writeVarint(v: number): void {
    this.writeUnsignedVarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  writeUnsignedVarlong(v: bigint): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.offset;
    while (v >= 0x80n) {
      buf[pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    buf[pos++] = Number(v);
    this.offset = pos;
  }

  /** Zig-zag signed varlong (int64). */
  writeVarlong(v: bigint): void {
    this.writeUnsignedVarlong(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }

  /** Writes a uuid given in Kafka's base64url text form (22 characters). */
  writeUuid(v: string): void {
    this.ensure(16);
    if (v === ZERO_UUID) {
      ZERO_UUID_BYTES.copy(this.buf, this.offset);
    } else {
      if (v.length !== 22) throw new ProtocolError('BAD_UUID', `uuid must be 22 base64url characters: ${JSON.stringify(v)}`);
      const n = this.buf.write(v, this.offset, 16, 'base64url');
      if (n !== 16) throw new ProtocolError('BAD_UUID', `uuid is not valid base64url: ${JSON.stringify(v)}`);
    }
    this.offset += 16;
  }

  writeRaw(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.offset);
    this.offset += b.length;
  }

  // ---- strings ----

  /** int16 length + UTF-8. */
  writeString(s: string): void {
    this.ensure(2 + s.length * 3);
    const n = this.buf.write(s, this.offset + 2, 'utf8');
    if (n > 0x7fff) throw new ProtocolError('VALUE_OUT_OF_RANGE', `string of ${n} bytes exceeds int16 length`);
    this.buf.writeInt16BE(n, this.offset);
    this.offset += 2 + n;
  }

  writeNullableString(s: string | null): void {
    if (s === null) this.writeInt16(-1);
    else this.writeString(s);
  }

  /** Unsigned varint (length + 1) + UTF-8. */
  writeCompactString(s: string): void {
    const guess = varintSize(s.length + 1);
    this.ensure(5 + s.length * 3);
    const start = this.offset;
    const n = this.buf.write(s, start + guess, 'utf8');
    const actual = varintSize(n + 1);
    if (actual !== guess) this.buf.copyWithin(start + actual, start + guess, start + guess + n);
    this.writeUnsignedVarint(n + 1);
    this.offset = start + actual + n;
  }

  writeCompactNullableString(s: string | null): void {
    if (s === null) this.writeUnsignedVarint(0);
    else this.writeCompactString(s);
  }

  // ---- bytes ----

  writeBytes(b: Uint8Array): void {
    this.ensure(4 + b.length);
    this.buf.writeInt32BE(b.length, this.offset);
    this.buf.set(b, this.offset + 4);
    this.offset += 4 + b.length;
  }

  writeNullableBytes(b: Uint8Array | null): void {
    if (b === null) this.writeInt32(-1);
    else this.writeBytes(b);
  }

  writeCompactBytes(b: Uint8Array): void {
    this.writeUnsignedVarint(b.length + 1);
    this.writeRaw(b);
  }

  writeCompactNullableBytes(b: Uint8Array | null): void {
    if (b === null) this.writeUnsignedVarint(0);
    else this.writeCompactBytes(b);
  }

  // ---- reserve / patch ----

  /** Skips n bytes to be filled in later with a patch* call; returns their offset. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.offset;
    this.offset += n;
    return at;
  }

  patchInt32(at: number, v: number): void {
    this.buf.writeInt32BE(v, at);
  }

  patchUInt32(at: number, v: number): void {
    this.buf.writeUInt32BE(v, at);
  }

  /**
   * Starts a region whose byte length will be written in front of it as an unsigned varint (tagged field
   * payloads). Reserves the 5-byte worst case; endUnsignedVarintSize shifts the payload back if the length
   * needs fewer bytes. Returns a mark to pass to endUnsignedVarintSize.
   */
  beginUnsignedVarintSize(): number {
    return this.reserve(5);
  }

  endUnsignedVarintSize(mark: number): void {
    const payloadStart = mark + 5;
    const len = this.offset - payloadStart;
    const size = varintSize(len);
    if (size !== 5) this.buf.copyWithin(mark + size, payloadStart, this.offset);
    this.offset = mark;
    this.writeUnsignedVarint(len);
    this.offset = mark + size + len;
  }
}

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** Bytes an unsigned varint of value v occupies. */
export function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}
