// Encoding and decoding of record batches (magic v2) and their records.
//
// A record inside a batch:
//   length varint | attributes int8 | timestampDelta varlong | offsetDelta varint |
//   keyLength varint | key | valueLength varint | value | headerCount varint |
//   headers (keyLength varint | key utf8 | valueLength varint | value)*
// (all varints zig-zag; a length of -1 means null). Keys, values and header values of decoded records are views of the
// input (or of the decompressed buffer): no copies. Decoding is synchronous (decodeRecordBatch) or asynchronous
// (decodeRecordBatchAsync, which decompresses gzip/snappy off the main thread); encoding likewise.
import * as H from './batch-header.js';
import { RecordBatchView } from './batch-view.js';
import { crc32c } from './crc32c.js';
import { KafkaErrors, RecordBatchError } from './errors.js';
import { TimestampType, MAGIC_V2 } from './types.js';
import { readVarlongNumber, varintZigzagSize, varlongSize, writeVarlongNumber } from './varlong.js';
import { Reader } from '../primitives/reader.js';
import { Writer } from '../primitives/writer.js';
import { ProtocolError } from '../errors.js';
import { CompressionType } from '../compression/types.js';
import { compress, compressSync, decompress, decompressSync, type CompressOptions, type DecompressOptions } from '../compression/index.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record as stored in a batch (deltas relative to the batch's baseOffset/baseTimestamp). */
export interface Record {
  offsetDelta: number;
  timestampDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A decoded record with its absolute offset and timestamp resolved from the batch header. */
export interface DecodedRecord extends Record {
  /** baseOffset + offsetDelta. */
  offset: number;
  /** baseTimestamp + timestampDelta, or the batch's maxTimestamp for LogAppendTime batches. */
  timestamp: number;
  /** Record attributes byte (unused by Kafka so far, always 0 from real clients). */
  attributes: number;
}

export interface DecodedBatch {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
  records: DecodedRecord[];
}

type Bytes = Buffer | Uint8Array | string;

/** What a producer hands in: everything optional. */
export interface RecordInput {
  key?: Bytes | null;
  value?: Bytes | null;
  headers?: { key: string; value?: Bytes | null }[];
  /** Create time in ms; defaults to `now` of the batch options. */
  timestamp?: number | bigint;
  /**
   * Offset relative to the batch's baseOffset; defaults to the record's index. Explicit deltas must increase
   * strictly: the log cleaner keeps gaps where it removed records, as Kafka's does.
   */
  offsetDelta?: number;
}

export interface EncodeBatchOptions {
  records: RecordInput[];
  baseOffset?: number | bigint;
  partitionLeaderEpoch?: number;
  compression?: CompressionType;
  compressionLevel?: number;
  timestampType?: TimestampType.CreateTime | TimestampType.LogAppendTime;
  /** For LogAppendTime batches: the broker's append time (defaults to now). */
  logAppendTime?: number;
  transactional?: boolean;
  control?: boolean;
  producerId?: number | bigint;
  producerEpoch?: number;
  baseSequence?: number;
  /** Defaults to the first record's timestamp (as Kafka's MemoryRecordsBuilder does). */
  baseTimestamp?: number;
  /** Timestamp for records without one (default Date.now()). */
  now?: number;
  /**
   * Overrides lastOffsetDelta (Kafka's compaction keeps the original offset range, even for batches it emptied to
   * preserve producer state). Defaults to the last record's offsetDelta (-1 for no records).
   */
  lastOffsetDelta?: number;
  /** Overrides maxTimestamp of a CreateTime batch (e.g. an emptied batch keeping its original value). */
  maxTimestamp?: number;
  /**
   * Sets the delete-horizon attribute (KIP-534): baseTimestamp becomes this value and record timestamps are stored
   * relative to it, as Kafka's cleaner writes batches that still hold tombstones.
   */
  deleteHorizonMs?: number;
}

function toBytes(b: Bytes | null | undefined): Buffer | null {
  if (b === null || b === undefined) return null;
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  if (Buffer.isBuffer(b)) return b;
  return Buffer.from(b.buffer, b.byteOffset, b.length);
}

interface PreparedRecord {
  offsetDelta: number;
  key: Buffer | null;
  value: Buffer | null;
  headerKeys: Buffer[];
  headerValues: (Buffer | null)[];
  timestampDelta: number;
  bodySize: number;
}

function nullableSize(b: Buffer | null): number {
  return b === null ? 1 : varintZigzagSize(b.length) + b.length;
}

interface Prepared {
  records: PreparedRecord[];
  recordsSize: number;
  baseTimestamp: number;
  maxTimestamp: number;
  lastOffsetDelta: number;
}

function prepare(opts: EncodeBatchOptions): Prepared {
  const now = opts.now ?? Date.now();
  const inputs = opts.records;
  const timestamps = inputs.map((r) => (r.timestamp === undefined ? now : Number(r.timestamp)));
  const baseTimestamp = opts.deleteHorizonMs ?? opts.baseTimestamp ?? (timestamps.length > 0 ? timestamps[0]! : -1);
  let maxTimestamp = -1;
  let lastOffsetDelta = -1;
  let recordsSize = 0;
  const records: PreparedRecord[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i]!;
    const key = toBytes(input.key);
    const value = toBytes(input.value);
    const headerKeys: Buffer[] = [];
    const headerValues: (Buffer | null)[] = [];
    let headersSize = varintZigzagSize(input.headers?.length ?? 0);
    for (const h of input.headers ?? []) {
      if (typeof h.key !== 'string') throw new TypeError('record header keys must be strings');
      const hk = Buffer.from(h.key, 'utf8');
      const hv = toBytes(h.value);
      headerKeys.push(hk);
      headerValues.push(hv);
      headersSize += varintZigzagSize(hk.length) + hk.length + nullableSize(hv);
    }
    const ts = timestamps[i]!;
    if (ts > maxTimestamp) maxTimestamp = ts;
    const timestampDelta = ts - baseTimestamp;
    const offsetDelta = input.offsetDelta ?? i;
    if (!Number.isInteger(offsetDelta) || offsetDelta <= lastOffsetDelta || offsetDelta > 0x7fffffff) {
      throw new RangeError(`record ${i}: offsetDelta ${offsetDelta} must be an int32 greater than the previous one (${lastOffsetDelta})`);
    }
    lastOffsetDelta = offsetDelta;
    const bodySize = 1 + varlongSize(timestampDelta) + varintZigzagSize(offsetDelta) + nullableSize(key) + nullableSize(value) + headersSize;
    recordsSize += varintZigzagSize(bodySize) + bodySize;
    records[i] = { offsetDelta, key, value, headerKeys, headerValues, timestampDelta, bodySize };
  }
  return { records, recordsSize, baseTimestamp, maxTimestamp, lastOffsetDelta };
}

function writeNullable(w: Writer, b: Buffer | null): void {
  if (b === null) {
    w.writeVarint(-1);
  } else {
    w.writeVarint(b.length);
    w.writeRaw(b);
  }
}

function writeRecords(w: Writer, records: PreparedRecord[]): void {
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    w.writeVarint(r.bodySize);
    w.writeInt8(0); // attributes: unused
    writeVarlongNumber(w, r.timestampDelta);
    w.writeVarint(r.offsetDelta);
    writeNullable(w, r.key);
    writeNullable(w, r.value);
    w.writeVarint(r.headerKeys.length);
    for (let h = 0; h < r.headerKeys.length; h++) {
      const hk = r.headerKeys[h]!;
      w.writeVarint(hk.length);
      w.writeRaw(hk);
      writeNullable(w, r.headerValues[h]!);
    }
  }
}

function toBigInt(v: number | bigint | undefined, dflt: bigint): bigint {
  if (v === undefined) return dflt;
  return typeof v === 'bigint' ? v : BigInt(v);
}

/** Writes the header of a batch whose record bytes already sit at out[RECORDS..], then its CRC. */
function finishBatch(out: Buffer, opts: EncodeBatchOptions, p: Prepared, recordCount: number): Buffer {
  const compression = opts.compression ?? CompressionType.None;
  const timestampType = opts.timestampType ?? TimestampType.CreateTime;
  let attributes = compression & H.COMPRESSION_MASK;
  if (timestampType === TimestampType.LogAppendTime) attributes |= H.TIMESTAMP_TYPE_BIT;
  if (opts.transactional) attributes |= H.TRANSACTIONAL_BIT;
  if (opts.control) attributes |= H.CONTROL_BIT;
  if (opts.deleteHorizonMs !== undefined) attributes |= H.DELETE_HORIZON_BIT;
  const maxTimestamp =
    timestampType === TimestampType.LogAppendTime ? (opts.logAppendTime ?? opts.now ?? Date.now()) : (opts.maxTimestamp ?? p.maxTimestamp);
  out.writeBigInt64BE(toBigInt(opts.baseOffset, 0n), H.BASE_OFFSET);
  out.writeInt32BE(out.length - H.LOG_OVERHEAD, H.BATCH_LENGTH);
  out.writeInt32BE(opts.partitionLeaderEpoch ?? H.NO_PARTITION_LEADER_EPOCH, H.PARTITION_LEADER_EPOCH);
  out.writeInt8(MAGIC_V2, H.MAGIC);
  out.writeInt16BE(attributes, H.ATTRIBUTES);
  const lastOffsetDelta = opts.lastOffsetDelta ?? p.lastOffsetDelta;
  if (lastOffsetDelta < p.lastOffsetDelta) throw new RangeError(`lastOffsetDelta ${lastOffsetDelta} is below the last record's ${p.lastOffsetDelta}`);
  out.writeInt32BE(lastOffsetDelta, H.LAST_OFFSET_DELTA);
  out.writeBigInt64BE(BigInt(p.baseTimestamp), H.BASE_TIMESTAMP);
  out.writeBigInt64BE(BigInt(maxTimestamp), H.MAX_TIMESTAMP);
  out.writeBigInt64BE(toBigInt(opts.producerId, H.NO_PRODUCER_ID), H.PRODUCER_ID);
  out.writeInt16BE(opts.producerEpoch ?? -1, H.PRODUCER_EPOCH);
  out.writeInt32BE(opts.baseSequence ?? H.NO_SEQUENCE, H.BASE_SEQUENCE);
  out.writeInt32BE(recordCount, H.RECORD_COUNT);
  out.writeUInt32BE(crc32c(out.subarray(H.ATTRIBUTES)), H.CRC);
  return out;
}

function uncompressedBatch(opts: EncodeBatchOptions, p: Prepared): Buffer {
  const w = new Writer(H.BATCH_HEADER_SIZE + p.recordsSize);
  w.reserve(H.BATCH_HEADER_SIZE);
  writeRecords(w, p.records);
  return finishBatch(w.toBuffer(), opts, p, p.records.length);
}

function recordsOnly(p: Prepared): Buffer {
  const w = new Writer(p.recordsSize);
  writeRecords(w, p.records);
  return w.toBuffer();
}

function wrapCompressed(opts: EncodeBatchOptions, p: Prepared, compressed: Buffer): Buffer {
  const out = Buffer.allocUnsafe(H.BATCH_HEADER_SIZE + compressed.length);
  compressed.copy(out, H.RECORDS);
  return finishBatch(out, opts, p, p.records.length);
}

function compressOptions(opts: EncodeBatchOptions): CompressOptions | undefined {
  return opts.compressionLevel === undefined ? undefined : { level: opts.compressionLevel };
}

/** Encodes one batch (synchronously, compression included). Returns a Buffer holding exactly the batch. */
export function encodeRecordBatch(opts: EncodeBatchOptions): Buffer {
  const p = prepare(opts);
  const codec = opts.compression ?? CompressionType.None;
  if (codec === CompressionType.None) return uncompressedBatch(opts, p);
  return wrapCompressed(opts, p, compressSync(codec, recordsOnly(p), compressOptions(opts)));
}

/** Same as encodeRecordBatch, compressing gzip/snappy on the thread pool. */
export async function encodeRecordBatchAsync(opts: EncodeBatchOptions): Promise<Buffer> {
  const p = prepare(opts);
  const codec = opts.compression ?? CompressionType.None;
  if (codec === CompressionType.None) return uncompressedBatch(opts, p);
  return wrapCompressed(opts, p, await compress(codec, recordsOnly(p), compressOptions(opts)));
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding

function invalid(message: string, code: 'TRUNCATED' | 'BAD_RECORD' | 'BAD_VARINT' | 'RECORD_COUNT_MISMATCH' = 'BAD_RECORD'): RecordBatchError {
  return new RecordBatchError(code, message, KafkaErrors.INVALID_RECORD);
}

/** Converts the shared Reader's ProtocolError into the records layer's typed error. */
function fromProtocolError(e: unknown): unknown {
  if (e instanceof ProtocolError) {
    return invalid(`malformed record: ${e.message}`, e.code === 'BAD_VARINT' ? 'BAD_VARINT' : 'TRUNCATED');
  }
  return e;
}

function readNullableBytes(r: Reader): Buffer | null {
  const len = r.readVarint();
  if (len < 0) {
    if (len !== -1) throw invalid(`negative length ${len}`);
    return null;
  }
  return r.readRawBytes(len);
}

/** Reads one record; the reader must be positioned at its length varint. */
function readRecord(r: Reader, baseOffset: number, baseTimestamp: number, logAppendTime: number | null): DecodedRecord {
  const size = r.readVarint();
  if (size < 0) throw invalid(`negative record size ${size}`);
  r.ensure(size);
  const start = r.offset;
  const end = start + size;
  const attributes = r.readInt8();
  const timestampDelta = readVarlongNumber(r);
  const offsetDelta = r.readVarint();
  const key = readNullableBytes(r);
  const value = readNullableBytes(r);
  const headerCount = r.readVarint();
  if (headerCount < 0) throw invalid(`invalid header count ${headerCount}`);
  // each header needs at least 2 bytes: bound the count by what remains of the record before allocating
  if (headerCount * 2 > end - r.offset) throw invalid(`header count ${headerCount} cannot fit in the record`);
  const headers: RecordHeader[] = new Array(headerCount);
  for (let i = 0; i < headerCount; i++) {
    const klen = r.readVarint();
    if (klen < 0) throw invalid('null header key');
    const k = r.readRawBytes(klen);
    headers[i] = { key: k.toString('utf8'), value: readNullableBytes(r) };
  }
  if (r.offset !== end) throw invalid(`record size ${size} disagrees with its content (${r.offset - start} bytes read)`);
  return {
    offsetDelta,
    timestampDelta,
    key,
    value,
    headers,
    offset: baseOffset + offsetDelta,
    timestamp: logAppendTime ?? baseTimestamp + timestampDelta,
    attributes,
  };
}

/**
 * Decodes `count` records from buf[start, end). `logAppendTime` (the batch's maxTimestamp for LogAppendTime batches,
 * else null) overrides every record's timestamp. Throws RECORD_COUNT_MISMATCH when bytes run out before `count`
 * records or remain after them (Kafka: "Incorrect declared batch size").
 */
export function decodeRecords(
  buf: Buffer,
  count: number,
  baseOffset = 0,
  baseTimestamp = 0,
  logAppendTime: number | null = null,
  start = 0,
  end = buf.length,
): DecodedRecord[] {
  if (count < 0) throw invalid(`negative record count ${count}`);
  // every record takes at least 7 bytes: refuse counts the bytes cannot hold before allocating the array
  if (count > (end - start) / 7) throw invalid(`record count ${count} cannot fit in ${end - start} bytes`, 'RECORD_COUNT_MISMATCH');
  const r = new Reader(buf, start, end);
  const out: DecodedRecord[] = new Array(count);
  try {
    for (let i = 0; i < count; i++) {
      if (r.remaining() === 0) throw invalid(`batch declares ${count} records but holds ${i}`, 'RECORD_COUNT_MISMATCH');
      out[i] = readRecord(r, baseOffset, baseTimestamp, logAppendTime);
    }
  } catch (e) {
    throw fromProtocolError(e);
  }
  if (r.remaining() !== 0) throw invalid(`${r.remaining()} bytes left after the ${count} declared records`, 'RECORD_COUNT_MISMATCH');
  return out;
}

function headerOf(view: RecordBatchView): Omit<DecodedBatch, 'records'> {
  return {
    baseOffset: view.baseOffset,
    batchLength: view.batchLength,
    partitionLeaderEpoch: view.partitionLeaderEpoch,
    magic: view.magic,
    crc: view.crc,
    attributes: view.attributes,
    compression: view.compression,
    timestampType: view.timestampType,
    isTransactional: view.isTransactional,
    isControl: view.isControl,
    lastOffsetDelta: view.lastOffsetDelta,
    baseTimestamp: view.baseTimestamp,
    maxTimestamp: view.maxTimestamp,
    producerId: view.producerId,
    producerEpoch: view.producerEpoch,
    baseSequence: view.baseSequence,
    recordCount: view.recordCount,
  };
}

export interface DecodeBatchOptions extends DecompressOptions {
  /** Check the CRC first and throw BAD_CRC on mismatch (default true). */
  verifyCrc?: boolean;
}

function asView(batch: RecordBatchView | Buffer): RecordBatchView {
  const view = batch instanceof RecordBatchView ? batch : new RecordBatchView(batch);
  if (view.magic !== MAGIC_V2) {
    throw new RecordBatchError('BAD_MAGIC', `decodeRecordBatch handles magic 2 only, got ${view.magic} (see legacy.ts)`, KafkaErrors.UNSUPPORTED_FOR_MESSAGE_FORMAT);
  }
  if (view.sizeInBytes < H.BATCH_HEADER_SIZE) throw new RecordBatchError('BAD_LENGTH', 'v2 batch shorter than its header');
  return view;
}

function finishDecode(view: RecordBatchView, recordsBuf: Buffer): DecodedBatch {
  const header = headerOf(view);
  const logAppendTime = header.timestampType === TimestampType.LogAppendTime ? header.maxTimestamp : null;
  const records = decodeRecords(recordsBuf, header.recordCount, header.baseOffset, header.baseTimestamp, logAppendTime);
  return { ...header, records };
}

function codecOf(view: RecordBatchView): CompressionType {
  const c = view.compression;
  if (c > CompressionType.Zstd) {
    throw new RecordBatchError('UNSUPPORTED_COMPRESSION', `unknown compression codec ${c}`, KafkaErrors.UNSUPPORTED_COMPRESSION_TYPE);
  }
  return c;
}

/** Uncompressed, or an empty batch (no record bytes at all) that kept its codec bits: nothing to decompress. */
function isPlain(view: RecordBatchView, codec: CompressionType): boolean {
  return codec === CompressionType.None || (view.recordCount === 0 && view.sizeInBytes === H.BATCH_HEADER_SIZE);
}

/** Decodes a v2 batch synchronously (decompressing on the calling thread). */
export function decodeRecordBatch(batch: RecordBatchView | Buffer, options: DecodeBatchOptions = {}): DecodedBatch {
  const view = asView(batch);
  if (options.verifyCrc !== false) view.ensureValid();
  const codec = codecOf(view);
  const body = isPlain(view, codec) ? view.recordsBytes : decompressSync(codec, view.recordsBytes, options);
  return finishDecode(view, body);
}

/** Decodes a v2 batch, decompressing gzip/snappy on the thread pool. */
export async function decodeRecordBatchAsync(batch: RecordBatchView | Buffer, options: DecodeBatchOptions = {}): Promise<DecodedBatch> {
  const view = asView(batch);
  if (options.verifyCrc !== false) view.ensureValid();
  const codec = codecOf(view);
  const body = isPlain(view, codec) ? view.recordsBytes : await decompress(codec, view.recordsBytes, options);
  return finishDecode(view, body);
}

/** The uncompressed record bytes of a batch (a view for uncompressed batches). */
export function batchRecordsBytes(view: RecordBatchView, options?: DecompressOptions): Buffer {
  const codec = codecOf(view);
  return isPlain(view, codec) ? view.recordsBytes : decompressSync(codec, view.recordsBytes, options);
}
