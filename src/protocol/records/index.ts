// Public surface of the records layer (see docs/records.md). Modules can also be imported one by one.
export * as BatchHeader from './batch-header.js';
export { crc32c, crc32cJs, crc32cImplementation } from './crc32c.js';
export { crc32, crc32Js } from './crc32.js';
export {
  RecordBatchView,
  iterateBatches,
  splitBatches,
  incrementSequence,
  MIN_BATCH_LENGTH,
  type IterateBatchesOptions,
  type IterateBatchesResult,
} from './batch-view.js';
export {
  encodeRecordBatch,
  encodeRecordBatchAsync,
  decodeRecordBatch,
  decodeRecordBatchAsync,
  decodeRecords,
  batchRecordsBytes,
  type Record,
  type RecordHeader,
  type DecodedRecord,
  type DecodedBatch,
  type RecordInput,
  type EncodeBatchOptions,
  type DecodeBatchOptions,
} from './record-batch.js';
export {
  ControlRecordType,
  encodeControlBatch,
  encodeControlKey,
  encodeEndTxnMarkerValue,
  decodeControlRecord,
  decodeControlBatch,
  controlRecordType,
  type ControlRecord,
  type EndTxnMarkerOptions,
} from './control-records.js';
export {
  validateProduceRecords,
  validateProduceRecordsAsync,
  stampBatchForAppend,
  DEFAULT_MAX_MESSAGE_BYTES,
  type ProduceValidationOptions,
  type ProduceValidationResult,
  type RecordError,
  type StampOptions,
} from './validate.js';
export { decodeLegacyMessageSet, isLegacyMessageSet, legacyToRecordBatch, type LegacyMessage, type LegacyDecodeOptions } from './legacy.js';
export { RecordBatchError, KafkaErrors, type RecordErrorCode } from './errors.js';
export { TimestampType, MAGIC_V0, MAGIC_V1, MAGIC_V2 } from './types.js';
