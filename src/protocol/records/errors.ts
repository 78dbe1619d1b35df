// Typed errors for record batch / message set parsing. Each carries a stable string `code` (what went wrong, for
// tests and logs) and the Kafka error code a broker should answer with (CORRUPT_MESSAGE unless more specific).

/** Kafka error codes used by the records layer (numbers and names as in Kafka's Errors enum). */
export const KafkaErrors = {
  NONE: 0,
  CORRUPT_MESSAGE: 2,
  MESSAGE_TOO_LARGE: 10,
  RECORD_LIST_TOO_LARGE: 18,
  INVALID_REQUIRED_ACKS: 21,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  INVALID_PRODUCER_EPOCH: 47,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
} as const;

export type RecordErrorCode =
  | 'TRUNCATED' // bytes end before a length says they should
  | 'PARTIAL_BATCH' // a trailing batch is incomplete (normal at the end of a fetch response)
  | 'BAD_LENGTH' // a length field is negative or smaller than the fixed part it must contain
  | 'BAD_MAGIC' // unknown magic byte
  | 'BAD_CRC' // checksum mismatch
  | 'BAD_VARINT' // varint longer than allowed
  | 'BAD_RECORD' // record's own length disagrees with its content, or trailing bytes after records
  | 'RECORD_COUNT_MISMATCH' // header recordCount differs from the records actually present
  | 'UNSUPPORTED_COMPRESSION' // codec id 5..7
  | 'DECOMPRESSION_FAILED' // codec library rejected the data
  | 'TOO_LARGE' // a size limit was exceeded (e.g. decompressed size)
  | 'UNSUPPORTED'; // valid Kafka data that Gregor deliberately does not handle

export class RecordBatchError extends Error {
  override readonly name = 'RecordBatchError';
  constructor(
    readonly code: RecordErrorCode,
    message: string,
    readonly kafkaErrorCode: number = KafkaErrors.CORRUPT_MESSAGE,
  ) {
    super(message);
  }
}
