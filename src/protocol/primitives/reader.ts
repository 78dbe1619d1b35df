// Bounds-checked reader over a Buffer region [offset, end).
// Every read checks the remaining length first and throws ProtocolError on bad input, so generated decoders
// can read straight-line without their own checks. Byte-valued results are subarray views (no copies):
// they stay valid only as long as the caller keeps the underlying buffer unchanged. Numbers are read through
// a DataView (faster than Buffer's read*BE, ~3x for int64).

import { ProtocolError } from '../errors.js';
import { uuidToString } from './uuid.js';

export class Reader {
  readonly buf: Buffer;
  offset: number;
  readonly end: number;
  private readonly view: DataView;

  constructor(buf: Buffer, offset = 0, end: number = buf.length) {
    if (offset < 0 || end > buf.length || offset > end) {
      throw new ProtocolError('TRUNCATED', `reader range [${offset}, ${end}) outside buffer of ${buf.length} bytes`);
    }
    this.buf = buf;
    this.offset = offset;
    this.end = end;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  remaining(): number {
    return this.end - this.offset;
  }

  /** Throws unless at least n more bytes are available. */
  ensure(n: number): void {
    if (n > this.end - this.offset) {
      throw new ProtocolError('TRUNCATED', `need ${n} bytes at offset ${this.offset}, only ${this.end - this.offset} left`);
    }
  }

  skip(n: number): void {
    this.ensure(n);
    this.offset += n;
  }

  readInt8(): number {
    this.ensure(1);
    return this.view.getInt8(this.offset++);
  }

  readUInt8(): number {
    this.ensure(1);
    return this.buf[this.offset++]!;
  }

  readBool(): boolean {
    this.ensure(1);
    return this.buf[this.offset++] !== 0;
  }

  readInt16(): number {
    this.ensure(2);
    const v = this.view.getInt16(this.offset);
    this.offset += 2;
    return v;
  }

  readUInt16(): number {
    this.ensure(2);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  readInt32(): number {
    this.ensure(4);
    const v = this.view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }

  readUInt32(): number {
    this.ensure(4);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  readInt64(): bigint {
    this.ensure(8);
    const v = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return v;
  }

  readFloat64(): number {
    this.ensure(8);
    const v = this.view.getFloat64(this.offset);
    this.offset += 8;
    return v;
  }

  /** Unsigned LEB128 varint of at most 5 bytes; result in [0, 2^32). */
  readUnsignedVarint(): number {
    const buf = this.buf;
    let pos = this.offset;
    const end = this.end;
    if (pos >= end) throw truncatedVarint(pos);
    let b = buf[pos++]!;
    if (b < 0x80) {
      this.offset = pos;
      return b;
    }
    let value = b & 0x7f;
    let shift = 7;
    while (true) {
      if (pos >= end) throw truncatedVarint(pos);
      b = buf[pos++]!;
      if (shift === 28) {
        // Fifth byte: only 4 payload bits fit in 32 bits, and there must be no continuation.
        if (b > 0x0f) throw new ProtocolError('BAD_VARINT', `varint longer than 5 bytes or over 32 bits at offset ${this.offset}`);
        value += b * 0x10000000;
        break;
      }
      value |= (b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7;
    }
    this.offset = pos;
    return value;
  }

  /** Zig-zag encoded signed varint (int32). */
  readVarint(): number {
    const u = this.readUnsignedVarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Unsigned varint of at most 10 bytes, as a bigint in [0, 2^64). */
  readUnsignedVarlong(): bigint {
    const buf = this.buf;
    let pos = this.offset;
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw truncatedVarint(pos);
      const b = buf[pos++]!;
      if (i === 9 && b > 0x01) throw new ProtocolError('BAD_VARINT', `varlong over 64 bits at offset ${this.offset}`);
      value |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        this.offset = pos;
        return value;
      }
      shift += 7n;
    }
    throw new ProtocolError('BAD_VARINT', `varlong longer than 10 bytes at offset ${this.offset}`);
  }

  /** Zig-zag encoded signed varlong (int64). */
  readVarlong(): bigint {
    const u = this.readUnsignedVarlong();
    return (u >> 1n) ^ -(u & 1n);
  }

  /** 16 raw bytes rendered as Kafka's base64url text form (22 characters, no padding). */
  readUuid(): string {
    this.ensure(16);
    const s = uuidToString(this.buf, this.offset);
    this.offset += 16;
    return s;
  }

  /** n raw bytes as a view (no copy). */
  readRawBytes(n: number): Buffer {
    this.ensure(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  private utf8(n: number): string {
    this.ensure(n);
    const start = this.offset;
    const end = start + n;
    this.offset = end;
    if (n <= 48) {
      // Short pure-ASCII strings (topic names, client ids) decode faster as latin1.
      const buf = this.buf;
      let i = start;
      while (i < end && buf[i]! < 0x80) i++;
      if (i === end) return buf.toString('latin1', start, end);
    }
    return this.buf.toString('utf8', start, end);
  }

  // ---- strings: int16 length (classic) or unsigned varint length+1 (compact) ----

  readString(): string {
    const n = this.readInt16();
    if (n < 0) throw badLength(n, 'string', this.offset - 2);
    return this.utf8(n);
  }

  readNullableString(): string | null {
    const n = this.readInt16();
    if (n === -1) return null;
    if (n < 0) throw badLength(n, 'string', this.offset - 2);
    return this.utf8(n);
  }

  readCompactString(): string {
    const n = this.readUnsignedVarint();
    if (n === 0) throw badLength(-1, 'compact string', this.offset);
    return this.utf8(n - 1);
  }

  readCompactNullableString(): string | null {
    const n = this.readUnsignedVarint();
    if (n === 0) return null;
    return this.utf8(n - 1);
  }

  // ---- bytes: int32 length (classic) or unsigned varint length+1 (compact); views, not copies ----

  readBytes(): Buffer {
    const n = this.readInt32();
    if (n < 0) throw badLength(n, 'bytes', this.offset - 4);
    return this.readRawBytes(n);
  }

  readNullableBytes(): Buffer | null {
    const n = this.readInt32();
    if (n === -1) return null;
    if (n < 0) throw badLength(n, 'bytes', this.offset - 4);
    return this.readRawBytes(n);
  }

  readCompactBytes(): Buffer {
    const n = this.readUnsignedVarint();
    if (n === 0) throw badLength(-1, 'compact bytes', this.offset);
    return this.readRawBytes(n - 1);
  }

  readCompactNullableBytes(): Buffer | null {
    const n = this.readUnsignedVarint();
    if (n === 0) return null;
    return this.readRawBytes(n - 1);
  }

  // ---- array counts: checked against the remaining bytes before any caller allocates ----

  /**
   * int32 element count of a non-nullable array. `minElementSize` is the fewest bytes one element can occupy
   * (at least 1 is assumed), so a count that cannot fit in what remains is rejected before allocation.
   */
  readArrayLength(minElementSize: number): number {
    const n = this.readInt32();
    if (n < 0) throw badLength(n, 'array', this.offset - 4);
    this.checkCount(n, minElementSize);
    return n;
  }

  /** Like readArrayLength, but -1 (null) is returned as -1. */
  readNullableArrayLength(minElementSize: number): number {
    const n = this.readInt32();
    if (n === -1) return -1;
    if (n < 0) throw badLength(n, 'array', this.offset - 4);
    this.checkCount(n, minElementSize);
    return n;
  }

  readCompactArrayLength(minElementSize: number): number {
    const n = this.readUnsignedVarint();
    if (n === 0) throw badLength(-1, 'compact array', this.offset);
    this.checkCount(n - 1, minElementSize);
    return n - 1;
  }

  /** Compact nullable array count; null is returned as -1. */
  readCompactNullableArrayLength(minElementSize: number): number {
    const n = this.readUnsignedVarint();
    if (n === 0) return -1;
    this.checkCount(n - 1, minElementSize);
    return n - 1;
  }

  checkCount(count: number, minElementSize: number): void {
    const per = minElementSize > 1 ? minElementSize : 1;
    if (count * per > this.end - this.offset) {
      throw new ProtocolError(
        'ARRAY_TOO_LARGE',
        `array of ${count} elements (>= ${per} bytes each) cannot fit in ${this.end - this.offset} remaining bytes`,
      );
    }
  }
}

function truncatedVarint(pos: number): ProtocolError {
  return new ProtocolError('TRUNCATED', `varint truncated at offset ${pos}`);
}

function badLength(n: number, what: string, at: number): ProtocolError {
  if (n === -1) return new ProtocolError('NULL_NOT_ALLOWED', `null ${what} at offset ${at} where the field is not nullable`);
  return new ProtocolError('NEGATIVE_LENGTH', `negative ${what} length ${n} at offset ${at}`);
}
