// Growable big-endian writer over one backing Buffer that doubles when full, so encoding a message costs
// O(log n) allocations however many fields it has. Numbers go through a DataView (much faster than Buffer's
// write*BE methods, ~6x for int64); short ASCII strings are copied by a JS loop (faster than a native call).
//
// Zero-copy mode (`zeroCopyThreshold`): byte arrays at least that long (record batches in a Fetch response) are
// not copied but referenced; toBuffers() then returns the frame as a list of chunks for a gathered socket
// write. Positions used with reserve/patch and the varint size helpers are logical (bytes since the start),
// so they stay valid across chunk boundaries and buffer growth.

import { ProtocolError } from '../errors.js';
import { uuidFromString } from './uuid.js';

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

const MIN_INT64 = -(2n ** 63n);
const MAX_INT64 = 2n ** 63n - 1n;

export interface WriterOptions {
  /** Byte arrays of at least this many bytes are referenced instead of copied (see toBuffers). */
  zeroCopyThreshold?: number;
}

export class Writer {
  /** Current backing buffer; bytes [segmentStart, offset) of it are the not-yet-chunked tail of the output. */
  buf: Buffer;
  /** Write position inside `buf`. Equal to `length` unless zero-copy chunks were taken. */
  offset: number;
  private view: DataView;
  private segmentStart = 0;
  private chunks: Buffer[] | null = null;
  private chunkBytes = 0;
  private sizeRegions = 0;
  private readonly zeroCopyThreshold: number;

  constructor(initialSize = 256, options?: WriterOptions) {
    this.buf = Buffer.allocUnsafe(initialSize > 16 ? initialSize : 16);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.offset = 0;
    this.zeroCopyThreshold = options?.zeroCopyThreshold ?? Infinity;
  }

  /** Total bytes written. */
  get length(): number {
    return this.chunkBytes + this.offset - this.segmentStart;
  }

  /** Makes room for n more bytes in `buf`. */
  ensure(n: number): void {
    if (this.offset + n <= this.buf.length) return;
    const used = this.offset - this.segmentStart;
    let size = this.buf.length * 2;
    while (size < used + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, this.segmentStart, this.offset);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
    this.offset = used;
    this.segmentStart = 0;
  }

  /** The bytes written so far as one Buffer: a view of the backing buffer unless zero-copy chunks were taken. */
  toBuffer(): Buffer {
    if (this.chunks === null) return this.buf.subarray(this.segmentStart, this.offset);
    return Buffer.concat(this.toBuffers(), this.length);
  }

  /** The bytes written so far as a list of chunks (views; referenced inputs are not copied). */
  toBuffers(): Buffer[] {
    const tail = this.buf.subarray(this.segmentStart, this.offset);
    if (this.chunks === null) return [tail];
    return tail.length > 0 ? [...this.chunks, tail] : [...this.chunks];
  }

  /** Forget everything written so the backing buffer can be reused. Earlier toBuffer() views get overwritten. */
  reset(): void {
    this.offset = 0;
    this.segmentStart = 0;
    this.chunks = null;
    this.chunkBytes = 0;
    this.sizeRegions = 0;
  }

  writeInt8(v: number): void {
    if (v !== (v << 24) >> 24) throw outOfRange('int8', v);
    this.ensure(1);
    this.buf[this.offset++] = v;
  }

  writeUInt8(v: number): void {
    if (v !== (v & 0xff)) throw outOfRange('uint8', v);
    this.ensure(1);
    this.buf[this.offset++] = v;
  }

  writeBool(v: boolean): void {
    this.ensure(1);
    this.buf[this.offset++] = v ? 1 : 0;
  }

  writeInt16(v: number): void {
    if (v !== (v << 16) >> 16) throw outOfRange('int16', v);
    this.ensure(2);
    this.view.setInt16(this.offset, v);
    this.offset += 2;
  }

  writeUInt16(v: number): void {
    if (v !== (v & 0xffff)) throw outOfRange('uint16', v);
    this.ensure(2);
    this.view.setUint16(this.offset, v);
    this.offset += 2;
  }

  writeInt32(v: number): void {
    if (v !== (v | 0)) throw outOfRange('int32', v);
    this.ensure(4);
    this.view.setInt32(this.offset, v);
    this.offset += 4;
  }

  writeUInt32(v: number): void {
    if (v !== v >>> 0) throw outOfRange('uint32', v);
    this.ensure(4);
    this.view.setUint32(this.offset, v);
    this.offset += 4;
  }

  writeInt64(v: bigint): void {
    if (v < MIN_INT64 || v > MAX_INT64) throw outOfRange('int64', v);
    this.ensure(8);
    this.view.setBigInt64(this.offset, v);
    this.offset += 8;
  }

  writeFloat64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.offset, v);
    this.offset += 8;
  }

  /** Unsigned LEB128 varint; v must be an integer in [0, 2^32). */
  writeUnsignedVarint(v: number): void {
    if (!(v >= 0 && v <= 0xffffffff) || v !== Math.floor(v)) throw outOfRange('unsigned varint', v);
    this.ensure(5);
    const buf = this.buf;
    let pos = this.offset;
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[pos++] = v;
    this.offset = pos;
  }

  /** Zig-zag signed varint (int32). */
  writeVarint(v: number): void {
    if (v !== (v | 0)) throw outOfRange('varint', v);
    this.writeUnsignedVarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  writeUnsignedVarlong(v: bigint): void {
    if (v < 0n || v >= 2n ** 64n) throw outOfRange('unsigned varlong', v);
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
    if (v < MIN_INT64 || v > MAX_INT64) throw outOfRange('varlong', v);
    this.writeUnsignedVarlong(BigInt.asUintN(64, (v << 1n) ^ (v >> 63n)));
  }

  /** Writes a uuid given in Kafka's base64url text form (22 characters). */
  writeUuid(v: string): void {
    this.ensure(16);
    if (!uuidFromString(v, this.buf, this.offset)) {
      throw new ProtocolError('BAD_UUID', `uuid must be 22 base64url characters: ${JSON.stringify(v)}`);
    }
    this.offset += 16;
  }

  /** Appends raw bytes (referenced rather than copied in zero-copy mode when large enough). */
  writeRaw(b: Uint8Array): void {
    if (b.length >= this.zeroCopyThreshold && this.sizeRegions === 0) {
      this.takeChunk();
      this.chunks!.push(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
      this.chunkBytes += b.length;
      return;
    }
    this.ensure(b.length);
    this.buf.set(b, this.offset);
    this.offset += b.length;
  }

  private takeChunk(): void {
    if (this.chunks === null) this.chunks = [];
    if (this.offset > this.segmentStart) {
      this.chunks.push(this.buf.subarray(this.segmentStart, this.offset));
      this.chunkBytes += this.offset - this.segmentStart;
      this.segmentStart = this.offset;
    }
  }

  // ---- strings ----

  /** Writes s as UTF-8 at offset `at` (room already ensured); returns the byte count. */
  private utf8At(s: string, at: number): number {
    const len = s.length;
    if (len <= 64) {
      // ASCII fast path; falls back to the native encoder at the first non-ASCII character.
      const buf = this.buf;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i] = c;
      }
      if (i === len) return len;
    }
    return this.buf.write(s, at, 'utf8');
  }

  /** int16 length + UTF-8. */
  writeString(s: string): void {
    this.ensure(2 + s.length * 3);
    const n = this.utf8At(s, this.offset + 2);
    if (n > 0x7fff) throw new ProtocolError('VALUE_OUT_OF_RANGE', `string of ${n} bytes exceeds int16 length`);
    this.view.setInt16(this.offset, n);
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
    const n = this.utf8At(s, start + guess);
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
    this.writeInt32(b.length);
    this.writeRaw(b);
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

  // ---- reserve / patch (logical positions) ----

  /** Skips n bytes to be filled in later with a patch* call; returns their (logical) position. */
  reserve(n: number): number {
    this.ensure(n);
    const at = this.length;
    this.offset += n;
    return at;
  }

  patchInt32(at: number, v: number): void {
    const [buf, local] = this.locate(at, 4);
    buf.writeInt32BE(v, local);
  }

  patchUInt32(at: number, v: number): void {
    const [buf, local] = this.locate(at, 4);
    buf.writeUInt32BE(v, local);
  }

  /** Maps a logical position of n reserved bytes to the buffer holding them. */
  private locate(at: number, n: number): [Buffer, number] {
    const rel = at - this.chunkBytes;
    if (rel >= 0) return [this.buf, this.segmentStart + rel];
    let p = at;
    for (const c of this.chunks!) {
      if (p < c.length) {
        if (p + n > c.length) break;
        return [c, p];
      }
      p -= c.length;
    }
    throw new Error(`cannot patch ${n} bytes at position ${at}`);
  }

  /**
   * Starts a region whose byte length will be written in front of it as an unsigned varint (tagged field
   * payloads). Reserves the 5-byte worst case; endUnsignedVarintSize shifts the payload back if the length
   * needs fewer bytes. Zero-copy references are suspended inside the region so it stays contiguous.
   */
  beginUnsignedVarintSize(): number {
    this.sizeRegions++;
    return this.reserve(5);
  }

  endUnsignedVarintSize(mark: number): void {
    this.sizeRegions--;
    const local = this.segmentStart + (mark - this.chunkBytes);
    const payloadStart = local + 5;
    const len = this.offset - payloadStart;
    const size = varintSize(len);
    if (size !== 5) this.buf.copyWithin(local + size, payloadStart, this.offset);
    this.offset = local;
    this.writeUnsignedVarint(len);
    this.offset = local + size + len;
  }
}

/** Bytes an unsigned varint of value v occupies. */
export function varintSize(v: number): number {
  if (v < 0x80) return 1;
  if (v < 0x4000) return 2;
  if (v < 0x200000) return 3;
  if (v < 0x10000000) return 4;
  return 5;
}

function outOfRange(type: string, v: number | bigint): ProtocolError {
  return new ProtocolError('VALUE_OUT_OF_RANGE', `${String(v)} is not a valid ${type}`);
}
