// Typed errors of the storage engine, each carrying the Kafka error code the broker should answer with.

export const StorageErrorCodes = {
  UNKNOWN_SERVER_ERROR: -1,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  NOT_LEADER_OR_FOLLOWER: 6,
  MESSAGE_TOO_LARGE: 10,
  KAFKA_STORAGE_ERROR: 56,
  INVALID_RECORD: 87,
  INCONSISTENT_CLUSTER_ID: 104,
} as const;

export class StorageError extends Error {
  override readonly name: string = 'StorageError';
  constructor(
    message: string,
    readonly kafkaErrorCode: number = StorageErrorCodes.KAFKA_STORAGE_ERROR,
  ) {
    super(message);
  }
}

/** A read or DeleteRecords outside [logStartOffset, logEndOffset] (or above the high watermark). */
export class OffsetOutOfRangeError extends StorageError {
  override readonly name = 'OffsetOutOfRangeError';
  constructor(message: string) {
    super(message, StorageErrorCodes.OFFSET_OUT_OF_RANGE);
  }
}

/** The log was closed (or deleted) while an operation was pending. */
export class LogClosedError extends StorageError {
  override readonly name = 'LogClosedError';
  constructor(what: string) {
    super(`${what}: log is closed`, StorageErrorCodes.KAFKA_STORAGE_ERROR);
  }
}
