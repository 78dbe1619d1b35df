// Public surface of the storage engine.
export { PartitionLog, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from './partition-log.js';
export type { AppendInfo, AppendOptions, LogReadResult, PartitionLogOptions, TimestampAndOffset } from './partition-log.js';
export { LogManager, type LogManagerOptions } from './log-manager.js';
export { LogCleaner, type CleanStats, type DirtyInfo } from './cleaner.js';
export { DEFAULT_LOG_CONFIG, logConfigFromProperties, makeLogConfig, NEVER, type LogConfig, type CleanupPolicy } from './log-config.js';
export { ManualClock, systemClock, type Clock } from './clock.js';
export { StorageError, OffsetOutOfRangeError, LogClosedError, StorageErrorCodes } from './errors.js';
export { ProducerStateManager, type ProducerStateEntry, type BatchMetadata, type AbortedTxn } from './producer-state.js';
export { TxnIndex } from './txn-index.js';
export { LeaderEpochCache } from './leader-epoch-cache.js';
export { FilePool } from './file-pool.js';
export { LogSegment } from './segment.js';
export { OffsetIndex, TimeIndex } from './index-file.js';
export * from './file-names.js';
