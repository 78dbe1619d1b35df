// Per-log configuration with Kafka's topic config names (camelCased) and defaults. `logConfigFromProperties` reads
// either topic-level names (`segment.bytes`) or broker-level defaults (`log.segment.bytes`, `log.roll.hours`, ...),
// topic-level winning, exactly as Kafka resolves a topic's effective config.

/** Kafka's Long.MAX_VALUE as used for "never" defaults, clamped to what a JS number represents exactly. */
export const NEVER = Number.MAX_SAFE_INTEGER;

export type CleanupPolicy = 'delete' | 'compact' | 'compact,delete';
export type TimestampTypeName = 'CreateTime' | 'LogAppendTime';

export interface LogConfig {
  /** segment.bytes: roll the active segment when appending would make it larger. */
  segmentBytes: number;
  /** segment.ms: roll when the active segment's first batch is older than this. */
  segmentMs: number;
  /** segment.jitter.ms: random amount subtracted from segment.ms per segment, to spread rolls. */
  segmentJitterMs: number;
  /** segment.index.bytes: maximum size of a segment's .index (and .timeindex); a full index rolls the segment. */
  segmentIndexBytes: number;
  /** index.interval.bytes: bytes of log between two offset-index entries. */
  indexIntervalBytes: number;
  /** retention.ms (-1 = keep forever), judged on each segment's largest timestamp. */
  retentionMs: number;
  /** retention.bytes (-1 = unlimited). */
  retentionBytes: number;
  cleanupPolicy: CleanupPolicy;
  /** delete.retention.ms: how long the cleaner keeps tombstones after first cleaning them. */
  deleteRetentionMs: number;
  minCleanableDirtyRatio: number;
  minCompactionLagMs: number;
  maxCompactionLagMs: number;
  /** file.delete.delay.ms: how long a `.deleted` segment lingers before it is unlinked. */
  fileDeleteDelayMs: number;
  /** flush.messages: fsync after this many appended messages. */
  flushMessages: number;
  /** flush.ms: fsync when the last flush is older than this (checked by the LogManager's flusher). */
  flushMs: number;
  messageTimestampType: TimestampTypeName;
  /** max.message.bytes: largest batch accepted by append. */
  maxMessageBytes: number;
  /** Gregor extension (topic `flush.before.ack`, broker `log.flush.before.ack`): fdatasync before an append resolves, shared by concurrent appends. */
  fsyncBeforeAck: boolean;
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = Object.freeze({
  segmentBytes: 1073741824,
  segmentMs: 604800000,
  segmentJitterMs: 0,
  segmentIndexBytes: 10485760,
  indexIntervalBytes: 4096,
  retentionMs: 604800000,
  retentionBytes: -1,
  cleanupPolicy: 'delete',
  deleteRetentionMs: 86400000,
  minCleanableDirtyRatio: 0.5,
  minCompactionLagMs: 0,
  maxCompactionLagMs: NEVER,
  fileDeleteDelayMs: 60000,
  flushMessages: NEVER,
  flushMs: NEVER,
  messageTimestampType: 'CreateTime',
  maxMessageBytes: 1048588,
  fsyncBeforeAck: false,
});

export function makeLogConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  const c: LogConfig = { ...DEFAULT_LOG_CONFIG, ...overrides };
  validateLogConfig(c);
  return c;
}

export class InvalidConfigError extends Error {
  override readonly name = 'InvalidConfigError';
  /** Kafka's INVALID_CONFIG. */
  readonly kafkaErrorCode = 40;
}

function validateLogConfig(c: LogConfig): void {
  const atLeast = (name: string, v: number, min: number): void => {
    if (!Number.isFinite(v) || v < min) throw new InvalidConfigError(`${name} must be >= ${min}, got ${v}`);
  };
  atLeast('segment.bytes', c.segmentBytes, 14);
  atLeast('segment.ms', c.segmentMs, 1);
  atLeast('segment.jitter.ms', c.segmentJitterMs, 0);
  atLeast('segment.index.bytes', c.segmentIndexBytes, 8);
  atLeast('index.interval.bytes', c.indexIntervalBytes, 0);
  atLeast('retention.ms', c.retentionMs, -1);
  atLeast('retention.bytes', c.retentionBytes, -1);
  atLeast('delete.retention.ms', c.deleteRetentionMs, 0);
  atLeast('file.delete.delay.ms', c.fileDeleteDelayMs, 0);
  atLeast('flush.messages', c.flushMessages, 1);
  atLeast('flush.ms', c.flushMs, 0);
  atLeast('max.message.bytes', c.maxMessageBytes, 0);
  if (!(c.minCleanableDirtyRatio >= 0 && c.minCleanableDirtyRatio <= 1)) {
    throw new InvalidConfigError(`min.cleanable.dirty.ratio must be in [0,1], got ${c.minCleanableDirtyRatio}`);
  }
  if (!['delete', 'compact', 'compact,delete'].includes(c.cleanupPolicy)) {
    throw new InvalidConfigError(`cleanup.policy must be delete, compact or compact,delete, got ${c.cleanupPolicy}`);
  }
  if (c.messageTimestampType !== 'CreateTime' && c.messageTimestampType !== 'LogAppendTime') {
    throw new InvalidConfigError(`message.timestamp.type must be CreateTime or LogAppendTime`);
  }
}

export const isCompacted = (c: LogConfig): boolean => c.cleanupPolicy.includes('compact');
export const isDeleteRetention = (c: LogConfig): boolean => c.cleanupPolicy.includes('delete');

type NumericKey = { [K in keyof LogConfig]: LogConfig[K] extends number ? K : never }[keyof LogConfig];

/** Topic-level name → (field, broker-level names in precedence order, unit multiplier for each broker name). */
const NUMERIC_PROPS: { topic: string; field: NumericKey; broker: [string, number][] }[] = [
  { topic: 'segment.bytes', field: 'segmentBytes', broker: [['log.segment.bytes', 1]] },
  { topic: 'segment.ms', field: 'segmentMs', broker: [['log.roll.ms', 1], ['log.roll.hours', 3600000]] },
  { topic: 'segment.jitter.ms', field: 'segmentJitterMs', broker: [['log.roll.jitter.ms', 1], ['log.roll.jitter.hours', 3600000]] },
  { topic: 'segment.index.bytes', field: 'segmentIndexBytes', broker: [['log.index.size.max.bytes', 1]] },
  { topic: 'index.interval.bytes', field: 'indexIntervalBytes', broker: [['log.index.interval.bytes', 1]] },
  {
    topic: 'retention.ms',
    field: 'retentionMs',
    broker: [['log.retention.ms', 1], ['log.retention.minutes', 60000], ['log.retention.hours', 3600000]],
  },
  { topic: 'retention.bytes', field: 'retentionBytes', broker: [['log.retention.bytes', 1]] },
  { topic: 'delete.retention.ms', field: 'deleteRetentionMs', broker: [['log.cleaner.delete.retention.ms', 1]] },
  { topic: 'min.cleanable.dirty.ratio', field: 'minCleanableDirtyRatio', broker: [['log.cleaner.min.cleanable.ratio', 1]] },
  { topic: 'min.compaction.lag.ms', field: 'minCompactionLagMs', broker: [['log.cleaner.min.compaction.lag.ms', 1]] },
  { topic: 'max.compaction.lag.ms', field: 'maxCompactionLagMs', broker: [['log.cleaner.max.compaction.lag.ms', 1]] },
  { topic: 'file.delete.delay.ms', field: 'fileDeleteDelayMs', broker: [['log.segment.delete.delay.ms', 1]] },
  { topic: 'flush.messages', field: 'flushMessages', broker: [['log.flush.interval.messages', 1]] },
  { topic: 'flush.ms', field: 'flushMs', broker: [['log.flush.interval.ms', 1]] },
  { topic: 'max.message.bytes', field: 'maxMessageBytes', broker: [['message.max.bytes', 1]] },
];

function parseNumber(name: string, raw: string): number {
  const v = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(v)) throw new InvalidConfigError(`${name}: not a number: ${raw}`);
  // Kafka's Long.MAX_VALUE and friends become "never".
  return v > NEVER ? NEVER : v;
}

/**
 * Effective LogConfig from string properties. `topicProps` holds topic-level overrides (`retention.ms`),
 * `brokerProps` the broker's server.properties (`log.retention.hours`).
 */
export function logConfigFromProperties(
  topicProps: Readonly<Record<string, string>> = {},
  brokerProps: Readonly<Record<string, string>> = {},
): LogConfig {
  const c: LogConfig = { ...DEFAULT_LOG_CONFIG };
  for (const p of NUMERIC_PROPS) {
    const t = topicProps[p.topic];
    if (t !== undefined) {
      c[p.field] = parseNumber(p.topic, t);
      continue;
    }
    for (const [name, mult] of p.broker) {
      const b = brokerProps[name];
      if (b !== undefined) {
        c[p.field] = parseNumber(name, b) * mult;
        break;
      }
    }
  }
  const policy = topicProps['cleanup.policy'] ?? brokerProps['log.cleanup.policy'];
  if (policy !== undefined) {
    const parts = policy.split(',').map((s) => s.trim()).filter(Boolean).sort();
    c.cleanupPolicy = parts.join(',') as CleanupPolicy;
  }
  const tsType = topicProps['message.timestamp.type'] ?? brokerProps['log.message.timestamp.type'];
  if (tsType !== undefined) c.messageTimestampType = tsType.trim() as TimestampTypeName;
  const fsync = topicProps['flush.before.ack'] ?? brokerProps['log.flush.before.ack'];
  if (fsync !== undefined) c.fsyncBeforeAck = fsync.trim() === 'true';
  validateLogConfig(c);
  return c;
}
