// Legacy message sets (magic v0 and v1), read-only: for old data and old clients. Gregor stores only record batches
// (magic v2), so these are decoded (and can be converted to a v2 batch) but never written.
//
//   offset int64 | messageSize int32 | crc uint32 | magic int8 | attributes int8 | [timestamp int64, v1 only] |
//   key int32-length bytes (-1 = null) | value int32-length bytes
// The CRC-32 (IEEE) covers magic..end. With a compression codec in the attributes, the value holds a compressed
// message set of inner messages ("wrapper" message). For v1 the inner offsets are relative (0..n-1) and the wrapper
// carries the absolute offset of the last inner message; v0 inner messages carry absolute offsets.
import * as H from './batch-header.js';
import { crc32 } from './crc32.js';
import { KafkaErrors, RecordBatchError } from './errors.js';
import { MAGIC_V0, MAGIC_V1, TimestampType } from './types.js';
import { encodeRecordBatch, type EncodeBatchOptions } from './record-batch.js';
import { CompressionType } from '../compression/types.js';
import { decompressSync, type DecompressOptions } from '../compression/index.js';

export interface LegacyMessage {
  offset: number;
  magic: 0 | 1;
  attributes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  /** -1 for magic v0 (no timestamp). */
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  crc: number;
}

export interface LegacyDecodeOptions extends DecompressOptions {
  /** Verify each message's CRC-32 (default true). */
  verifyCrc?: boolean;
  /** Stop silently at a partial trailing message instead of throwing (fetch responses may end with one). */
  allowPartial?: boolean;
}

const CRC_AT = 12;
const MAGIC_AT = 16;
const ATTRIBUTES_AT = 17;
const TIMESTAMP_TYPE_BIT = 0x08;

function corrupt(msg: string, code: 'TRUNCATED' | 'BAD_CRC' | 'BAD_RECORD' | 'BAD_MAGIC' | 'BAD_LENGTH' = 'BAD_RECORD'): RecordBatchError {
  return new RecordBatchError(code, `legacy message set: ${msg}`, KafkaErrors.CORRUPT_MESSAGE);
}

function readNullableBytes(buf: Buffer, pos: number, end: number): [Buffer | null, number] {
  if (pos + 4 > end) throw corrupt('truncated length', 'TRUNCATED');
  const len = buf.readInt32BE(pos);
  pos += 4;
  if (len < 0) {
    if (len !== -1) throw corrupt(`negative length ${len}`, 'BAD_LENGTH');
    return [null, pos];
  }
  if (pos + len > end) throw corrupt(`length ${len} past the end of the message`, 'TRUNCATED');
  return [buf.subarray(pos, pos + len), pos + len];
}

/** Parses one shallow entry at buf[pos..end) whose size was already checked; returns the message. */
function parseEntry(buf: Buffer, start: number, end: number, verifyCrc: boolean): LegacyMessage {
  const magic = buf.readInt8(start + MAGIC_AT);
  if (magic !== MAGIC_V0 && magic !== MAGIC_V1) throw corrupt(`unexpected magic ${magic}`, 'BAD_MAGIC');
  const storedCrc = buf.readUInt32BE(start + CRC_AT);
  if (verifyCrc) {
    const actual = crc32(buf.subarray(start + MAGIC_AT, end));
    if (actual !== storedCrc) throw corrupt(`crc mismatch at offset byte ${start} (stored ${storedCrc}, computed ${actual})`, 'BAD_CRC');
  }
  const attributes = buf.readInt8(start + ATTRIBUTES_AT);
  let pos = start + ATTRIBUTES_AT + 1;
  let timestamp = -1;
  let timestampType = TimestampType.NoTimestamp;
  if (magic === MAGIC_V1) {
    if (pos + 8 > end) throw corrupt('truncated timestamp', 'TRUNCATED');
    timestamp = Number(buf.readBigInt64BE(pos));
    pos += 8;
    timestampType = attributes & TIMESTAMP_TYPE_BIT ? TimestampType.LogAppendTime : TimestampType.CreateTime;
  }
  const [key, afterKey] = readNullableBytes(buf, pos, end);
  const [value, afterValue] = readNullableBytes(buf, afterKey, end);
  if (afterValue !== end) throw corrupt(`message size disagrees with its content (${end - afterValue} bytes left)`);
  return {
    offset: Number(buf.readBigInt64BE(start)),
    magic: magic as 0 | 1,
    attributes,
    compression: (attributes & H.COMPRESSION_MASK) as CompressionType,
    timestampType,
    timestamp,
    key,
    value,
    crc: storedCrc,
  };
}

/** Splits a buffer into shallow legacy entries (no decompression). */
function* shallowEntries(buf: Buffer, options: LegacyDecodeOptions): Generator<LegacyMessage> {
  const verify = options.verifyCrc !== false;
  let pos = 0;
  while (pos < buf.length) {
    const remaining = buf.length - pos;
    if (remaining < H.LOG_OVERHEAD) {
      if (options.allowPartial) return;
      throw corrupt(`${remaining} trailing bytes`, 'TRUNCATED');
    }
    const size = buf.readInt32BE(pos + H.BATCH_LENGTH);
    if (size < 14) throw corrupt(`message size ${size} is below the minimum of 14`, 'BAD_LENGTH');
    if (remaining < H.LOG_OVERHEAD + size) {
      if (options.allowPartial) return;
      throw corrupt(`message of ${size} bytes cut off`, 'TRUNCATED');
    }
    const end = pos + H.LOG_OVERHEAD + size;
    yield parseEntry(buf, pos, end, verify);
    pos = end;
  }
}

/**
 * Decodes a v0/v1 message set into its messages, flattening compressed wrappers (one level, as Kafka allows) and
 * resolving inner offsets and LogAppendTime timestamps. Throws RecordBatchError (CORRUPT_MESSAGE) on bad input.
 */
export function decodeLegacyMessageSet(buf: Buffer, options: LegacyDecodeOptions = {}): LegacyMessage[] {
  const out: LegacyMessage[] = [];
  for (const wrapper of shallowEntries(buf, options)) {
    if (wrapper.compression === CompressionType.None) {
      out.push(wrapper);
      continue;
    }
    if (wrapper.compression > CompressionType.Zstd || wrapper.compression === CompressionType.Zstd) {
      // zstd needs magic v2 in Kafka, and 5..7 are not codecs.
      throw new RecordBatchError('UNSUPPORTED_COMPRESSION', `codec ${wrapper.compression} is not valid for magic ${wrapper.magic}`, KafkaErrors.UNSUPPORTED_COMPRESSION_TYPE);
    }
    if (wrapper.value === null) throw corrupt('compressed wrapper message without a value');
    const inner = decompressSync(wrapper.compression, wrapper.value, options);
    const innerMessages = [...shallowEntries(inner, { ...options, allowPartial: false })];
    if (innerMessages.length === 0) continue;
    const lastRelative = innerMessages[innerMessages.length - 1]!.offset;
    for (const m of innerMessages) {
      if (m.compression !== CompressionType.None) throw corrupt('nested compressed message');
      if (m.magic !== wrapper.magic) throw corrupt(`inner magic ${m.magic} differs from wrapper magic ${wrapper.magic}`);
      if (wrapper.magic === MAGIC_V1) {
        m.offset = wrapper.offset - lastRelative + m.offset;
        if (wrapper.timestampType === TimestampType.LogAppendTime) {
          m.timestamp = wrapper.timestamp;
          m.timestampType = TimestampType.LogAppendTime;
        }
      }
      out.push(m);
    }
  }
  return out;
}

/** True when the buffer starts with a legacy (v0/v1) entry rather than a v2 batch. */
export function isLegacyMessageSet(buf: Buffer): boolean {
  return buf.length > MAGIC_AT && buf.readInt8(MAGIC_AT) < 2;
}

/**
 * Converts decoded legacy messages to one v2 record batch (what Kafka's up-conversion does), so a broker that only
 * stores v2 could accept them. v0 messages get `now` as their timestamp.
 */
export function legacyToRecordBatch(messages: LegacyMessage[], opts: Omit<EncodeBatchOptions, 'records'> = {}): Buffer {
  const now = opts.now ?? Date.now();
  return encodeRecordBatch({
    ...opts,
    records: messages.map((m) => ({ key: m.key, value: m.value, timestamp: m.timestamp >= 0 ? m.timestamp : now })),
  });
}
