// Kafka's on-disk names: partition directories `<topic>-<partition>`, segment files named by their base offset in
// 20 zero-padded digits, plus suffixes for files in transition (.cleaned, .swap, .deleted).

export const LOG_SUFFIX = '.log';
export const INDEX_SUFFIX = '.index';
export const TIME_INDEX_SUFFIX = '.timeindex';
export const TXN_INDEX_SUFFIX = '.txnindex';
export const SNAPSHOT_SUFFIX = '.snapshot';
export const DELETED_SUFFIX = '.deleted';
export const CLEANED_SUFFIX = '.cleaned';
export const SWAP_SUFFIX = '.swap';

export const META_PROPERTIES = 'meta.properties';
export const RECOVERY_POINT_CHECKPOINT = 'recovery-point-offset-checkpoint';
export const REPLICATION_CHECKPOINT = 'replication-offset-checkpoint';
export const LOG_START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
export const CLEANER_CHECKPOINT = 'cleaner-offset-checkpoint';
export const CLEAN_SHUTDOWN_FILE = '.kafka_cleanshutdown';
export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';
export const PARTITION_METADATA = 'partition.metadata';

/** 20-digit zero-padded decimal, as Kafka names segments and snapshots. */
export function offsetFileName(offset: number, suffix: string): string {
  return String(offset).padStart(20, '0') + suffix;
}

/** Base offset of a file named like `00000000000000000042.log` (any of our suffixes), or null. */
export function parseOffsetFileName(name: string, suffix: string): number | null {
  if (!name.endsWith(suffix)) return null;
  const stem = name.slice(0, name.length - suffix.length);
  if (!/^\d{20}$/.test(stem)) return null;
  const n = Number(stem);
  return Number.isSafeInteger(n) ? n : null;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export function partitionDirName(tp: TopicPartition): string {
  return `${tp.topic}-${tp.partition}`;
}

/** `<topic>-<partition>` → parts (topics may contain '-'; the partition is after the last one). */
export function parsePartitionDirName(name: string): TopicPartition | null {
  const i = name.lastIndexOf('-');
  if (i <= 0) return null;
  const p = name.slice(i + 1);
  if (!/^\d+$/.test(p)) return null;
  const topic = name.slice(0, i);
  if (!/^[a-zA-Z0-9._-]+$/.test(topic)) return null;
  return { topic, partition: Number(p) };
}

export const tpKey = (tp: TopicPartition): string => `${tp.topic}-${tp.partition}`;
