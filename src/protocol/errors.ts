// Typed errors for the wire-protocol layer. Decoders only ever throw ProtocolError for bad input, so a
// caller (the broker's connection loop) can map any decode failure to one Kafka error / a closed connection
// without catching unrelated bugs.

export type ProtocolErrorCode =
  /** The input ended before a complete value could be read. */
  | 'TRUNCATED'
  /** A length or count was negative where only -1 (null) or a non-negative value is allowed. */
  | 'NEGATIVE_LENGTH'
  /** A varint ran longer than 5 bytes (int32) or 10 bytes (int64), or overflowed its range. */
  | 'BAD_VARINT'
  /** An array count cannot possibly fit in the bytes that remain. */
  | 'ARRAY_TOO_LARGE'
  /** A null was found (or given) where the field is not nullable in this version. */
  | 'NULL_NOT_ALLOWED'
  /** A uuid value was not 16 bytes / 22 base64url characters. */
  | 'BAD_UUID'
  /** A tagged field's declared size did not match what its value occupied. */
  | 'BAD_TAGGED_FIELD'
  /** The version asked for is not one of the message's valid versions. */
  | 'UNSUPPORTED_VERSION'
  /** The API key is not known. */
  | 'UNKNOWN_API_KEY'
  /** A non-ignorable field was set to a non-default value in a version that cannot carry it. */
  | 'UNSUPPORTED_FIELD'
  /** A frame was larger than allowed, or bytes were left over after a complete message. */
  | 'BAD_FRAME'
  /** A value given to an encoder is out of range for its wire type. */
  | 'VALUE_OUT_OF_RANGE';

export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string) {
    super(message);
    this.name = 'ProtocolError';
    this.code = code;
  }
}

export function isProtocolError(e: unknown): e is ProtocolError {
  return e instanceof ProtocolError;
}
