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

/**
 * `items` grouped by `keyOf` (keys in first-seen order, items in input order), each mapped through `valueOf`:
 * the per-broker and per-topic grouping every request that lists topics and partitions needs.
 */
export function groupBy<T, K, V = T>(items: Iterable<T>, keyOf: (item: T) => K, valueOf?: (item: T) => V): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const item of items) {
    const k = keyOf(item);
    const v = valueOf ? valueOf(item) : (item as unknown as V);
    const list = groups.get(k);
    if (list) list.push(v);
    else groups.set(k, [v]);
  }
  return groups;
}
