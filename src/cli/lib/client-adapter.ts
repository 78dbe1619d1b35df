// The one place where the CLI meets the client's Admin: maps src/client's Admin API onto the ClusterAdmin interface
// the commands use, and turns client errors into ClusterError (Kafka error name + the message Kafka's exception
// would carry).
import { Admin } from '../../client/index.js';
import { KafkaError } from '../../client/errors.js';
import { ERROR_INFO } from '../../protocol/generated/error-codes.js';
import {
  ClusterError,
  tpKey,
  type ApiVersionRange,
  type BrokerNode,
  type ClusterAdmin,
  type ConfigAlteration,
  type ConfigEntryInfo,
  type ConfigResourceType,
  type ConfigSource,
  type GroupInfo,
  type GroupListing,
  type ListedOffset,
  type OffsetSpec,
  type PartitionResult,
  type TopicInfo,
  type TopicPartitionRef,
} from './cluster.js';

/** Kafka's exception message for an error code: the broker's own message when it sent one, else the default text. */
export function kafkaMessage(e: KafkaError): string {
  if (e.brokerMessage) return e.brokerMessage;
  // KafkaError's message is "NAME: broker message" or just "NAME".
  const prefix = `${e.name}: `;
  if (e.message.startsWith(prefix)) return e.message.slice(prefix.length);
  return ERROR_INFO[e.code]?.message ?? e.message;
}

export function toClusterError(e: unknown): unknown {
  if (e instanceof KafkaError) return new ClusterError(e.name, kafkaMessage(e));
  return e;
}

/** Wraps every method so client errors surface as ClusterError. */
function translated(admin: ClusterAdmin): ClusterAdmin {
  return new Proxy(admin, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        try {
          return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (e) {
          throw toClusterError(e);
        }
      };
    },
  });
}

export async function openAdmin(props: Record<string, string>): Promise<ClusterAdmin> {
  return translated(new AdminBridge(new Admin(props)));
}

/** The client's resource type names; group and client-metrics configs are not offered by kafka-configs here. */
function resourceType(t: ConfigResourceType): 'topic' | 'broker' | 'broker_logger' {
  if (t === 'topic' || t === 'broker') return t;
  if (t === 'broker-logger') return 'broker_logger';
  throw new ClusterError('INVALID_REQUEST', `config resource type ${t} is not supported`);
}

function errorText(e: unknown): { error: string; errorMessage: string } {
  if (e instanceof KafkaError) return { error: e.name, errorMessage: kafkaMessage(e) };
  return { error: 'UNKNOWN_SERVER_ERROR', errorMessage: e instanceof Error ? e.message : String(e) };
}

/** ClusterAdmin over the client's Admin. */
class AdminBridge implements ClusterAdmin {
  constructor(private readonly admin: Admin) {}

  describeCluster(): ReturnType<ClusterAdmin['describeCluster']> {
    return this.admin.describeCluster();
  }

  listTopics(includeInternal: boolean): Promise<string[]> {
    return this.admin.listTopics({ listInternal: includeInternal });
  }

  async describeTopics(names: string[]): Promise<TopicInfo[]> {
    return (await this.admin.describeTopics(names)).map((t) => ({
      name: t.name,
      topicId: t.topicId,
      isInternal: t.isInternal,
      partitions: t.partitions.map((p) => ({ partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr })),
    }));
  }

  async createTopic(spec: Parameters<ClusterAdmin['createTopic']>[0]): Promise<void> {
    const replicaAssignment = spec.replicaAssignment ? Object.fromEntries(spec.replicaAssignment.map((ids, i) => [i, ids])) : undefined;
    await this.admin.createTopics([{ name: spec.name, numPartitions: spec.numPartitions, replicationFactor: spec.replicationFactor, configs: spec.configs, replicaAssignment }]);
  }

  deleteTopics(names: string[]): Promise<void> {
    return this.admin.deleteTopics(names);
  }

  createPartitions(topic: string, totalCount: number): Promise<void> {
    return this.admin.createPartitions({ [topic]: totalCount });
  }

  async describeConfigs(type: ConfigResourceType, name: string, includeSynonyms: boolean): Promise<ConfigEntryInfo[]> {
    const [d] = await this.admin.describeConfigs([{ type: resourceType(type), name }], { includeSynonyms });
    return (d?.entries ?? []).map((e) => ({
      name: e.name,
      value: e.value,
      source: e.source as ConfigSource,
      isSensitive: e.isSensitive,
      readOnly: e.readOnly,
      synonyms: e.synonyms.map((s) => ({ name: s.name, value: s.value, source: s.source as ConfigSource })),
    }));
  }

  incrementalAlterConfigs(type: ConfigResourceType, name: string, ops: ConfigAlteration[]): Promise<void> {
    return this.admin.incrementalAlterConfigs([
      { type: resourceType(type), name, ops: ops.map((o) => ({ name: o.name, value: o.value, op: o.op.toLowerCase() as 'set' | 'delete' | 'append' | 'subtract' })) },
    ]);
  }

  async listGroups(): Promise<GroupListing[]> {
    return (await this.admin.listConsumerGroups()).map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, state: g.state ?? null }));
  }

  async describeGroups(groupIds: string[]): Promise<GroupInfo[]> {
    return (await this.admin.describeConsumerGroups(groupIds)).map((g) => ({
      groupId: g.groupId,
      state: g.state,
      protocolType: g.protocolType,
      protocol: g.protocol,
      coordinator: g.coordinator,
      members: g.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, host: m.host, assignment: m.assignment })),
    }));
  }

  async deleteGroups(groupIds: string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const r of await this.admin.deleteConsumerGroups(groupIds)) out.set(r.groupId, r.error ? javaExceptionText(r.error) : null);
    return out;
  }

  async listGroupOffsets(groupId: string): Promise<Map<string, { offset: number; metadata: string | null; leaderEpoch?: number }>> {
    const out = new Map<string, { offset: number; metadata: string | null; leaderEpoch?: number }>();
    for (const o of await this.admin.listConsumerGroupOffsets(groupId)) out.set(tpKey(o.topic, o.partition), { offset: o.offset, metadata: o.metadata ?? null, leaderEpoch: o.leaderEpoch });
    return out;
  }

  alterGroupOffsets(groupId: string, offsets: (TopicPartitionRef & { offset: number })[]): Promise<void> {
    return this.admin.alterConsumerGroupOffsets(groupId, offsets);
  }

  async deleteGroupOffsets(groupId: string, partitions: TopicPartitionRef[]): Promise<PartitionResult[]> {
    try {
      await this.admin.deleteConsumerGroupOffsets(groupId, partitions);
      return partitions.map((p) => ({ ...p }));
    } catch (e) {
      // Group-level errors are the command's to report; partition-level ones are attributed one by one.
      if (e instanceof KafkaError && ['GROUP_ID_NOT_FOUND', 'NON_EMPTY_GROUP', 'INVALID_GROUP_ID', 'GROUP_AUTHORIZATION_FAILED'].includes(e.name)) throw e;
      const out: PartitionResult[] = [];
      for (const p of partitions) {
        try {
          await this.admin.deleteConsumerGroupOffsets(groupId, [p]);
          out.push({ ...p });
        } catch (pe) {
          out.push({ ...p, ...errorText(pe) });
        }
      }
      return out;
    }
  }

  async listOffsets(requests: (TopicPartitionRef & { spec: OffsetSpec })[], isolation?: 'read_uncommitted' | 'read_committed'): Promise<ListedOffset[]> {
    if (requests.length === 0) return [];
    try {
      return (await this.admin.listOffsets(requests, { isolationLevel: isolation })).map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp }));
    } catch {
      // One failing partition fails the batch: ask again one by one so the others still get their offsets.
      const out: ListedOffset[] = [];
      for (const q of requests) {
        try {
          const [r] = await this.admin.listOffsets([q], { isolationLevel: isolation });
          out.push({ topic: q.topic, partition: q.partition, offset: r!.offset, timestamp: r!.timestamp });
        } catch (e) {
          out.push({ topic: q.topic, partition: q.partition, offset: -1, timestamp: -1, error: errorText(e).errorMessage });
        }
      }
      return out;
    }
  }

  async deleteRecords(requests: (TopicPartitionRef & { offset: number })[]): Promise<PartitionResult[]> {
    try {
      return (await this.admin.deleteRecords(requests)).map((r) => ({ topic: r.topic, partition: r.partition, lowWatermark: r.lowWatermark }));
    } catch {
      const out: PartitionResult[] = [];
      for (const q of requests) {
        try {
          const [r] = await this.admin.deleteRecords([q]);
          out.push({ topic: q.topic, partition: q.partition, lowWatermark: r!.lowWatermark });
        } catch (e) {
          out.push({ topic: q.topic, partition: q.partition, ...errorText(e) });
        }
      }
      return out;
    }
  }

  async brokerApiVersions(): Promise<{ broker: BrokerNode; versions: ApiVersionRange[] | null; error?: string }[]> {
    return (await this.admin.brokerApiVersions()).map((b) => ({ broker: { id: b.id, host: b.host, port: b.port, rack: b.rack }, versions: b.apiVersions }));
  }

  close(): Promise<void> {
    return this.admin.close();
  }
}

/** Kafka's exception names for the errors the tools print as `exception.toString`. */
const EXCEPTION_NAMES: Record<string, string> = {
  NON_EMPTY_GROUP: 'GroupNotEmptyException',
  GROUP_ID_NOT_FOUND: 'GroupIdNotFoundException',
  INVALID_GROUP_ID: 'InvalidGroupIdException',
  GROUP_AUTHORIZATION_FAILED: 'GroupAuthorizationException',
  COORDINATOR_NOT_AVAILABLE: 'CoordinatorNotAvailableException',
  NOT_COORDINATOR: 'NotCoordinatorException',
};

function javaExceptionText(e: KafkaError): string {
  const cls = EXCEPTION_NAMES[e.name];
  return cls ? `org.apache.kafka.common.errors.${cls}: ${kafkaMessage(e)}` : `${e.name}: ${kafkaMessage(e)}`;
}
