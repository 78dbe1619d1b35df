// Zero-copy view over one record batch (magic v2) in a Buffer, and a splitter for a concatenation of batches.
// The broker reads header fields and rewrites baseOffset / partitionLeaderEpoch / LogAppendTime through this view
// without decoding (or decompressing) any record. Layout constants live in batch-header.ts.
import * as H from './batch-header.js';
import { crc32c } from './crc32c.js';
import { KafkaErrors, RecordBatchError } from './errors.js';
import { MAGIC_V2, TimestampType } from './types.js';
import type { CompressionType } from '../compression/types.js';

/** Smallest value of the length field (bytes after it) for each magic: v0 14, v1 22, v2 49. */
export const MIN_BATCH_LENGTH: readonly number[] = [14, 22, H.BATCH_HEADER_SIZE - H.LOG_OVERHEAD];

const TWO_32 = 4294967296;

function readInt64AsNumber(buf: Buffer, at: number): number {
  // hi is signed, lo unsigned: exact for |value| < 2^53, which covers offsets, timestamps and producer ids.
  return buf.readInt32BE(at) * TWO_32 + buf.readUInt32BE(at + 4);
}

function writeInt64FromNumber(buf: Buffer, at: number, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  buf.writeBigInt64BE(BigInt(value), at);
}

/** Kafka's sequence arithmetic: sequences wrap from Int32.MAX back to 0. */
export function incrementSequence(sequence: number, increment: number): number {
  if (sequence > 0x7fffffff - increment) return increment - (0x7fffffff - sequence) - 1;
  return sequence + increment;
}

/**
 * A view over exactly one batch: `buf` must start at the batch's baseOffset and may extend past its end (the view
 * only looks at the first `sizeInBytes` bytes). Getters read straight from the buffer; setters write into it, so a
 * view over a slice of a larger buffer edits that buffer.
 *
 * The v2 getters assume magic v2; iterateBatches also yields legacy v0/v1 entries (isLegacy true) whose shorter
 * layout only shares baseOffset, batchLength and magic with v2: route those to legacy.ts.
 */
export class RecordBatchView {
  /** The batch's bytes, exactly `sizeInBytes` long. */
  readonly buffer: Buffer;

  constructor(buf: Buffer) {
    if (buf.length < H.MAGIC + 1) throw new RecordBatchError('TRUNCATED', `record batch needs at least ${H.MAGIC + 1} bytes`);
    const magic = buf.readInt8(H.MAGIC);
    if (magic < 0 || magic > MAGIC_V2) throw new RecordBatchError('BAD_MAGIC', `unknown magic ${magic}`);
    const length = buf.readInt32BE(H.BATCH_LENGTH);
    if (length < MIN_BATCH_LENGTH[magic]!) throw new RecordBatchError('BAD_LENGTH', `batchLength ${length} too small for magic ${magic}`);
    const size = H.LOG_OVERHEAD + length;
    if (size > buf.length) throw new RecordBatchError('TRUNCATED', `batch of ${size} bytes but only ${buf.length} available`);
    this.buffer = size === buf.length ? buf : buf.subarray(0, size);
  }

  /** A magic v0/v1 entry: only baseOffset, batchLength, sizeInBytes and magic apply; decode it with legacy.ts. */
  get isLegacy(): boolean {
    return this.magic !== MAGIC_V2;
  }

  get baseOffset(): number {
    return readInt64AsNumber(this.buffer, H.BASE_OFFSET);
  }
  get baseOffsetBigInt(): bigint {
    return this.buffer.readBigInt64BE(H.BASE_OFFSET);
  }
  get lastOffset(): number {
    return this.baseOffset + this.lastOffsetDelta;
  }
  /** Offset after this batch (lastOffset + 1). */
  get nextOffset(): number {
    return this.lastOffset + 1;
  }
  /** The length field: bytes after baseOffset and batchLength. */
  get batchLength(): number {
    return this.buffer.readInt32BE(H.BATCH_LENGTH);
  }
  /** Whole batch size including baseOffset and batchLength. */
  get sizeInBytes(): number {
    return this.buffer.length;
  }
  get partitionLeaderEpoch(): number {
    return this.buffer.readInt32BE(H.PARTITION_LEADER_EPOCH);
  }
  get magic(): number {
    return this.buffer.readInt8(H.MAGIC);
  }
  /** Stored CRC (unsigned). */
  get crc(): number {
    return this.buffer.readUInt32BE(H.CRC);
  }
  get attributes(): number {
    return this.buffer.readInt16BE(H.ATTRIBUTES);
  }
  /** Codec id from the attributes; 5..7 are invalid (validate.ts reports them). */
  get compression(): CompressionType {
    return (this.attributes & H.COMPRESSION_MASK) as CompressionType;
  }
  get timestampType(): TimestampType {
    return this.attributes & H.TIMESTAMP_TYPE_BIT ? TimestampType.LogAppendTime : TimestampType.CreateTime;
  }
  get isTransactional(): boolean {
    return (this.attributes & H.TRANSACTIONAL_BIT) !== 0;
  }
  get isControl(): boolean {
    return (this.attributes & H.CONTROL_BIT) !== 0;
  }
  /** Set by the log cleaner: baseTimestamp then holds the delete horizon (KIP-534). */
  get hasDeleteHorizon(): boolean {
    return (this.attributes & H.DELETE_HORIZON_BIT) !== 0;
  }
  get deleteHorizonMs(): number {
    return this.hasDeleteHorizon ? this.baseTimestamp : -1;
  }
  get lastOffsetDelta(): number {
    return this.buffer.readInt32BE(H.LAST_OFFSET_DELTA);
  }
  get baseTimestamp(): number {
    return readInt64AsNumber(this.buffer, H.BASE_TIMESTAMP);
  }
  get maxTimestamp(): number {
    return readInt64AsNumber(this.buffer, H.MAX_TIMESTAMP);
  }
  get producerId(): number {
    return readInt64AsNumber(this.buffer, H.PRODUCER_ID);
  }
  get producerIdBigInt(): bigint {
    return this.buffer.readBigInt64BE(H.PRODUCER_ID);
  }
  get producerEpoch(): number {
    return this.buffer.readInt16BE(H.PRODUCER_EPOCH);
  }
  get baseSequence(): number {
    return this.buffer.readInt32BE(H.BASE_SEQUENCE);
  }
  get lastSequence(): number {
    const base = this.baseSequence;
    return base === H.NO_SEQUENCE ? H.NO_SEQUENCE : incrementSequence(base, this.lastOffsetDelta);
  }
  get hasProducerId(): boolean {
    return this.producerId >= 0;
  }
  get recordCount(): number {
    return this.buffer.readInt32BE(H.RECORD_COUNT);
  }
  /** The (possibly compressed) record bytes after the header, zero copy. */
  get recordsBytes(): Buffer {
    return this.buffer.subarray(H.RECORDS);
  }

  /** Not covered by the CRC: no checksum update needed. */
  setBaseOffset(offset: number | bigint): void {
    if (typeof offset === 'bigint') this.buffer.writeBigInt64BE(offset, H.BASE_OFFSET);
    else writeInt64FromNumber(this.buffer, H.BASE_OFFSET, offset);
  }

  /** Not covered by the CRC either (so a leader can stamp it without re-checksumming). */
  setPartitionLeaderEpoch(epoch: number): void {
    this.buffer.writeInt32BE(epoch, H.PARTITION_LEADER_EPOCH);
  }

  /**
   * Marks the batch as LogAppendTime with `timestampMs` as its max timestamp (what a broker does for topics with
   * message.timestamp.type=LogAppendTime) and recomputes the CRC. Record timestamps are left as written: readers of
   * a LogAppendTime batch take every record's timestamp from maxTimestamp.
   */
  setLogAppendTime(timestampMs: number): void {
    if (this.timestampType === TimestampType.LogAppendTime && this.maxTimestamp === timestampMs) return;
    const attrs = this.attributes | H.TIMESTAMP_TYPE_BIT;
    this.buffer.writeInt16BE(attrs, H.ATTRIBUTES);
    writeInt64FromNumber(this.buffer, H.MAX_TIMESTAMP, timestampMs);
    this.updateCrc();
  }

  /** Sets CreateTime with the given max timestamp (Kafka's setMaxTimestamp(CREATE_TIME, ts)), recomputing the CRC. */
  setCreateTimeMax(timestampMs: number): void {
    this.buffer.writeInt16BE(this.attributes & ~H.TIMESTAMP_TYPE_BIT, H.ATTRIBUTES);
    writeInt64FromNumber(this.buffer, H.MAX_TIMESTAMP, timestampMs);
    this.updateCrc();
  }

  /** CRC32C of attributes..end, as it should be stored. */
  computeCrc(): number {
    return crc32c(this.buffer.subarray(H.ATTRIBUTES));
  }

  isCrcValid(): boolean {
    return this.computeCrc() === this.crc;
  }

  /** Stores the freshly computed CRC. */
  updateCrc(): void {
    this.buffer.writeUInt32BE(this.computeCrc(), H.CRC);
  }

  /** Throws a CORRUPT_MESSAGE RecordBatchError unless the stored CRC matches. */
  ensureValid(): void {
    if (this.magic !== MAGIC_V2) throw new RecordBatchError('BAD_MAGIC', `expected magic 2, got ${this.magic}`);
    const actual = this.computeCrc();
    if (actual !== this.crc) {
      throw new RecordBatchError(
        'BAD_CRC',
        `record batch at offset ${this.baseOffset} is corrupt (stored crc 0x${this.crc.toString(16)}, computed 0x${actual.toString(16)})`,
        KafkaErrors.CORRUPT_MESSAGE,
      );
    }
  }
}

export interface IterateBatchesOptions {
  /**
   * What to do when the buffer ends inside a batch (or inside the 12/17 bytes needed to size one). Kafka fetch
   * responses may end that way (the broker cuts at maxBytes), so readers pass true and stop silently; the default,
   * false, throws a PARTIAL_BATCH error (right for produce requests and log segments under validation).
   */
  allowPartial?: boolean;
  /** Reject a batch whose size exceeds this (Kafka's CorruptRecordException on oversized entries). */
  maxBatchSize?: number;
}

/** What iterateBatches returns when it finishes (visible through the generator's final `value`). */
export interface IterateBatchesResult {
  /** Bytes covered by complete batches. */
  bytesConsumed: number;
  /** Bytes of an incomplete trailing batch (0 if none). */
  partialBytes: number;
}

/**
 * Splits a records buffer (produce request, fetch response, log segment) into batches by their length fields, without
 * decoding anything. Yields a view per batch, of any magic (legacy v0/v1 entries too: `view.magic` tells; use
 * legacy.ts for those). Throws RecordBatchError for a length smaller than the magic's fixed part or an unknown magic.
 */
export function* iterateBatches(
  buf: Buffer,
  options: IterateBatchesOptions = {},
): Generator<RecordBatchView, IterateBatchesResult, undefined> {
  let pos = 0;
  const end = buf.length;
  while (pos < end) {
    const remaining = end - pos;
    // Need baseOffset, length and the magic byte (offset 16 in every format) to size and classify the entry.
    if (remaining < H.MAGIC + 1) return partial(pos, remaining, options);
    const length = buf.readInt32BE(pos + H.BATCH_LENGTH);
    const magic = buf.readInt8(pos + H.MAGIC);
    if (magic < 0 || magic > MAGIC_V2) {
      throw new RecordBatchError('BAD_MAGIC', `unknown magic ${magic} at byte ${pos}`, KafkaErrors.CORRUPT_MESSAGE);
    }
    const minLength = MIN_BATCH_LENGTH[magic]!;
    if (length < minLength) {
      throw new RecordBatchError('BAD_LENGTH', `batch length ${length} at byte ${pos} is below the minimum ${minLength}`);
    }
    const size = H.LOG_OVERHEAD + length;
    if (options.maxBatchSize !== undefined && size > options.maxBatchSize) {
      throw new RecordBatchError('TOO_LARGE', `batch of ${size} bytes exceeds ${options.maxBatchSize}`, KafkaErrors.MESSAGE_TOO_LARGE);
    }
    if (size > remaining) return partial(pos, remaining, options);
    const slice = buf.subarray(pos, pos + size);
    yield new RecordBatchView(slice);
    pos += size;
  }
  return { bytesConsumed: pos, partialBytes: 0 };
}

function partial(pos: number, remaining: number, options: IterateBatchesOptions): IterateBatchesResult {
  if (!options.allowPartial) {
    throw new RecordBatchError('PARTIAL_BATCH', `records end inside a batch: ${remaining} trailing bytes at byte ${pos}`);
  }
  return { bytesConsumed: pos, partialBytes: remaining };
}

/** Collects iterateBatches into an array plus the count of partial trailing bytes. */
export function splitBatches(buf: Buffer, options: IterateBatchesOptions = {}): { batches: RecordBatchView[] } & IterateBatchesResult {
  const batches: RecordBatchView[] = [];
  const it = iterateBatches(buf, options);
  for (;;) {
    const n = it.next();
    if (n.done) return { batches, ...n.value };
    batches.push(n.value);
  }
}
