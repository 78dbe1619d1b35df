// What the admin-side commands need from a Kafka cluster, as one small interface. The commands are written against
// it (not against the client's classes directly) so their output logic stays testable and the client's API can
// evolve behind one adapter (src/cli/lib/client-adapter.ts).

export interface BrokerNode {
  id: number;
  host: string;
  port: number;
  rack?: string | null;
}

export interface PartitionDescription {
  partition: number;
  /** Leader broker id, or -1 when the partition has no leader. */
  leader: number;
  replicas: number[];
  isr: number[];
}

export interface TopicInfo {
  name: string;
  /** Base64 (url-safe, unpadded) topic id, as Kafka prints it. */
  topicId: string;
  isInternal: boolean;
  partitions: PartitionDescription[];
}

/** Kafka's ConfigEntry.ConfigSource names. */
export type ConfigSource =
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'DYNAMIC_CLIENT_METRICS_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'UNKNOWN';

export interface ConfigEntryInfo {
  name: string;
  value: string | null;
  source: ConfigSource;
  isSensitive: boolean;
  readOnly: boolean;
  synonyms: { name: string; value: string | null; source: ConfigSource }[];
}

export type ConfigResourceType = 'topic' | 'broker' | 'broker-logger' | 'group' | 'client-metrics';

export interface TopicPartitionRef {
  topic: string;
  partition: number;
}

export interface GroupMemberInfo {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  assignment: TopicPartitionRef[];
}

export interface GroupInfo {
  groupId: string;
  /** Kafka's ConsumerGroupState names: Stable, Empty, Dead, PreparingRebalance, CompletingRebalance, Unknown. */
  state: string;
  protocolType: string;
  /** The assignor name (e.g. range), empty when not Stable. */
  protocol: string;
  coordinator: BrokerNode | null;
  members: GroupMemberInfo[];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: string | null;
}

export type OffsetSpec = 'earliest' | 'latest' | 'max-timestamp' | { timestamp: number };

export interface ListedOffset extends TopicPartitionRef {
  offset: number;
  timestamp: number;
  /** Kafka error name when the partition failed (e.g. UNKNOWN_TOPIC_OR_PARTITION), else undefined. */
  error?: string;
}

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface ConfigAlteration {
  name: string;
  value: string | null;
  op: 'SET' | 'DELETE' | 'APPEND' | 'SUBTRACT';
}

export interface PartitionResult extends TopicPartitionRef {
  /** Kafka error name, undefined on success. */
  error?: string;
  errorMessage?: string;
  lowWatermark?: number;
}

export interface ClusterAdmin {
  describeCluster(): Promise<{ clusterId: string | null; controllerId: number; brokers: BrokerNode[] }>;
  listTopics(includeInternal: boolean): Promise<string[]>;
  describeTopics(names: string[]): Promise<TopicInfo[]>;
  createTopic(spec: {
    name: string;
    numPartitions: number;
    replicationFactor: number;
    configs: Record<string, string>;
    replicaAssignment?: number[][];
  }): Promise<void>;
  deleteTopics(names: string[]): Promise<void>;
  createPartitions(topic: string, totalCount: number): Promise<void>;
  describeConfigs(type: ConfigResourceType, name: string, includeSynonyms: boolean): Promise<ConfigEntryInfo[]>;
  incrementalAlterConfigs(type: ConfigResourceType, name: string, ops: ConfigAlteration[]): Promise<void>;
  listGroups(): Promise<GroupListing[]>;
  describeGroups(groupIds: string[]): Promise<GroupInfo[]>;
  deleteGroups(groupIds: string[]): Promise<Map<string, string | null>>;
  listGroupOffsets(groupId: string): Promise<Map<string, { offset: number; metadata: string | null; leaderEpoch?: number }>>;
  alterGroupOffsets(groupId: string, offsets: (TopicPartitionRef & { offset: number })[]): Promise<void>;
  deleteGroupOffsets(groupId: string, partitions: TopicPartitionRef[]): Promise<PartitionResult[]>;
  listOffsets(requests: (TopicPartitionRef & { spec: OffsetSpec })[], isolation?: 'read_uncommitted' | 'read_committed'): Promise<ListedOffset[]>;
  deleteRecords(requests: (TopicPartitionRef & { offset: number })[]): Promise<PartitionResult[]>;
  brokerApiVersions(): Promise<{ broker: BrokerNode; versions: ApiVersionRange[] | null; error?: string }[]>;
  close(): Promise<void>;
}

/** Key for a topic-partition in maps. */
export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * A failure reported by the cluster. `message` is what Kafka's Java exception would carry (the broker's own error
 * message when it sent one, else Kafka's default text for the code); `errorName` is Kafka's error name
 * (e.g. TOPIC_ALREADY_EXISTS, INVALID_REPLICATION_FACTOR) so commands can branch on it.
 */
export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}
