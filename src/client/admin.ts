// The admin client: topic, config, cluster, consumer-group and offset management, each call routed where Kafka
// expects it (topic creation/deletion to the controller, group calls to the group coordinator, ListOffsets and
// DeleteRecords to partition leaders, ListGroups to every broker). Per-item broker errors become KafkaError with
// the broker's message kept in `brokerMessage`.
import { Cluster, kafkaError, sleep, type BrokerInfo, type PartitionMetadata } from './cluster.js';
import { ResolvedConfig, type RawConfig } from './config.js';
import { spec } from './requests.js';
import { decodeAssignment, decodeSubscription } from './consumer-protocol.js';
import { groupBy, tpKey, type TopicPartition, type TopicPartitionOffset } from './types.js';
import { NO_MEMBER, fetchedOffsets, offsetCommitRequest, offsetFetchRequest } from './group-offsets.js';
import { KafkaClientError, KafkaError, ConfigError } from './errors.js';
import { ApiKeys } from '../protocol/generated/api-keys.js';
import { encodeCreateTopicsRequest } from '../protocol/generated/messages/create-topics-request.js';
import { decodeCreateTopicsResponse } from '../protocol/generated/messages/create-topics-response.js';
import { encodeDeleteTopicsRequest } from '../protocol/generated/messages/delete-topics-request.js';
import { decodeDeleteTopicsResponse } from '../protocol/generated/messages/delete-topics-response.js';
import { encodeCreatePartitionsRequest } from '../protocol/generated/messages/create-partitions-request.js';
import { decodeCreatePartitionsResponse } from '../protocol/generated/messages/create-partitions-response.js';
import { encodeDescribeConfigsRequest } from '../protocol/generated/messages/describe-configs-request.js';
import { decodeDescribeConfigsResponse } from '../protocol/generated/messages/describe-configs-response.js';
import { encodeAlterConfigsRequest } from '../protocol/generated/messages/alter-configs-request.js';
import { decodeAlterConfigsResponse } from '../protocol/generated/messages/alter-configs-response.js';
import { encodeIncrementalAlterConfigsRequest } from '../protocol/generated/messages/incremental-alter-configs-request.js';
import { decodeIncrementalAlterConfigsResponse } from '../protocol/generated/messages/incremental-alter-configs-response.js';
import { encodeDescribeGroupsRequest } from '../protocol/generated/messages/describe-groups-request.js';
import { decodeDescribeGroupsResponse } from '../protocol/generated/messages/describe-groups-response.js';
import { encodeListGroupsRequest } from '../protocol/generated/messages/list-groups-request.js';
import { decodeListGroupsResponse } from '../protocol/generated/messages/list-groups-response.js';
import { encodeDeleteGroupsRequest } from '../protocol/generated/messages/delete-groups-request.js';
import { decodeDeleteGroupsResponse } from '../protocol/generated/messages/delete-groups-response.js';
import { encodeOffsetDeleteRequest } from '../protocol/generated/messages/offset-delete-request.js';
import { decodeOffsetDeleteResponse } from '../protocol/generated/messages/offset-delete-response.js';
import { encodeListOffsetsRequest } from '../protocol/generated/messages/list-offsets-request.js';
import { decodeListOffsetsResponse } from '../protocol/generated/messages/list-offsets-response.js';
import { encodeDeleteRecordsRequest } from '../protocol/generated/messages/delete-records-request.js';
import { decodeDeleteRecordsResponse } from '../protocol/generated/messages/delete-records-response.js';
import { encodeDescribeClusterRequest } from '../protocol/generated/messages/describe-cluster-request.js';
import { decodeDescribeClusterResponse } from '../protocol/generated/messages/describe-cluster-response.js';

export interface AdminOptions {
  bootstrapServers?: string | string[];
  clientId?: string;
  requestTimeoutMs?: number;
  defaultApiTimeoutMs?: number;
  [dotted: `${string}.${string}`]: unknown;
}

export interface NewTopic {
  name: string;
  /** -1 = broker default (num.partitions). */
  numPartitions?: number;
  /** -1 = broker default (default.replication.factor). */
  replicationFactor?: number;
  /** partition -> broker ids (replaces numPartitions/replicationFactor). */
  replicaAssignment?: Record<number, number[]>;
  configs?: Record<string, string>;
}

/** A partition as describeTopics reports it: the cluster metadata of the partition, without its error code. */
export type PartitionDescription = Omit<PartitionMetadata, 'errorCode'>;

export interface TopicDescription {
  name: string;
  topicId: string;
  isInternal: boolean;
  partitions: PartitionDescription[];
}

export type ConfigResourceType = 'topic' | 'broker' | 'broker_logger';
export interface ConfigResource {
  type: ConfigResourceType;
  name: string;
  /** Only these keys (default: all). */
  keys?: string[];
}

export type ConfigSourceName =
  | 'UNKNOWN'
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'CLIENT_METRICS_CONFIG'
  | 'GROUP_CONFIG';

const CONFIG_SOURCES: ConfigSourceName[] = [
  'UNKNOWN',
  'DYNAMIC_TOPIC_CONFIG',
  'DYNAMIC_BROKER_CONFIG',
  'DYNAMIC_DEFAULT_BROKER_CONFIG',
  'STATIC_BROKER_CONFIG',
  'DEFAULT_CONFIG',
  'DYNAMIC_BROKER_LOGGER_CONFIG',
  'CLIENT_METRICS_CONFIG',
  'GROUP_CONFIG',
];

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: ConfigSourceName;
  isDefault: boolean;
  isSensitive: boolean;
  readOnly: boolean;
  synonyms: { name: string; value: string | null; source: ConfigSourceName }[];
}

export interface ConfigDescription {
  type: ConfigResourceType;
  name: string;
  entries: ConfigEntry[];
}

export interface AlterConfigOp {
  name: string;
  value: string | null;
  /** Kafka's AlterConfigOp types. */
  op?: 'set' | 'delete' | 'append' | 'subtract';
}

export interface ClusterDescription {
  clusterId: string | null;
  controllerId: number;
  brokers: BrokerInfo[];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state?: string;
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  host: string;
  assignment: TopicPartition[];
  /** Topics the member subscribed to (consumer groups). */
  subscription: string[];
}

export interface GroupDescription {
  groupId: string;
  state: string;
  protocolType: string;
  /** The assignor chosen (consumer groups). */
  protocol: string;
  coordinator: BrokerInfo;
  members: MemberDescription[];
  errorCode: number;
}

export type OffsetSpec = 'earliest' | 'latest' | 'max-timestamp' | { timestamp: number };

export interface ListOffsetsResult extends TopicPartition {
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

const RESOURCE_TYPES: Record<ConfigResourceType, number> = { topic: 2, broker: 4, broker_logger: 8 };
const RESOURCE_NAMES: Record<number, ConfigResourceType> = { 2: 'topic', 4: 'broker', 8: 'broker_logger' };
const OPS = { set: 0, delete: 1, append: 2, subtract: 3 } as const;

function check(code: number, message?: string | null): void {
  const e = kafkaError(code, message);
  if (e) throw e;
}

export class Admin {
  readonly config: ResolvedConfig;
  private readonly cluster: Cluster;

  constructor(options: AdminOptions | RawConfig) {
    this.config = new ResolvedConfig('admin', options as RawConfig);
    this.cluster = new Cluster(this.config);
    this.cluster.interest = null;
  }

  private get timeoutMs(): number {
    return this.config.int('default.api.timeout.ms');
  }

  /** Sends to the controller (refreshing metadata and retrying on NOT_CONTROLLER / connection errors). */
  private async toController<T>(build: () => ReturnType<typeof spec<unknown, T>>, isNotController: (r: T) => boolean): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      if (this.cluster.controllerId < 0 || !this.cluster.brokers.has(this.cluster.controllerId)) await this.cluster.refreshMetadata(null);
      const target = this.cluster.brokers.has(this.cluster.controllerId) ? this.cluster.controllerId : [...this.cluster.brokers.keys()][0];
      try {
        const r = target === undefined ? await this.cluster.sendAny(build()) : await this.cluster.sendTo(target, build());
        if (!isNotController(r) || Date.now() > deadline) return r;
      } catch (e) {
        if (!(e instanceof KafkaClientError && e.retriable) || Date.now() > deadline) throw e;
      }
      await sleep(this.config.int('retry.backoff.ms'));
      await this.cluster.refreshMetadata(null).catch(() => undefined);
    }
  }

  // ---------------------------------------------------------------- topics

  async createTopics(topics: NewTopic[], options: { validateOnly?: boolean; timeoutMs?: number } = {}): Promise<{ name: string; topicId: string; numPartitions: number; replicationFactor: number }[]> {
    const timeoutMs = options.timeoutMs ?? this.config.int('request.timeout.ms');
    const resp = await this.toController(
      () =>
        spec(ApiKeys.CreateTopics, encodeCreateTopicsRequest, decodeCreateTopicsResponse, (v: number) => ({
          topics: topics.map((t) => ({
            name: t.name,
            numPartitions: t.replicaAssignment ? -1 : (t.numPartitions ?? -1),
            replicationFactor: t.replicaAssignment ? -1 : (t.replicationFactor ?? -1),
            assignments: Object.entries(t.replicaAssignment ?? {}).map(([p, ids]) => ({ partitionIndex: Number(p), brokerIds: ids })),
            configs: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
          timeoutMs,
          ...(v >= 1 ? { validateOnly: options.validateOnly ?? false } : {}),
        })),
      (r) => r.topics.some((t) => t.errorCode === 41),
    );
    const errors: KafkaError[] = [];
    for (const t of resp.topics) {
      const e = kafkaError(t.errorCode, t.errorMessage);
      if (e) errors.push(e);
    }
    if (errors.length > 0) throw errors[0]!;
    return resp.topics.map((t) => ({ name: t.name, topicId: t.topicId ?? '', numPartitions: t.numPartitions ?? -1, replicationFactor: t.replicationFactor ?? -1 }));
  }

  async deleteTopics(names: string[], options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.config.int('request.timeout.ms');
    const resp = await this.toController(
      () =>
        spec(ApiKeys.DeleteTopics, encodeDeleteTopicsRequest, decodeDeleteTopicsResponse, (v: number) =>
          v >= 6 ? { topics: names.map((name) => ({ name, topicId: 'AAAAAAAAAAAAAAAAAAAAAA' })), timeoutMs } : { topicNames: names, timeoutMs },
        ),
      (r) => r.responses.some((t) => t.errorCode === 41),
    );
    for (const t of resp.responses) check(t.errorCode, t.errorMessage);
    for (const n of names) this.cluster.topics.delete(n);
  }

  async listTopics(options: { listInternal?: boolean } = {}): Promise<string[]> {
    await this.cluster.refreshMetadata(null);
    return [...this.cluster.topics.values()]
      .filter((t) => t.errorCode === 0 && (options.listInternal || !t.isInternal))
      .map((t) => t.name)
      .sort();
  }

  async describeTopics(names: string[]): Promise<TopicDescription[]> {
    await this.cluster.refreshMetadata(names);
    return names.map((n) => {
      const t = this.cluster.topics.get(n);
      if (!t) throw kafkaError(3, `Topic '${n}' does not exist.`)!;
      if (t.errorCode !== 0 && t.partitions.length === 0) throw kafkaError(t.errorCode)!;
      return {
        name: t.name,
        topicId: t.topicId,
        isInternal: t.isInternal,
        partitions: t.partitions.map((p) => ({ partition: p.partition, leader: p.leader, leaderEpoch: p.leaderEpoch, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas })),
      };
    });
  }

  /** Increases partition counts: `{ topic: newTotalCount }`. */
  async createPartitions(counts: Record<string, number>, options: { validateOnly?: boolean; assignments?: Record<string, number[][]> } = {}): Promise<void> {
    const timeoutMs = this.config.int('request.timeout.ms');
    const resp = await this.toController(
      () =>
        spec(ApiKeys.CreatePartitions, encodeCreatePartitionsRequest, decodeCreatePartitionsResponse, {
          topics: Object.entries(counts).map(([name, count]) => ({
            name,
            count,
            assignments: options.assignments?.[name] ? options.assignments[name]!.map((brokerIds) => ({ brokerIds })) : null,
          })),
          timeoutMs,
          validateOnly: options.validateOnly ?? false,
        }),
      (r) => r.results.some((t) => t.errorCode === 41),
    );
    for (const t of resp.results) check(t.errorCode, t.errorMessage);
  }

  // ---------------------------------------------------------------- configs

  async describeConfigs(resources: ConfigResource[], options: { includeSynonyms?: boolean } = {}): Promise<ConfigDescription[]> {
    const out: ConfigDescription[] = [];
    // broker resources must go to that broker; topic resources to any broker
    const groups = groupBy(resources, (r) => (r.type === 'broker' || r.type === 'broker_logger' ? (r.name === '' ? -1 : Number(r.name)) : -1));
    for (const [target, rs] of groups) {
      const req = spec(ApiKeys.DescribeConfigs, encodeDescribeConfigsRequest, decodeDescribeConfigsResponse, (v: number) => ({
        resources: rs.map((r) => ({ resourceType: RESOURCE_TYPES[r.type], resourceName: r.name, configurationKeys: r.keys ?? null })),
        ...(v >= 1 ? { includeSynonyms: options.includeSynonyms ?? false } : {}),
      }));
      const resp = target >= 0 && Number.isInteger(target) ? await this.sendToBroker(target, req) : await this.cluster.sendAny(req);
      for (const res of resp.results) {
        check(res.errorCode, res.errorMessage);
        out.push({
          type: RESOURCE_NAMES[res.resourceType] ?? 'topic',
          name: res.resourceName,
          entries: res.configs.map((c) => {
            const source = c.configSource !== undefined && c.configSource >= 0 ? (CONFIG_SOURCES[c.configSource] ?? 'UNKNOWN') : c.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN';
            return {
              name: c.name,
              value: c.value,
              source,
              isDefault: c.isDefault ?? source === 'DEFAULT_CONFIG',
              isSensitive: c.isSensitive,
              readOnly: c.readOnly,
              synonyms: (c.synonyms ?? []).map((s) => ({ name: s.name, value: s.value, source: CONFIG_SOURCES[s.source] ?? 'UNKNOWN' })),
            };
          }),
        });
      }
    }
    return out;
  }

  private async sendToBroker<T>(id: number, req: ReturnType<typeof spec<unknown, T>>): Promise<T> {
    if (!this.cluster.brokers.has(id)) await this.cluster.refreshMetadata(null);
    if (!this.cluster.brokers.has(id)) throw new ConfigError(`broker ${id} is not in the cluster`);
    return this.cluster.sendTo(id, req);
  }

  /** Legacy AlterConfigs: replaces the resource's whole dynamic config with `configs`. */
  async alterConfigs(resources: { type: ConfigResourceType; name: string; configs: Record<string, string | null> }[], options: { validateOnly?: boolean } = {}): Promise<void> {
    for (const r of resources) {
      const req = spec(ApiKeys.AlterConfigs, encodeAlterConfigsRequest, decodeAlterConfigsResponse, {
        resources: [{ resourceType: RESOURCE_TYPES[r.type], resourceName: r.name, configs: Object.entries(r.configs).map(([name, value]) => ({ name, value })) }],
        validateOnly: options.validateOnly ?? false,
      });
      const resp = r.type === 'topic' || r.name === '' ? await this.cluster.sendAny(req) : await this.sendToBroker(Number(r.name), req);
      for (const x of resp.responses) check(x.errorCode, x.errorMessage);
    }
  }

  /** IncrementalAlterConfigs (KIP-339): set/delete/append/subtract individual keys. */
  async incrementalAlterConfigs(resources: { type: ConfigResourceType; name: string; ops: AlterConfigOp[] }[], options: { validateOnly?: boolean } = {}): Promise<void> {
    for (const r of resources) {
      const req = spec(ApiKeys.IncrementalAlterConfigs, encodeIncrementalAlterConfigsRequest, decodeIncrementalAlterConfigsResponse, {
        resources: [{ resourceType: RESOURCE_TYPES[r.type], resourceName: r.name, configs: r.ops.map((o) => ({ name: o.name, configOperation: OPS[o.op ?? 'set'], value: o.value })) }],
        validateOnly: options.validateOnly ?? false,
      });
      const resp = r.type === 'topic' || r.name === '' ? await this.cluster.sendAny(req) : await this.sendToBroker(Number(r.name), req);
      for (const x of resp.responses) check(x.errorCode, x.errorMessage);
    }
  }

  // ---------------------------------------------------------------- cluster

  async describeCluster(): Promise<ClusterDescription> {
    const conn = await this.cluster.anyConnection();
    if (conn.supports(ApiKeys.DescribeCluster)) {
      const resp = await conn.send(spec(ApiKeys.DescribeCluster, encodeDescribeClusterRequest, decodeDescribeClusterResponse, { includeClusterAuthorizedOperations: false }));
      check(resp.errorCode, resp.errorMessage);
      return {
        clusterId: resp.clusterId,
        controllerId: resp.controllerId ?? -1,
        brokers: resp.brokers.map((b) => ({ id: b.brokerId, host: b.host, port: b.port, rack: b.rack ?? null })).sort((a, b) => a.id - b.id),
      };
    }
    await this.cluster.refreshMetadata([]);
    return { clusterId: this.cluster.clusterId, controllerId: this.cluster.controllerId, brokers: [...this.cluster.brokers.values()].sort((a, b) => a.id - b.id) };
  }

  /** ApiVersions of every broker (kafka-broker-api-versions). */
  async brokerApiVersions(): Promise<(BrokerInfo & { apiVersions: { apiKey: number; minVersion: number; maxVersion: number }[] })[]> {
    await this.cluster.refreshMetadata([]);
    const out = [];
    for (const b of [...this.cluster.brokers.values()].sort((a, b) => a.id - b.id)) {
      out.push({ ...b, apiVersions: await this.cluster.apiVersionsOf(b.id) });
    }
    return out;
  }

  // ---------------------------------------------------------------- consumer groups

  async listConsumerGroups(options: { states?: string[] } = {}): Promise<GroupListing[]> {
    await this.cluster.refreshMetadata([]);
    const seen = new Map<string, GroupListing>();
    await Promise.all(
      [...this.cluster.brokers.keys()].map(async (id) => {
        const resp = await this.cluster.sendTo(
          id,
          spec(ApiKeys.ListGroups, encodeListGroupsRequest, decodeListGroupsResponse, (v: number) => (v >= 4 ? { statesFilter: options.states ?? [] } : {})),
        );
        check(resp.errorCode);
        for (const g of resp.groups) seen.set(g.groupId, { groupId: g.groupId, protocolType: g.protocolType, ...(g.groupState !== undefined && g.groupState !== '' ? { state: g.groupState } : {}) });
      }),
    );
    return [...seen.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
  }

  private async withCoordinator<T>(groupId: string, fn: (node: number) => Promise<T>, retryOn: (e: unknown) => boolean = () => false): Promise<T> {
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const node = await this.cluster.coordinator(groupId, 0, this.timeoutMs);
      try {
        return await fn(node);
      } catch (e) {
        const coordinatorMoved = e instanceof KafkaError && (e.name === 'NOT_COORDINATOR' || e.name === 'COORDINATOR_NOT_AVAILABLE' || e.name === 'COORDINATOR_LOAD_IN_PROGRESS');
        if (coordinatorMoved) this.cluster.invalidateCoordinator(groupId, 0);
        if (!(coordinatorMoved || retryOn(e) || (e instanceof KafkaClientError && e.retriable && !(e instanceof KafkaError))) || Date.now() > deadline) throw e;
        await sleep(this.config.int('retry.backoff.ms'));
      }
    }
  }

  async describeConsumerGroups(groupIds: string[]): Promise<GroupDescription[]> {
    const out: GroupDescription[] = [];
    for (const groupId of groupIds) {
      out.push(
        await this.withCoordinator(groupId, async (node) => {
          const resp = await this.cluster.sendTo(node, spec(ApiKeys.DescribeGroups, encodeDescribeGroupsRequest, decodeDescribeGroupsResponse, { groups: [groupId] }));
          const g = resp.groups[0]!;
          if (g.errorCode === 16 || g.errorCode === 15 || g.errorCode === 14) check(g.errorCode);
          const isConsumer = g.protocolType === 'consumer' || g.protocolType === '';
          const coordinator = this.cluster.brokers.get(node)!;
          return {
            groupId: g.groupId,
            state: g.groupState,
            protocolType: g.protocolType,
            protocol: g.protocolData,
            coordinator,
            errorCode: g.errorCode,
            members: g.members.map((m) => {
              let assignment: TopicPartition[] = [];
              let subscription: string[] = [];
              if (isConsumer) {
                try {
                  assignment = decodeAssignment(m.memberAssignment).partitions;
                } catch {
                  /* not consumer protocol bytes */
                }
                try {
                  if (m.memberMetadata.length > 0) subscription = decodeSubscription(m.memberMetadata).topics;
                } catch {
                  /* ignore */
                }
              }
              return { memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, clientId: m.clientId, host: m.clientHost, assignment, subscription };
            }),
          };
        }),
      );
    }
    return out;
  }

  async deleteConsumerGroups(groupIds: string[]): Promise<{ groupId: string; error: KafkaError | null }[]> {
    const out: { groupId: string; error: KafkaError | null }[] = [];
    for (const groupId of groupIds) {
      const r = await this.withCoordinator(groupId, async (node) => {
        const resp = await this.cluster.sendTo(node, spec(ApiKeys.DeleteGroups, encodeDeleteGroupsRequest, decodeDeleteGroupsResponse, { groupsNames: [groupId] }));
        const res = resp.results[0]!;
        const err = kafkaError(res.errorCode);
        if (err && (err.name === 'NOT_COORDINATOR' || err.name === 'COORDINATOR_NOT_AVAILABLE' || err.name === 'COORDINATOR_LOAD_IN_PROGRESS')) throw err;
        return { groupId, error: err };
      });
      out.push(r);
    }
    return out;
  }

  /** Committed offsets of a group (all partitions it has offsets for, or just `partitions`). */
  async listConsumerGroupOffsets(groupId: string, partitions?: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    return this.withCoordinator(groupId, async (node) => {
      const resp = await this.cluster.sendTo(node, offsetFetchRequest(groupId, partitions ?? null, false));
      const out: TopicPartitionOffset[] = [];
      for (const p of fetchedOffsets(resp)) {
        check(p.errorCode);
        if (p.offset < 0 && !partitions) continue;
        out.push({ topic: p.topic, partition: p.partition, offset: p.offset, metadata: p.metadata, leaderEpoch: p.leaderEpoch });
      }
      return out.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
    });
  }

  /** Sets a group's committed offsets (the group must have no active members, as in Kafka). */
  async alterConsumerGroupOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    await this.withCoordinator(groupId, async (node) => {
      const resp = await this.cluster.sendTo(node, offsetCommitRequest(groupId, NO_MEMBER, offsets));
      for (const t of resp.topics) for (const p of t.partitions) check(p.errorCode);
    });
  }

  async deleteConsumerGroupOffsets(groupId: string, partitions: TopicPartition[]): Promise<void> {
    const byTopic = groupBy(partitions, (p) => p.topic, (p) => ({ partitionIndex: p.partition }));
    await this.withCoordinator(groupId, async (node) => {
      const resp = await this.cluster.sendTo(
        node,
        spec(ApiKeys.OffsetDelete, encodeOffsetDeleteRequest, decodeOffsetDeleteResponse, { groupId, topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps })) }),
      );
      check(resp.errorCode);
      for (const t of resp.topics) for (const p of t.partitions) check(p.errorCode);
    });
  }

  // ---------------------------------------------------------------- offsets & records

  /** ListOffsets: earliest / latest / max-timestamp / first offset at or after a timestamp. */
  async listOffsets(requests: (TopicPartition & { spec: OffsetSpec })[], options: { isolationLevel?: 'read_uncommitted' | 'read_committed' } = {}): Promise<ListOffsetsResult[]> {
    // a partition asked for twice (different specs) goes in separate rounds: one request cannot carry it twice
    const seen = new Set<string>();
    const first: (TopicPartition & { spec: OffsetSpec })[] = [];
    const rest: (TopicPartition & { spec: OffsetSpec })[] = [];
    for (const r of requests) {
      const k = tpKey(r.topic, r.partition);
      if (seen.has(k)) rest.push(r);
      else {
        seen.add(k);
        first.push(r);
      }
    }
    if (rest.length > 0) {
      const a = await this.listOffsets(first, options);
      const b = await this.listOffsets(rest, options);
      return requests.map((r) => (first.includes(r) ? a[first.indexOf(r)]! : b[rest.indexOf(r)]!));
    }
    const byNode = await this.byLeader(requests);
    const result = new Map<string, ListOffsetsResult>();
    const ts = (s: OffsetSpec): bigint => (s === 'earliest' ? -2n : s === 'latest' ? -1n : s === 'max-timestamp' ? -3n : BigInt(s.timestamp));
    await Promise.all(
      [...byNode].map(async ([node, rs]) => {
        const topics = groupBy(rs, (r) => r.topic, (r) => ({ partitionIndex: r.partition, timestamp: ts(r.spec), currentLeaderEpoch: -1 }));
        const resp = await this.cluster.sendTo(
          node,
          spec(
            ApiKeys.ListOffsets,
            encodeListOffsetsRequest,
            decodeListOffsetsResponse,
            (v: number) => ({
              replicaId: -1,
              ...(v >= 2 ? { isolationLevel: options.isolationLevel === 'read_committed' ? 1 : 0 } : {}),
              topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
            }),
            { minVersion: rs.some((r) => r.spec === 'max-timestamp') ? 7 : 1 },
          ),
        );
        for (const t of resp.topics) {
          for (const p of t.partitions) {
            check(p.errorCode);
            result.set(tpKey(t.name, p.partitionIndex), {
              topic: t.name,
              partition: p.partitionIndex,
              offset: Number(p.offset ?? -1n),
              timestamp: Number(p.timestamp ?? -1n),
              leaderEpoch: p.leaderEpoch ?? -1,
            });
          }
        }
      }),
    );
    return requests.map((r) => result.get(tpKey(r.topic, r.partition))!);
  }

  /** Deletes records before `offset` (-1 = high watermark); returns the new low watermarks. */
  async deleteRecords(requests: TopicPartitionOffset[], options: { timeoutMs?: number } = {}): Promise<(TopicPartition & { lowWatermark: number })[]> {
    const byNode = await this.byLeader(requests);
    const out = new Map<string, TopicPartition & { lowWatermark: number }>();
    await Promise.all(
      [...byNode].map(async ([node, rs]) => {
        const topics = groupBy(rs, (r) => r.topic, (r) => ({ partitionIndex: r.partition, offset: BigInt(r.offset) }));
        const resp = await this.cluster.sendTo(
          node,
          spec(ApiKeys.DeleteRecords, encodeDeleteRecordsRequest, decodeDeleteRecordsResponse, {
            topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
            timeoutMs: options.timeoutMs ?? this.config.int('request.timeout.ms'),
          }),
        );
        for (const t of resp.topics) {
          for (const p of t.partitions) {
            check(p.errorCode);
            out.set(tpKey(t.name, p.partitionIndex), { topic: t.name, partition: p.partitionIndex, lowWatermark: Number(p.lowWatermark) });
          }
        }
      }),
    );
    return requests.map((r) => out.get(tpKey(r.topic, r.partition))!);
  }

  /** `requests` grouped by the node leading each partition (fresh metadata); UNKNOWN_TOPIC_OR_PARTITION without one. */
  private async byLeader<T extends TopicPartition>(requests: T[]): Promise<Map<number, T[]>> {
    await this.cluster.refreshMetadata([...new Set(requests.map((r) => r.topic))]);
    for (const r of requests) {
      if (this.cluster.leaderFor(r.topic, r.partition) < 0) throw kafkaError(3, `${r.topic}-${r.partition} has no leader or does not exist`)!;
    }
    return groupBy(requests, (r) => this.cluster.leaderFor(r.topic, r.partition));
  }

  async close(): Promise<void> {
    this.cluster.close();
  }
}
