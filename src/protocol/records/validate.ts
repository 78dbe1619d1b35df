// Broker-side validation of the records a client sends for one partition in a Produce request, following Kafka's
// ProduceRequest.validateRecords + UnifiedLog.analyzeAndValidateRecords + LogValidator, and answering with the
// same error codes. Nothing is copied or modified: on success the caller gets a zero-copy view of the single batch.
// The broker's log (PartitionLog.append) stamps offsets, leader epoch and LogAppendTime itself through the view;
// stampBatchForAppend is the same stamping for callers outside the log, and also rewrites a wrong client
// maxTimestamp (which the log does not do yet).
//
// Records are walked (not materialised) to check their structure and count; compressed batches are decompressed once
// for that (as Kafka does), bounded by maxDecompressedBytes. Use validateProduceRecordsAsync to decompress
// gzip/snappy off the event loop.
import { RecordBatchView, iterateBatches } from './batch-view.js';
import { KafkaErrors, RecordBatchError } from './errors.js';
import { MAGIC_V2, TimestampType } from './types.js';
import { readVarlongNumber } from './varlong.js';
import { Reader } from '../primitives/reader.js';
import { ProtocolError } from '../errors.js';
import { CompressionType } from '../compression/types.js';
import { decompress, decompressSync, DEFAULT_MAX_DECOMPRESSED_BYTES } from '../compression/index.js';

/** Kafka's default max.message.bytes (1 MiB + record batch overhead). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1048588;

export interface ProduceValidationOptions {
  /** Produce request version: v3+ requires exactly one magic v2 batch; zstd needs v7+. */
  produceVersion: number;
  /** Topic max.message.bytes (default 1048588). */
  maxMessageBytes?: number;
  /** Topic segment.bytes: a record set larger than a segment fails with RECORD_LIST_TOO_LARGE. */
  segmentBytes?: number;
  /** cleanup.policy includes compact: every record needs a key. */
  compacted?: boolean;
  /** Topic message.timestamp.type (default CreateTime). */
  timestampType?: TimestampType.CreateTime | TimestampType.LogAppendTime;
  /** message.timestamp.before.max.ms / after.max.ms (CreateTime topics only; default unlimited). */
  timestampBeforeMaxMs?: number;
  timestampAfterMaxMs?: number;
  /** Clock for timestamp checks (default Date.now()). */
  now?: number;
  /** Bound on a compressed batch's decompressed size (default 256 MiB). */
  maxDecompressedBytes?: number;
  /**
   * Who appends: 'client' (a Produce request; the default) gets every check; 'coordinator' (group/transaction
   * coordinators writing their internal topics and markers) may write control batches.
   */
  origin?: 'client' | 'coordinator';
}

export interface RecordError {
  /** Index of the failing record in the batch. */
  batchIndex: number;
  message: string | null;
}

export interface ProduceValidationResult {
  /** Kafka error code: 0 on success. */
  errorCode: number;
  errorMessage: string | null;
  /** Per-record failures (INVALID_RECORD for missing keys on compacted topics, INVALID_TIMESTAMP). */
  recordErrors: RecordError[];
  /** The validated batch (a view over the input), when errorCode is 0. */
  batch: RecordBatchView | null;
  recordCount: number;
  /** Largest record timestamp (CreateTime), -1 if none; what the batch's maxTimestamp must say. */
  maxTimestamp: number;
  /** Offset delta of the record holding maxTimestamp. */
  offsetDeltaOfMaxTimestamp: number;
  /** Bytes of a partial trailing batch that were ignored (Kafka trims them too). */
  trailingBytesIgnored: number;
}

function failure(errorCode: number, errorMessage: string, recordErrors: RecordError[] = []): ProduceValidationResult {
  return {
    errorCode,
    errorMessage,
    recordErrors,
    batch: null,
    recordCount: 0,
    maxTimestamp: -1,
    offsetDeltaOfMaxTimestamp: -1,
    trailingBytesIgnored: 0,
  };
}

function fromError(e: unknown): ProduceValidationResult {
  if (e instanceof RecordBatchError) return failure(e.kafkaErrorCode, e.message);
  if (e instanceof ProtocolError) return failure(KafkaErrors.INVALID_RECORD, `malformed record: ${e.message}`);
  throw e;
}

interface HeaderChecked {
  view: RecordBatchView;
  trailing: number;
}

/** Every check that needs only the batch header; returns a failure result or the batch to walk. */
function checkHeader(records: Buffer, opts: ProduceValidationOptions): ProduceValidationResult | HeaderChecked {
  const origin = opts.origin ?? 'client';
  const views: RecordBatchView[] = [];
  let trailing = 0;
  try {
    const it = iterateBatches(records, { allowPartial: true });
    for (;;) {
      const n = it.next();
      if (n.done) {
        trailing = n.value.partialBytes;
        break;
      }
      views.push(n.value);
      if (views.length > 1) break; // one is all we accept; no need to scan further
    }
  } catch (e) {
    return fromError(e);
  }
  const first = views[0];
  if (first === undefined) {
    return failure(KafkaErrors.INVALID_RECORD, `Produce requests with version ${opts.produceVersion} must have at least one record batch per partition`);
  }
  if (first.magic !== MAGIC_V2) {
    // Produce v3+ may only carry magic 2 (Kafka: InvalidRecordException). Older requests with v0/v1 message sets
    // would need Kafka's down/up-conversion, which Gregor does not do.
    if (opts.produceVersion >= 3) {
      return failure(KafkaErrors.INVALID_RECORD, `Produce requests with version ${opts.produceVersion} are only allowed to contain record batches with magic version 2`);
    }
    return failure(KafkaErrors.UNSUPPORTED_FOR_MESSAGE_FORMAT, `message format v${first.magic} is not supported; use a client that writes record batches (magic 2)`);
  }
  const codec = first.compression;
  if (codec > CompressionType.Zstd) return failure(KafkaErrors.UNSUPPORTED_COMPRESSION_TYPE, `Unknown compression type id: ${codec}`);
  if (codec === CompressionType.Zstd && opts.produceVersion < 7) {
    return failure(KafkaErrors.UNSUPPORTED_COMPRESSION_TYPE, `Produce requests with version ${opts.produceVersion} are not allowed to use ZStandard compression`);
  }
  if (views.length > 1) {
    return failure(KafkaErrors.INVALID_RECORD, `Produce requests with version ${opts.produceVersion} are only allowed to contain exactly one record batch per partition`);
  }
  if (origin === 'client' && first.baseOffset !== 0) {
    return failure(KafkaErrors.INVALID_RECORD, `The baseOffset of the record batch in the append should be 0, but it is ${first.baseOffset}`);
  }
  const maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (first.sizeInBytes > maxMessageBytes) {
    return failure(KafkaErrors.MESSAGE_TOO_LARGE, `The record batch size in the append is ${first.sizeInBytes} bytes which exceeds the maximum configured value of ${maxMessageBytes}.`);
  }
  if (opts.segmentBytes !== undefined && first.sizeInBytes > opts.segmentBytes) {
    return failure(KafkaErrors.RECORD_LIST_TOO_LARGE, `Message batch size is ${first.sizeInBytes} bytes which exceeds the maximum configured segment size of ${opts.segmentBytes}.`);
  }
  if (!first.isCrcValid()) {
    return failure(KafkaErrors.CORRUPT_MESSAGE, `Record batch is corrupt (stored crc = ${first.crc}, computed crc = ${first.computeCrc()})`);
  }
  if (origin === 'client') {
    const count = first.recordCount;
    const countFromOffsets = first.lastOffsetDelta + 1;
    if (countFromOffsets <= 0) return failure(KafkaErrors.INVALID_RECORD, `Batch has an invalid offset range: [${first.baseOffset}, ${first.lastOffset}]`);
    if (count <= 0) return failure(KafkaErrors.INVALID_RECORD, `Invalid reported count for record batch: ${count}`);
    if (count !== countFromOffsets) {
      return failure(KafkaErrors.INVALID_RECORD, `Inconsistent batch offset range [${first.baseOffset}, ${first.lastOffset}] and count of records ${count}`);
    }
    if (first.isControl) return failure(KafkaErrors.INVALID_RECORD, 'Clients are not allowed to write control records');
    if (first.hasProducerId && first.baseSequence < 0) {
      return failure(KafkaErrors.INVALID_RECORD, `Invalid sequence number ${first.baseSequence} in record batch with producerId ${first.producerId}`);
    }
  }
  return { view: first, trailing };
}

function skipNullable(r: Reader, what: string): boolean {
  const len = r.readVarint();
  if (len < -1) throw new RecordBatchError('BAD_RECORD', `invalid ${what} length ${len}`, KafkaErrors.INVALID_RECORD);
  if (len > 0) r.skip(len);
  return len >= 0;
}

/** Walks the records without materialising them: structure, count, offsets, keys, timestamps. */
function walkRecords(view: RecordBatchView, body: Buffer, opts: ProduceValidationOptions, trailing: number): ProduceValidationResult {
  const count = view.recordCount;
  const baseTimestamp = view.baseTimestamp;
  const now = opts.now ?? Date.now();
  const topicTimestampType = opts.timestampType ?? TimestampType.CreateTime;
  const before = opts.timestampBeforeMaxMs ?? Infinity;
  const after = opts.timestampAfterMaxMs ?? Infinity;
  const checkTimes = topicTimestampType === TimestampType.CreateTime && (before !== Infinity || after !== Infinity);
  const recordErrors: RecordError[] = [];
  let timestampErrors = false;
  let maxTimestamp = -1;
  let offsetDeltaOfMax = -1;
  if (count > body.length / 7) {
    return failure(KafkaErrors.INVALID_RECORD, `Batch declares ${count} records, more than its ${body.length} bytes can hold`);
  }
  const r = new Reader(body);
  for (let i = 0; i < count; i++) {
    if (r.remaining() === 0) return failure(KafkaErrors.INVALID_RECORD, 'Incorrect declared batch size, premature EOF reached');
    const size = r.readVarint();
    if (size < 0) throw new RecordBatchError('BAD_RECORD', `invalid record size ${size}`, KafkaErrors.INVALID_RECORD);
    r.ensure(size);
    const end = r.offset + size;
    r.skip(1); // attributes
    const timestamp = baseTimestamp + readVarlongNumber(r);
    const offsetDelta = r.readVarint();
    if (offsetDelta !== i) {
      // Kafka rebuilds such batches ("some older clients"); Gregor appends batches as sent, so it refuses them.
      return failure(KafkaErrors.INVALID_RECORD, `Record ${i} has offset delta ${offsetDelta}; expected consecutive deltas from 0`);
    }
    const hasKey = skipNullable(r, 'key');
    skipNullable(r, 'value');
    const headers = r.readVarint();
    if (headers < 0) throw new RecordBatchError('BAD_RECORD', `invalid header count ${headers}`, KafkaErrors.INVALID_RECORD);
    if (headers * 2 > end - r.offset) throw new RecordBatchError('BAD_RECORD', `header count ${headers} cannot fit in the record`, KafkaErrors.INVALID_RECORD);
    for (let h = 0; h < headers; h++) {
      const klen = r.readVarint();
      if (klen < 0) throw new RecordBatchError('BAD_RECORD', 'null header key', KafkaErrors.INVALID_RECORD);
      r.skip(klen);
      skipNullable(r, 'header value');
    }
    if (r.offset !== end) {
      return failure(KafkaErrors.INVALID_RECORD, `Invalid record size: expected to read ${size} bytes in record payload, but instead read ${size - (end - r.offset)}`);
    }
    if (opts.compacted && !hasKey) {
      recordErrors.push({ batchIndex: i, message: 'Compacted topic cannot accept message without key' });
    } else if (checkTimes && timestamp !== -1 && (now - timestamp > before || timestamp - now > after)) {
      timestampErrors = true;
      recordErrors.push({ batchIndex: i, message: `Timestamp ${timestamp} of message with offset ${i} is out of range` });
    } else if (view.timestampType === TimestampType.LogAppendTime) {
      timestampErrors = true;
      recordErrors.push({ batchIndex: i, message: 'Producer should not set timestamp type to LogAppendTime' });
    }
    if (timestamp > maxTimestamp) {
      maxTimestamp = timestamp;
      offsetDeltaOfMax = i;
    }
  }
  if (r.remaining() !== 0) return failure(KafkaErrors.INVALID_RECORD, 'Incorrect declared batch size, records still remaining in file');
  if (recordErrors.length > 0) {
    return timestampErrors
      ? failure(KafkaErrors.INVALID_TIMESTAMP, 'One or more records have been rejected due to invalid timestamp', recordErrors)
      : failure(KafkaErrors.INVALID_RECORD, 'One or more records have been rejected', recordErrors);
  }
  return {
    errorCode: KafkaErrors.NONE,
    errorMessage: null,
    recordErrors,
    batch: view,
    recordCount: count,
    maxTimestamp,
    offsetDeltaOfMaxTimestamp: offsetDeltaOfMax,
    trailingBytesIgnored: trailing,
  };
}

function walkSafely(view: RecordBatchView, body: Buffer, opts: ProduceValidationOptions, trailing: number): ProduceValidationResult {
  try {
    return walkRecords(view, body, opts, trailing);
  } catch (e) {
    return fromError(e);
  }
}

/** Validates one partition's records of a Produce request (synchronous; decompresses on this thread). */
export function validateProduceRecords(records: Buffer, opts: ProduceValidationOptions): ProduceValidationResult {
  const checked = checkHeader(records, opts);
  if (!('view' in checked)) return checked;
  const { view, trailing } = checked;
  let body: Buffer;
  try {
    body = view.compression === CompressionType.None ? view.recordsBytes : decompressSync(view.compression, view.recordsBytes, { maxOutputBytes: opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES });
  } catch (e) {
    return fromError(e);
  }
  return walkSafely(view, body, opts, trailing);
}

/** Same checks, decompressing gzip/snappy on the thread pool. */
export async function validateProduceRecordsAsync(records: Buffer, opts: ProduceValidationOptions): Promise<ProduceValidationResult> {
  const checked = checkHeader(records, opts);
  if (!('view' in checked)) return checked;
  const { view, trailing } = checked;
  let body: Buffer;
  try {
    body = view.compression === CompressionType.None ? view.recordsBytes : await decompress(view.compression, view.recordsBytes, { maxOutputBytes: opts.maxDecompressedBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES });
  } catch (e) {
    return fromError(e);
  }
  return walkSafely(view, body, opts, trailing);
}

export interface StampOptions {
  baseOffset: number | bigint;
  partitionLeaderEpoch: number;
  /** Topic timestamp type; LogAppendTime overwrites maxTimestamp with logAppendTime. */
  timestampType?: TimestampType.CreateTime | TimestampType.LogAppendTime;
  logAppendTime?: number;
  /** For CreateTime: the max record timestamp found by validation (Kafka rewrites the header to it). */
  maxTimestamp?: number;
}

/**
 * Prepares a validated batch for the log in place: assigns baseOffset and the leader epoch (outside the CRC) and,
 * when they change, the timestamp type / maxTimestamp (inside it), recomputing the CRC at most once.
 */
export function stampBatchForAppend(view: RecordBatchView, opts: StampOptions): void {
  view.setBaseOffset(opts.baseOffset);
  view.setPartitionLeaderEpoch(opts.partitionLeaderEpoch);
  if (opts.timestampType === TimestampType.LogAppendTime) {
    view.setLogAppendTime(opts.logAppendTime ?? Date.now());
  } else if (opts.maxTimestamp !== undefined && (view.maxTimestamp !== opts.maxTimestamp || view.timestampType !== TimestampType.CreateTime)) {
    view.setCreateTimeMax(opts.maxTimestamp);
  }
}
