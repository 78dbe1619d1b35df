// An in-memory ClusterAdmin with Kafka's behaviours that matter to the tools (error names and messages, config
// sources, group states), so tests can pin the exact output of each command without a broker.
import {
  ClusterError,
  tpKey,
  type ApiVersionRange,
  type BrokerNode,
  type ClusterAdmin,
  type ConfigAlteration,
  type ConfigEntryInfo,
  type ConfigResourceType,
  type GroupInfo,
  type GroupListing,
  type ListedOffset,
  type OffsetSpec,
  type PartitionResult,
  type TopicInfo,
  type TopicPartitionRef,
} from '../../src/cli/lib/cluster.js';

interface FakeTopic {
  info: TopicInfo;
  configs: Map<string, string>;
  /** Per partition: log start, log end, and (timestamp, offset) pairs for time lookups. */
  logs: { start: number; end: number; times: [number, number][] }[];
}

export class FakeCluster implements ClusterAdmin {
  brokers: BrokerNode[] = [{ id: 0, host: 'localhost', port: 9092, rack: null }];
  topics = new Map<string, FakeTopic>();
  groups = new Map<string, GroupInfo>();
  offsets = new Map<string, Map<string, number>>();
  altered: { groupId: string; offsets: (TopicPartitionRef & { offset: number })[] }[] = [];
  closed = 0;

  addTopic(name: string, partitions: number, rf = 1, ends: number[] = []): void {
    this.topics.set(name, {
      info: {
        name,
        topicId: Buffer.alloc(16, name.length).toString('base64url'),
        isInternal: name.startsWith('__'),
        partitions: Array.from({ length: partitions }, (_, i) => ({ partition: i, leader: 0, replicas: Array.from({ length: rf }, (_, r) => r), isr: Array.from({ length: rf }, (_, r) => r) })),
      },
      configs: new Map(),
      logs: Array.from({ length: partitions }, (_, i) => ({ start: 0, end: ends[i] ?? 0, times: [] })),
    });
  }

  private topic(name: string): FakeTopic {
    const t = this.topics.get(name);
    if (!t) throw new ClusterError('UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic-partition.');
    return t;
  }

  async describeCluster(): Promise<{ clusterId: string | null; controllerId: number; brokers: BrokerNode[] }> {
    return { clusterId: 'fake', controllerId: 0, brokers: this.brokers };
  }
  async listTopics(includeInternal: boolean): Promise<string[]> {
    return [...this.topics.values()].filter((t) => includeInternal || !t.info.isInternal).map((t) => t.info.name);
  }
  async describeTopics(names: string[]): Promise<TopicInfo[]> {
    return names.map((n) => this.topic(n).info);
  }
  async createTopic(spec: { name: string; numPartitions: number; replicationFactor: number; configs: Record<string, string> }): Promise<void> {
    if (this.topics.has(spec.name)) throw new ClusterError('TOPIC_ALREADY_EXISTS', `Topic '${spec.name}' already exists.`);
    const rf = spec.replicationFactor < 0 ? 1 : spec.replicationFactor;
    if (rf > this.brokers.length) throw new ClusterError('INVALID_REPLICATION_FACTOR', `Replication factor: ${rf} larger than available brokers: ${this.brokers.length}.`);
    this.addTopic(spec.name, spec.numPartitions < 0 ? 1 : spec.numPartitions, rf);
    for (const [k, v] of Object.entries(spec.configs)) this.topic(spec.name).configs.set(k, v);
  }
  async deleteTopics(names: string[]): Promise<void> {
    for (const n of names) {
      this.topic(n);
      this.topics.delete(n);
    }
  }
  async createPartitions(topic: string, totalCount: number): Promise<void> {
    const t = this.topic(topic);
    const n = t.info.partitions.length;
    if (totalCount <= n) throw new ClusterError('INVALID_PARTITIONS', `Topic currently has ${n} partitions, which is higher than the requested ${totalCount}.`);
    for (let i = n; i < totalCount; i++) {
      t.info.partitions.push({ partition: i, leader: 0, replicas: [0], isr: [0] });
      t.logs.push({ start: 0, end: 0, times: [] });
    }
  }
  async describeConfigs(type: ConfigResourceType, name: string, includeSynonyms: boolean): Promise<ConfigEntryInfo[]> {
    if (type === 'topic') {
      const t = this.topic(name);
      const defaults: [string, string][] = [['cleanup.policy', 'delete'], ['min.insync.replicas', '1'], ['retention.ms', '604800000']];
      const out: ConfigEntryInfo[] = defaults
        .filter(([k]) => !t.configs.has(k))
        .map(([k, v]) => ({ name: k, value: v, source: 'DEFAULT_CONFIG', isSensitive: false, readOnly: false, synonyms: [] }));
      out.push({ name: 'segment.bytes', value: '1073741824', source: 'STATIC_BROKER_CONFIG', isSensitive: false, readOnly: false, synonyms: includeSynonyms ? [{ name: 'log.segment.bytes', value: '1073741824', source: 'STATIC_BROKER_CONFIG' }] : [] });
      for (const [k, v] of t.configs) {
        out.push({ name: k, value: v, source: 'DYNAMIC_TOPIC_CONFIG', isSensitive: false, readOnly: false, synonyms: includeSynonyms ? [{ name: k, value: v, source: 'DYNAMIC_TOPIC_CONFIG' }] : [] });
      }
      return out.sort((a, b) => a.name.localeCompare(b.name));
    }
    return [{ name: 'log.retention.hours', value: '168', source: 'STATIC_BROKER_CONFIG', isSensitive: false, readOnly: true, synonyms: [] }];
  }
  async incrementalAlterConfigs(type: ConfigResourceType, name: string, ops: ConfigAlteration[]): Promise<void> {
    const t = this.topic(name);
    for (const o of ops) {
      if (o.op === 'SET') t.configs.set(o.name, o.value ?? '');
      else t.configs.delete(o.name);
    }
  }
  async listGroups(): Promise<GroupListing[]> {
    return [...this.groups.values()].map((g) => ({ groupId: g.groupId, protocolType: 'consumer', state: g.state }));
  }
  async describeGroups(groupIds: string[]): Promise<GroupInfo[]> {
    return groupIds.map((id) => this.groups.get(id) ?? { groupId: id, state: 'Dead', protocolType: '', protocol: '', coordinator: this.brokers[0]!, members: [] });
  }
  async deleteGroups(groupIds: string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const g of groupIds) {
      const info = this.groups.get(g);
      if (!info) out.set(g, 'org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.');
      else if (info.members.length) out.set(g, 'org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty.');
      else {
        this.groups.delete(g);
        out.set(g, null);
      }
    }
    return out;
  }
  async listGroupOffsets(groupId: string): Promise<Map<string, { offset: number; metadata: string | null }>> {
    const out = new Map<string, { offset: number; metadata: string | null }>();
    for (const [k, v] of this.offsets.get(groupId) ?? []) out.set(k, { offset: v, metadata: '' });
    return out;
  }
  async alterGroupOffsets(groupId: string, offsets: (TopicPartitionRef & { offset: number })[]): Promise<void> {
    this.altered.push({ groupId, offsets });
    const m = this.offsets.get(groupId) ?? new Map<string, number>();
    for (const o of offsets) m.set(tpKey(o.topic, o.partition), o.offset);
    this.offsets.set(groupId, m);
  }
  async deleteGroupOffsets(groupId: string, partitions: TopicPartitionRef[]): Promise<PartitionResult[]> {
    const m = this.offsets.get(groupId);
    if (!m) throw new ClusterError('GROUP_ID_NOT_FOUND', 'The group id does not exist.');
    return partitions.map((p) => {
      m.delete(tpKey(p.topic, p.partition));
      return { ...p };
    });
  }
  async listOffsets(requests: (TopicPartitionRef & { spec: OffsetSpec })[]): Promise<ListedOffset[]> {
    return requests.map((r) => {
      const t = this.topics.get(r.topic);
      const log = t?.logs[r.partition];
      if (!log) return { topic: r.topic, partition: r.partition, offset: -1, timestamp: -1, error: 'This server does not host this topic-partition.' };
      if (r.spec === 'earliest') return { topic: r.topic, partition: r.partition, offset: log.start, timestamp: -1 };
      if (r.spec === 'latest') return { topic: r.topic, partition: r.partition, offset: log.end, timestamp: -1 };
      const ts = r.spec === 'max-timestamp' ? Infinity : r.spec.timestamp;
      const hit = r.spec === 'max-timestamp' ? log.times[log.times.length - 1] : log.times.find(([t]) => t >= ts);
      return { topic: r.topic, partition: r.partition, offset: hit ? hit[1] : -1, timestamp: hit ? hit[0] : -1 };
    });
  }
  async deleteRecords(requests: (TopicPartitionRef & { offset: number })[]): Promise<PartitionResult[]> {
    return requests.map((r) => {
      const log = this.topics.get(r.topic)?.logs[r.partition];
      if (!log) return { topic: r.topic, partition: r.partition, error: 'UNKNOWN_TOPIC_OR_PARTITION', errorMessage: 'This server does not host this topic-partition.' };
      const to = r.offset < 0 ? log.end : r.offset;
      if (to > log.end) return { topic: r.topic, partition: r.partition, error: 'OFFSET_OUT_OF_RANGE', errorMessage: 'The requested offset is not within the range of offsets maintained by the server.' };
      log.start = Math.max(log.start, to);
      return { topic: r.topic, partition: r.partition, lowWatermark: log.start };
    });
  }
  async brokerApiVersions(): Promise<{ broker: BrokerNode; versions: ApiVersionRange[] | null }[]> {
    return this.brokers.map((b) => ({ broker: b, versions: [{ apiKey: 0, minVersion: 0, maxVersion: 9 }, { apiKey: 18, minVersion: 0, maxVersion: 3 }, { apiKey: 1000, minVersion: 0, maxVersion: 0 }] }));
  }
  async close(): Promise<void> {
    this.closed++;
  }
}
