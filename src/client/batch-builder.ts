// Producer-side record batch (magic v2) builder. Records are encoded straight into the batch buffer as send() is
// called, so per-record work happens once, at send time; closing a batch only fills the 61-byte header, compresses
// the record section if configured and computes one CRC. The builder never decodes anything.
import * as H from '../protocol/records/batch-header.js';
import { crc32c } from '../protocol/records/crc32c.js';
import { CompressionType } from '../protocol/compression/types.js';
import type { Header } from './serdes.js';

/** Bytes needed for a zig-zag varint of a 32-bit signed value. */
function varintSize(n: number): number {
  let z = ((n << 1) ^ (n >> 31)) >>> 0;
  let size = 1;
  while (z >= 0x80) {
    z >>>= 7;
    size++;
  }
  return size;
}

/** Zig-zag varlong size for a safe-integer value (timestamp deltas). */
function varlongSize(n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) return varintSize(n);
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (z >= 0x80) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

function headerBytes(h: Header): { key: Buffer; value: Buffer | null } {
  return { key: Buffer.from(h.key, 'utf8'), value: h.value };
}

/** Upper bound of a record's encoded size (used for batch-fit and max.request.size checks before encoding). */
export function estimateRecordSize(key: Buffer | null, value: Buffer | null, headers: Header[] | null): number {
  let size = 5 + 1 + 10 + 5 + 5 + (key?.length ?? 0) + 5 + (value?.length ?? 0) + 5;
  if (headers) for (const h of headers) size += 10 + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  return size;
}

export class BatchBuilder {
  private buf: Buffer;
  private pos = H.RECORDS;
  recordCount = 0;
  baseTimestamp = -1;
  maxTimestamp = -1;
  /** Bytes of encoded (uncompressed) records + header. */
  get sizeInBytes(): number {
    return this.pos;
  }

  constructor(initialCapacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(initialCapacity, H.RECORDS + 64));
  }

  /** True if a record of `estimate` bytes fits within `limit` (an empty batch always accepts one record). */
  hasRoomFor(estimate: number, limit: number): boolean {
    return this.recordCount === 0 || this.pos + estimate <= limit;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + extra));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private writeVarint(n: number): void {
    let z = ((n << 1) ^ (n >> 31)) >>> 0;
    const b = this.buf;
    let p = this.pos;
    while (z >= 0x80) {
      b[p++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    b[p++] = z;
    this.pos = p;
  }

  private writeVarlong(n: number): void {
    if (n >= -0x40000000 && n < 0x40000000) return this.writeVarint(n);
    let z = n >= 0 ? n * 2 : -n * 2 - 1;
    const b = this.buf;
    let p = this.pos;
    while (z >= 0x80) {
      b[p++] = (z % 128) | 0x80;
      z = Math.floor(z / 128);
    }
    b[p++] = z;
    this.pos = p;
  }

  private writeBytes(data: Buffer | null): void {
    if (data === null) {
      this.writeVarint(-1);
      return;
    }
    const len = data.length;
    this.writeVarint(len);
    if (len > 0) {
      // TypedArray.set skips Buffer.copy's argument checks, which dominate for small values
      this.buf.set(data, this.pos);
      this.pos += len;
    }
  }

  /** Appends one record; returns its offset delta (its index in the batch). */
  append(timestamp: number, key: Buffer | null, value: Buffer | null, headers: Header[] | null): number {
    if (this.recordCount === 0) this.baseTimestamp = timestamp;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    const offsetDelta = this.recordCount;
    const tsDelta = timestamp - this.baseTimestamp;
    const hs = headers && headers.length > 0 ? headers.map(headerBytes) : null;
    let body = 1 + varlongSize(tsDelta) + varintSize(offsetDelta);
    body += key === null ? 1 : varintSize(key.length) + key.length;
    body += value === null ? 1 : varintSize(value.length) + value.length;
    body += varintSize(hs ? hs.length : 0);
    if (hs) {
      for (const h of hs) {
        body += varintSize(h.key.length) + h.key.length;
        body += h.value === null ? 1 : varintSize(h.value.length) + h.value.length;
      }
    }
    this.ensure(body + 5);
    this.writeVarint(body);
    this.buf[this.pos++] = 0; // record attributes (unused)
    this.writeVarlong(tsDelta);
    this.writeVarint(offsetDelta);
    this.writeBytes(key);
    this.writeBytes(value);
    this.writeVarint(hs ? hs.length : 0);
    if (hs) {
      for (const h of hs) {
        this.writeBytes(h.key);
        this.writeBytes(h.value);
      }
    }
    this.recordCount++;
    return offsetDelta;
  }

  /** The uncompressed record section (for compression). */
  recordsSection(): Buffer {
    return this.buf.subarray(H.RECORDS, this.pos);
  }

  /**
   * Produces the final batch bytes. `compressedRecords`, when given, replaces the record section.
   * Producer id/epoch/sequence are written here because idempotent sequences are assigned when a batch is drained.
   */
  build(opts: {
    compression: CompressionType;
    compressedRecords?: Buffer;
    producerId: bigint;
    producerEpoch: number;
    baseSequence: number;
    transactional: boolean;
  }): Buffer {
    let out: Buffer;
    if (opts.compressedRecords) {
      out = Buffer.allocUnsafe(H.RECORDS + opts.compressedRecords.length);
      opts.compressedRecords.copy(out, H.RECORDS);
    } else {
      out = Buffer.allocUnsafe(this.pos);
      this.buf.copy(out, H.RECORDS, H.RECORDS, this.pos);
    }
    writeHeader(out, this, opts);
    return out;
  }
}

function writeHeader(
  out: Buffer,
  b: BatchBuilder,
  opts: { compression: CompressionType; producerId: bigint; producerEpoch: number; baseSequence: number; transactional: boolean },
): void {
  out.writeBigInt64BE(0n, H.BASE_OFFSET);
  out.writeInt32BE(out.length - H.LOG_OVERHEAD, H.BATCH_LENGTH);
  out.writeInt32BE(H.NO_PARTITION_LEADER_EPOCH, H.PARTITION_LEADER_EPOCH);
  out.writeInt8(2, H.MAGIC);
  let attributes = opts.compression & H.COMPRESSION_MASK;
  if (opts.transactional) attributes |= H.TRANSACTIONAL_BIT;
  out.writeInt16BE(attributes, H.ATTRIBUTES);
  out.writeInt32BE(b.recordCount - 1, H.LAST_OFFSET_DELTA);
  out.writeBigInt64BE(BigInt(b.baseTimestamp), H.BASE_TIMESTAMP);
  out.writeBigInt64BE(BigInt(b.maxTimestamp), H.MAX_TIMESTAMP);
  out.writeBigInt64BE(opts.producerId, H.PRODUCER_ID);
  out.writeInt16BE(opts.producerEpoch, H.PRODUCER_EPOCH);
  out.writeInt32BE(opts.baseSequence, H.BASE_SEQUENCE);
  out.writeInt32BE(b.recordCount, H.RECORD_COUNT);
  out.writeUInt32BE(crc32c(out.subarray(H.ATTRIBUTES)), H.CRC);
}
