// Typed errors thrown by the client. Broker-reported failures carry Kafka's numeric error code and name so callers
// can branch on them exactly as they would with the Java client (`e.name === 'NOT_LEADER_OR_FOLLOWER'`).

export class KafkaClientError extends Error {
  /** Whether retrying the same operation may succeed. */
  readonly retriable: boolean;
  constructor(message: string, retriable = false, options?: { cause?: unknown }) {
    super(message, options);
    this.retriable = retriable;
  }
}

/** An error code returned by the broker. `name` is Kafka's error name, `code` its numeric code. */
export class KafkaError extends KafkaClientError {
  readonly code: number;
  override readonly name: string;
  /** The broker's own error message (e.g. CreateTopics' ErrorMessage), when it sent one. */
  readonly brokerMessage?: string;
  constructor(code: number, name: string, retriable: boolean, message?: string) {
    super(message ? `${name}: ${message}` : name, retriable);
    this.code = code;
    this.name = name;
    if (message) this.brokerMessage = message;
  }
}

/** A deadline passed (max.block.ms, request.timeout.ms, delivery.timeout.ms, default.api.timeout.ms). */
export class TimeoutError extends KafkaClientError {
  override readonly name: string = 'TimeoutError';
  constructor(message: string) {
    super(message, true);
  }
}

/** The record (serialized) is larger than max.request.size or buffer.memory: retrying cannot help. */
export class RecordTooLargeError extends KafkaClientError {
  override readonly name = 'RecordTooLargeError';
  constructor(message: string) {
    super(message, false);
  }
}

/** buffer.memory stayed full for longer than max.block.ms. */
export class BufferExhaustedError extends TimeoutError {
  override readonly name: string = 'BufferExhaustedError';
}

/** The broker lacks an API the operation needs (e.g. transactions). */
export class UnsupportedFeatureError extends KafkaClientError {
  override readonly name = 'UnsupportedFeatureError';
}

/** Invalid configuration or argument. */
export class ConfigError extends KafkaClientError {
  override readonly name = 'ConfigError';
}

/** The connection to a broker failed or was closed while requests were in flight. */
export class ConnectionError extends KafkaClientError {
  override readonly name = 'ConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, true, options);
  }
}

/** The client was closed. */
export class ClosedError extends KafkaClientError {
  override readonly name = 'ClosedError';
}
