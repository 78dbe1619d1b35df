// The group coordinator's settings, under Kafka's broker config names with Kafka's defaults.

export interface GroupCoordinatorConfig {
  /** group.min.session.timeout.ms */
  groupMinSessionTimeoutMs: number;
  /** group.max.session.timeout.ms */
  groupMaxSessionTimeoutMs: number;
  /** group.initial.rebalance.delay.ms: how long the first rebalance of an empty group waits for more members. */
  groupInitialRebalanceDelayMs: number;
  /** group.max.size */
  groupMaxSize: number;
  /** offsets.topic.num.partitions */
  offsetsTopicNumPartitions: number;
  /** offsets.retention.minutes, in ms */
  offsetsRetentionMs: number;
  /** offsets.retention.check.interval.ms */
  offsetsRetentionCheckIntervalMs: number;
  /** offset.metadata.max.bytes */
  offsetMetadataMaxBytes: number;
  /** offsets.topic.compression.codec (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd) */
  offsetsTopicCompressionCodec: number;
  /** group.consumer.session.timeout.ms (KIP-848 groups) */
  consumerSessionTimeoutMs: number;
  /** group.consumer.heartbeat.interval.ms (KIP-848 groups) */
  consumerHeartbeatIntervalMs: number;
  /** group.consumer.max.size (KIP-848 groups) */
  consumerMaxSize: number;
}

export const DEFAULT_GROUP_COORDINATOR_CONFIG: GroupCoordinatorConfig = {
  groupMinSessionTimeoutMs: 6000,
  groupMaxSessionTimeoutMs: 1_800_000,
  groupInitialRebalanceDelayMs: 3000,
  groupMaxSize: 2_147_483_647,
  offsetsTopicNumPartitions: 50,
  offsetsRetentionMs: 10080 * 60_000,
  offsetsRetentionCheckIntervalMs: 600_000,
  offsetMetadataMaxBytes: 4096,
  offsetsTopicCompressionCodec: 0,
  consumerSessionTimeoutMs: 45_000,
  consumerHeartbeatIntervalMs: 5000,
  consumerMaxSize: 2_147_483_647,
};

/** Kafka's JoinGroup timeout for a new member that never completes its join (GroupCoordinator.NewMemberJoinTimeoutMs). */
export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

/** Builds the config from broker properties (raw strings by Kafka name); missing keys keep Kafka's defaults. */
export function groupCoordinatorConfigFrom(get: (name: string) => string | null | undefined): GroupCoordinatorConfig {
  const num = (name: string, dflt: number): number => {
    const raw = get(name);
    if (raw === null || raw === undefined || raw.trim() === '') return dflt;
    const n = Number(raw.trim());
    if (!Number.isFinite(n)) throw new Error(`Invalid value ${raw} for configuration ${name}: not a number`);
    return n;
  };
  const d = DEFAULT_GROUP_COORDINATOR_CONFIG;
  return {
    groupMinSessionTimeoutMs: num('group.min.session.timeout.ms', d.groupMinSessionTimeoutMs),
    groupMaxSessionTimeoutMs: num('group.max.session.timeout.ms', d.groupMaxSessionTimeoutMs),
    groupInitialRebalanceDelayMs: num('group.initial.rebalance.delay.ms', d.groupInitialRebalanceDelayMs),
    groupMaxSize: num('group.max.size', d.groupMaxSize),
    offsetsTopicNumPartitions: num('offsets.topic.num.partitions', d.offsetsTopicNumPartitions),
    offsetsRetentionMs: num('offsets.retention.minutes', d.offsetsRetentionMs / 60_000) * 60_000,
    offsetsRetentionCheckIntervalMs: num('offsets.retention.check.interval.ms', d.offsetsRetentionCheckIntervalMs),
    offsetMetadataMaxBytes: num('offset.metadata.max.bytes', d.offsetMetadataMaxBytes),
    offsetsTopicCompressionCodec: num('offsets.topic.compression.codec', d.offsetsTopicCompressionCodec),
    consumerSessionTimeoutMs: num('group.consumer.session.timeout.ms', d.consumerSessionTimeoutMs),
    consumerHeartbeatIntervalMs: num('group.consumer.heartbeat.interval.ms', d.consumerHeartbeatIntervalMs),
    consumerMaxSize: num('group.consumer.max.size', d.consumerMaxSize),
  };
}
