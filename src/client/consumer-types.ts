// The consumer's public value types: records, what poll() returns, listener/interceptor/option shapes.
import type { Header, Deserializer } from './serdes.js';
import type { Assignor } from './assignors.js';
import { tpKey, type TopicPartition, type TopicPartitionOffset } from './types.js';

export interface ConsumerRecord<K, V> {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: K | null;
  value: V | null;
  headers: Header[];
  leaderEpoch: number;
  serializedKeySize: number;
  serializedValueSize: number;
}

/** What poll() returns: iterable over all records, grouped by partition. */
export class ConsumerRecords<K, V> implements Iterable<ConsumerRecord<K, V>> {
  constructor(private readonly byPartition: Map<string, ConsumerRecord<K, V>[]>) {}
  get count(): number {
    let n = 0;
    for (const a of this.byPartition.values()) n += a.length;
    return n;
  }
  get isEmpty(): boolean {
    return this.count === 0;
  }
  partitions(): TopicPartition[] {
    return [...this.byPartition.values()].filter((a) => a.length > 0).map((a) => ({ topic: a[0]!.topic, partition: a[0]!.partition }));
  }
  records(tp: TopicPartition): ConsumerRecord<K, V>[] {
    return this.byPartition.get(tpKey(tp.topic, tp.partition)) ?? [];
  }
  *[Symbol.iterator](): Iterator<ConsumerRecord<K, V>> {
    for (const a of this.byPartition.values()) yield* a;
  }
}

export interface ConsumerRebalanceListener {
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>;
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>;
  /** Partitions lost without a chance to commit (session expired); defaults to onPartitionsRevoked. */
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>;
}

export interface ConsumerInterceptor<K, V> {
  onConsume?(records: ConsumerRecords<K, V>): ConsumerRecords<K, V>;
  onCommit?(offsets: TopicPartitionOffset[]): void;
  close?(): void;
}

export type OffsetCommitCallback = (err: Error | null, offsets: TopicPartitionOffset[]) => void;

export interface ConsumerOptions<K, V> {
  bootstrapServers?: string | string[];
  clientId?: string;
  groupId?: string | null;
  groupInstanceId?: string | null;
  enableAutoCommit?: boolean;
  autoCommitIntervalMs?: number;
  autoOffsetReset?: 'latest' | 'earliest' | 'none';
  fetchMinBytes?: number;
  fetchMaxBytes?: number;
  fetchMaxWaitMs?: number;
  maxPartitionFetchBytes?: number;
  maxPollRecords?: number;
  maxPollIntervalMs?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  partitionAssignmentStrategy?: string | (string | Assignor)[];
  checkCrcs?: boolean;
  requestTimeoutMs?: number;
  defaultApiTimeoutMs?: number;
  metadataMaxAgeMs?: number;
  retryBackoffMs?: number;
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
  allowAutoCreateTopics?: boolean;
  excludeInternalTopics?: boolean;
  clientRack?: string;
  keyDeserializer?: Deserializer<K> | string;
  valueDeserializer?: Deserializer<V> | string;
  interceptors?: ConsumerInterceptor<K, V>[];
  [dotted: `${string}.${string}`]: unknown;
}
