// Small shared value types of the client API.

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** For commits: the next offset to read (last processed + 1), as in Java's OffsetAndMetadata. */
  offset: number;
  metadata?: string | null;
  leaderEpoch?: number;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
