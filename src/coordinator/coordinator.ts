// GroupCoordinator: the group APIs as the broker sees them. Each handleX takes the generated request type and
// the request's context and returns the generated response type for that API version, so the broker's handler
// files are one line each. Behind it: the classic protocol state machine (group-coordinator.ts), the
// __consumer_offsets topic (offsets-log.ts) and the retention timer.
import type { ConsumerGroupDescribeRequest } from '../protocol/generated/messages/consumer-group-describe-request.js';
import type { ConsumerGroupDescribeResponse } from '../protocol/generated/messages/consumer-group-describe-response.js';
import type { ConsumerGroupHeartbeatRequest } from '../protocol/generated/messages/consumer-group-heartbeat-request.js';
import type { ConsumerGroupHeartbeatResponse } from '../protocol/generated/messages/consumer-group-heartbeat-response.js';
import type { DeleteGroupsRequest } from '../protocol/generated/messages/delete-groups-request.js';
import type { DeleteGroupsResponse } from '../protocol/generated/messages/delete-groups-response.js';
import type { DescribeGroupsRequest } from '../protocol/generated/messages/describe-groups-request.js';
import type { DescribeGroupsResponse } from '../protocol/generated/messages/describe-groups-response.js';
import type { FindCoordinatorRequest } from '../protocol/generated/messages/find-coordinator-request.js';
import type { FindCoordinatorResponse } from '../protocol/generated/messages/find-coordinator-response.js';
import type { HeartbeatRequest } from '../protocol/generated/messages/heartbeat-request.js';
import type { HeartbeatResponse } from '../protocol/generated/messages/heartbeat-response.js';
import type { JoinGroupRequest } from '../protocol/generated/messages/join-group-request.js';
import type { JoinGroupResponse } from '../protocol/generated/messages/join-group-response.js';
import type { LeaveGroupRequest } from '../protocol/generated/messages/leave-group-request.js';
import type { LeaveGroupResponse } from '../protocol/generated/messages/leave-group-response.js';
import type { ListGroupsRequest } from '../protocol/generated/messages/list-groups-request.js';
import type { ListGroupsResponse } from '../protocol/generated/messages/list-groups-response.js';
import type { OffsetCommitRequest } from '../protocol/generated/messages/offset-commit-request.js';
import type { OffsetCommitResponse } from '../protocol/generated/messages/offset-commit-response.js';
import type { OffsetDeleteRequest } from '../protocol/generated/messages/offset-delete-request.js';
import type { OffsetDeleteResponse } from '../protocol/generated/messages/offset-delete-response.js';
import type { OffsetFetchRequest } from '../protocol/generated/messages/offset-fetch-request.js';
import type { OffsetFetchResponse } from '../protocol/generated/messages/offset-fetch-response.js';
import type { SyncGroupRequest } from '../protocol/generated/messages/sync-group-request.js';
import type { SyncGroupResponse } from '../protocol/generated/messages/sync-group-response.js';
import { DEFAULT_GROUP_COORDINATOR_CONFIG, type GroupCoordinatorConfig } from './config.js';
import { GroupErrors as E, errorMessage } from './error-codes.js';
import { ClassicGroupCoordinator, type CoordinatorLogger, type FetchedOffset, type TopicPartition } from './group-coordinator.js';
import { OffsetsTopicWriter, readOffsetsPartition, type OffsetsTopic } from './offsets-log.js';
import { systemScheduler, type Scheduler, type TimerHandle } from './scheduler.js';

export interface RequestContext {
  apiVersion: number;
  clientId: string | null;
  /** The peer's IP address; reported as Kafka does ("/127.0.0.1"). */
  clientHost: string;
}

export interface TopicMetadataView {
  partitionExists(topic: string, partition: number): boolean;
  /** Topic id (base64url uuid) and partition count by name: KIP-848 server-side assignment needs them. */
  topic?(name: string): { topicId: string; numPartitions: number } | undefined;
  /** Topic name by id (ConsumerGroupDescribe). */
  topicName?(topicId: string): string | undefined;
}

export interface CoordinatorNode {
  nodeId: number;
  host: string;
  port: number;
}

export interface GroupCoordinatorOptions {
  config?: Partial<GroupCoordinatorConfig>;
  offsetsTopic: OffsetsTopic;
  /** For OffsetCommit's UNKNOWN_TOPIC_OR_PARTITION; every partition exists when absent. */
  topics?: TopicMetadataView;
  /** This broker as coordinator (a function: the port is known only after listen). */
  node: () => CoordinatorNode;
  scheduler?: Scheduler;
  logger?: CoordinatorLogger;
}

/** FindCoordinator key types (Kafka's CoordinatorType). */
const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

/** Group operations Gregor allows without an authorizer: READ(3), DELETE(6), DESCRIBE(8) as a bit field. */
const GROUP_AUTHORIZED_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

function clientHostOf(ctx: RequestContext): string {
  return ctx.clientHost.startsWith('/') ? ctx.clientHost : `/${ctx.clientHost}`;
}

/** Groups (topic, partition, value) entries by topic keeping first-seen order, as responses list them. */
function byTopic<T extends { topic: string }>(items: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    let l = m.get(it.topic);
    if (!l) m.set(it.topic, (l = []));
    l.push(it);
  }
  return m;
}

export class GroupCoordinator {
  readonly config: GroupCoordinatorConfig;
  readonly core: ClassicGroupCoordinator;
  private readonly scheduler: Scheduler;
  private readonly offsetsTopic: OffsetsTopic;
  private readonly topics: TopicMetadataView | undefined;
  private readonly node: () => CoordinatorNode;
  private readonly logger: CoordinatorLogger | undefined;
  private expiryTimer: TimerHandle | null = null;
  private stopped = false;

  constructor(opts: GroupCoordinatorOptions) {
    this.config = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...opts.config };
    const inner = opts.scheduler ?? systemScheduler;
    const logger = opts.logger;
    // A bug in a timer callback must cost one group its rebalance, never the broker process.
    this.scheduler = {
      now: () => inner.now(),
      schedule: (delayMs, fn) =>
        inner.schedule(delayMs, () => {
          try {
            fn();
          } catch (e) {
            logger?.warn(`group coordinator timer failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
          }
        }),
    };
    this.offsetsTopic = opts.offsetsTopic;
    this.topics = opts.topics;
    this.node = opts.node;
    this.logger = opts.logger;
    this.core = new ClassicGroupCoordinator(this.config, new OffsetsTopicWriter(opts.offsetsTopic, this.config.offsetsTopicCompressionCodec), this.scheduler, opts.logger);
    const topics = opts.topics;
    if (topics?.topic) this.core.resolveTopic = (name) => topics.topic?.(name);
  }

  partitionFor(groupId: string): number {
    return this.core.partitionFor(groupId);
  }

  /** Replays every __consumer_offsets partition; until each is loaded its groups get COORDINATOR_LOAD_IN_PROGRESS. */
  async startup(): Promise<void> {
    const n = this.config.offsetsTopicNumPartitions;
    const partitions = Array.from({ length: n }, (_, i) => i);
    this.core.beginLoading(partitions);
    const started = Date.now();
    let groups = 0;
    let offsets = 0;
    for (const p of partitions) {
      if (this.stopped) return;
      const records = await readOffsetsPartition(this.offsetsTopic, p);
      const loaded = this.core.completeLoading(p, records);
      groups += loaded.groups;
      offsets += loaded.offsets;
    }
    this.logger?.info(`Loaded ${groups} groups and ${offsets} offsets from ${n} partitions of __consumer_offsets in ${Date.now() - started} ms`);
    this.scheduleExpiry();
  }

  private scheduleExpiry(): void {
    if (this.stopped) return;
    // Fixed rate: the next check is booked before this one runs. Overlapping checks are harmless: expired entries
    // leave memory synchronously, so a second pass never sees them again.
    this.expiryTimer = this.scheduler.schedule(this.config.offsetsRetentionCheckIntervalMs, () => {
      this.scheduleExpiry();
      void this.core
        .expireOffsets()
        .then((n) => {
          if (n > 0) this.logger?.info(`Removed ${n} expired offsets`);
        })
        .catch((e: unknown) => this.logger?.warn(`Offset expiry failed: ${String(e)}`));
    });
  }

  /** Cancels timers and answers parked JoinGroup / SyncGroup requests with NOT_COORDINATOR. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    this.expiryTimer?.cancel();
    this.expiryTimer = null;
    this.core.shutdown();
  }

  // ---------------------------------------------------------------- FindCoordinator

  async handleFindCoordinator(req: FindCoordinatorRequest, ctx: RequestContext): Promise<FindCoordinatorResponse> {
    const keyType = req.keyType ?? KEY_TYPE_GROUP;
    const lookup = (key: string): { errorCode: number; nodeId: number; host: string; port: number } => {
      if (keyType !== KEY_TYPE_GROUP && keyType !== KEY_TYPE_TRANSACTION) return { errorCode: E.INVALID_REQUEST, nodeId: -1, host: '', port: -1 };
      if (keyType === KEY_TYPE_GROUP && !this.core.isActive) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, nodeId: -1, host: '', port: -1 };
      void key; // one node leads every partition of the internal topics, so every key maps to this broker
      const n = this.node();
      return { errorCode: E.NONE, nodeId: n.nodeId, host: n.host, port: n.port };
    };
    if (ctx.apiVersion >= 4) {
      return {
        throttleTimeMs: 0,
        coordinators: (req.coordinatorKeys ?? []).map((key) => {
          const r = lookup(key);
          return { key, ...r, errorMessage: r.errorCode === E.NONE ? null : errorMessage(r.errorCode) };
        }),
      };
    }
    const r = lookup(req.key ?? '');
    return { throttleTimeMs: 0, errorCode: r.errorCode, errorMessage: errorMessage(r.errorCode), nodeId: r.nodeId, host: r.host, port: r.port };
  }

  // ---------------------------------------------------------------- membership

  async handleJoinGroup(req: JoinGroupRequest, ctx: RequestContext): Promise<JoinGroupResponse> {
    const v = ctx.apiVersion;
    const groupInstanceId = req.groupInstanceId ?? null;
    let result;
    if (groupInstanceId !== null && !/^[a-zA-Z0-9._-]{1,249}$/.test(groupInstanceId)) {
      // Kafka validates group.instance.id like a topic name.
      result = { errorCode: E.INVALID_GROUP_ID, memberId: req.memberId, generationId: -1, protocolType: null, protocolName: null, leaderId: '', skipAssignment: false, members: [] };
    } else {
      result = await this.core.joinGroup({
        groupId: req.groupId,
        memberId: req.memberId,
        groupInstanceId,
        requireKnownMemberId: v >= 4 && groupInstanceId === null,
        clientId: ctx.clientId ?? '',
        clientHost: clientHostOf(ctx),
        // v0 has no rebalance timeout: the session timeout stands in for it.
        rebalanceTimeoutMs: v >= 1 && req.rebalanceTimeoutMs !== undefined && req.rebalanceTimeoutMs >= 0 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
        sessionTimeoutMs: req.sessionTimeoutMs,
        protocolType: req.protocolType,
        protocols: req.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
        reason: req.reason ?? null,
      });
    }
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      protocolType: result.protocolType,
      // Before v7 the protocol name is not nullable: Kafka sends "" (GroupCoordinator.NoProtocol).
      protocolName: v >= 7 ? result.protocolName : (result.protocolName ?? ''),
      leader: result.leaderId,
      skipAssignment: result.skipAssignment,
      memberId: result.memberId,
      members: result.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
    };
  }

  async handleSyncGroup(req: SyncGroupRequest, ctx: RequestContext): Promise<SyncGroupResponse> {
    const v = ctx.apiVersion;
    if (v >= 5 && (req.protocolType == null || req.protocolName == null)) {
      return { throttleTimeMs: 0, errorCode: E.INCONSISTENT_GROUP_PROTOCOL, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
    }
    const r = await this.core.syncGroup({
      groupId: req.groupId,
      generationId: req.generationId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId ?? null,
      protocolType: req.protocolType ?? null,
      protocolName: req.protocolName ?? null,
      assignments: req.assignments.map((a) => ({ memberId: a.memberId, assignment: Buffer.from(a.assignment) })),
    });
    return { throttleTimeMs: 0, errorCode: r.errorCode, protocolType: r.protocolType, protocolName: r.protocolName, assignment: r.assignment };
  }

  async handleHeartbeat(req: HeartbeatRequest, _ctx: RequestContext): Promise<HeartbeatResponse> {
    return { throttleTimeMs: 0, errorCode: this.core.heartbeat(req.groupId, req.memberId, req.groupInstanceId ?? null, req.generationId) };
  }

  async handleLeaveGroup(req: LeaveGroupRequest, ctx: RequestContext): Promise<LeaveGroupResponse> {
    if (ctx.apiVersion < 3) {
      const r = this.core.leaveGroup(req.groupId, [{ memberId: req.memberId ?? '', groupInstanceId: null }]);
      // Before v3 there is one member and its error is the response's error.
      const errorCode = r.errorCode !== E.NONE ? r.errorCode : (r.members[0]?.errorCode ?? E.NONE);
      return { throttleTimeMs: 0, errorCode };
    }
    const leaving = (req.members ?? []).map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, reason: m.reason ?? null }));
    const r = this.core.leaveGroup(req.groupId, leaving);
    return { throttleTimeMs: 0, errorCode: r.errorCode, members: r.members };
  }

  // ---------------------------------------------------------------- offsets

  async handleOffsetCommit(req: OffsetCommitRequest, ctx: RequestContext): Promise<OffsetCommitResponse> {
    const v = ctx.apiVersion;
    const now = this.scheduler.now();
    const retention = v >= 2 && v <= 4 && req.retentionTimeMs !== undefined ? Number(req.retentionTimeMs) : -1;
    const errors = new Map<string, number>();
    const key = (t: string, p: number): string => `${t}\u0000${p}`;
    const entries: { topic: string; partition: number; value: { offset: bigint; leaderEpoch: number; metadata: string; commitTimestamp: number; expireTimestamp: number | null } }[] = [];
    for (const t of req.topics) {
      for (const p of t.partitions) {
        if (this.topics && !this.topics.partitionExists(t.name, p.partitionIndex)) {
          errors.set(key(t.name, p.partitionIndex), E.UNKNOWN_TOPIC_OR_PARTITION);
          continue;
        }
        const ts = v === 1 && p.commitTimestamp !== undefined && p.commitTimestamp !== -1n ? Number(p.commitTimestamp) : now;
        entries.push({
          topic: t.name,
          partition: p.partitionIndex,
          value: {
            offset: p.committedOffset,
            leaderEpoch: p.committedLeaderEpoch ?? -1,
            metadata: p.committedMetadata ?? '',
            commitTimestamp: ts,
            expireTimestamp: retention === -1 ? null : now + retention,
          },
        });
      }
    }
    if (entries.length > 0) {
      const codes = await this.core.commitOffsets(req.groupId, req.memberId ?? '', req.groupInstanceId ?? null, v >= 1 ? (req.generationIdOrMemberEpoch ?? -1) : -1, entries);
      entries.forEach((e, i) => errors.set(key(e.topic, e.partition), codes[i]));
    }
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: errors.get(key(t.name, p.partitionIndex)) ?? E.NONE })),
      })),
    };
  }

  async handleOffsetFetch(req: OffsetFetchRequest, ctx: RequestContext): Promise<OffsetFetchResponse> {
    const v = ctx.apiVersion;
    const toPartitions = (topics: { name: string; partitionIndexes: number[] }[] | null | undefined): TopicPartition[] | null =>
      topics == null ? null : topics.flatMap((t) => t.partitionIndexes.map((partition) => ({ topic: t.name, partition })));
    const grouped = (offsets: FetchedOffset[], withEpoch: boolean) =>
      [...byTopic(offsets)].map(([name, ps]) => ({
        name,
        partitions: ps.map((p) => ({
          partitionIndex: p.partition,
          committedOffset: p.offset,
          ...(withEpoch ? { committedLeaderEpoch: p.leaderEpoch } : {}),
          metadata: p.metadata,
          errorCode: p.errorCode,
        })),
      }));
    if (v >= 8) {
      return {
        throttleTimeMs: 0,
        groups: (req.groups ?? []).map((g) => {
          const r = this.core.fetchOffsets(g.groupId, toPartitions(g.topics), { memberId: g.memberId ?? null, memberEpoch: g.memberEpoch ?? -1 });
          return { groupId: g.groupId, errorCode: r.errorCode, topics: r.errorCode === E.NONE ? grouped(r.offsets, true) : [] };
        }),
      };
    }
    const groupId = req.groupId ?? '';
    const partitions = toPartitions(req.topics);
    const r = this.core.fetchOffsets(groupId, partitions);
    if (r.errorCode !== E.NONE) {
      if (v >= 2) return { throttleTimeMs: 0, errorCode: r.errorCode, topics: [] };
      // v0/v1 have no top-level error: every requested partition carries it.
      const failed = (partitions ?? []).map((tp) => ({ ...tp, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: r.errorCode }));
      return { throttleTimeMs: 0, topics: grouped(failed, false) };
    }
    return { throttleTimeMs: 0, errorCode: E.NONE, topics: grouped(r.offsets, v >= 5) };
  }

  async handleOffsetDelete(req: OffsetDeleteRequest, _ctx: RequestContext): Promise<OffsetDeleteResponse> {
    const unknown = new Set<string>();
    const partitions: TopicPartition[] = [];
    for (const t of req.topics) {
      for (const p of t.partitions) {
        if (this.topics && !this.topics.partitionExists(t.name, p.partitionIndex)) unknown.add(`${t.name}\u0000${p.partitionIndex}`);
        else partitions.push({ topic: t.name, partition: p.partitionIndex });
      }
    }
    const r = await this.core.deleteOffsets(req.groupId, partitions);
    if (r.errorCode !== E.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
    const codes = new Map<string, number>(partitions.map((tp, i) => [`${tp.topic}\u0000${tp.partition}`, r.partitionErrors[i]]));
    return {
      errorCode: E.NONE,
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => {
          const k = `${t.name}\u0000${p.partitionIndex}`;
          return { partitionIndex: p.partitionIndex, errorCode: unknown.has(k) ? E.UNKNOWN_TOPIC_OR_PARTITION : (codes.get(k) ?? E.NONE) };
        }),
      })),
    };
  }

  // ---------------------------------------------------------------- administration

  async handleListGroups(req: ListGroupsRequest, _ctx: RequestContext): Promise<ListGroupsResponse> {
    const r = this.core.listGroups(req.statesFilter ?? [], req.typesFilter ?? []);
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      groups: r.groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: g.groupType })),
    };
  }

  async handleDescribeGroups(req: DescribeGroupsRequest, _ctx: RequestContext): Promise<DescribeGroupsResponse> {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((groupId) => {
        const { errorCode, summary } = this.core.describeGroup(groupId);
        return {
          errorCode,
          groupId,
          groupState: summary.state,
          protocolType: summary.protocolType,
          protocolData: summary.protocol,
          members: summary.members.map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            memberMetadata: m.metadata,
            memberAssignment: m.assignment,
          })),
          authorizedOperations: req.includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : -2147483648,
        };
      }),
    };
  }

  async handleDeleteGroups(req: DeleteGroupsRequest, _ctx: RequestContext): Promise<DeleteGroupsResponse> {
    const r = await this.core.deleteGroups(req.groupsNames);
    return { throttleTimeMs: 0, results: req.groupsNames.map((groupId) => ({ groupId, errorCode: r.get(groupId) ?? E.NONE })) };
  }

  // ---------------------------------------------------------------- KIP-848

  async handleConsumerGroupHeartbeat(req: ConsumerGroupHeartbeatRequest, ctx: RequestContext): Promise<ConsumerGroupHeartbeatResponse> {
    const r = await this.core.consumerGroupHeartbeat({
      apiVersion: ctx.apiVersion,
      groupId: req.groupId,
      memberId: req.memberId,
      memberEpoch: req.memberEpoch,
      instanceId: req.instanceId ?? null,
      rackId: req.rackId ?? null,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs ?? -1,
      subscribedTopicNames: req.subscribedTopicNames ?? null,
      subscribedTopicRegex: req.subscribedTopicRegex ?? null,
      serverAssignor: req.serverAssignor ?? null,
      ownedPartitions: req.topicPartitions ?? null,
      clientId: ctx.clientId ?? '',
      clientHost: clientHostOf(ctx),
    });
    return {
      throttleTimeMs: 0,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
      memberId: r.memberId,
      memberEpoch: r.memberEpoch,
      heartbeatIntervalMs: r.heartbeatIntervalMs,
      assignment: r.assignment === null ? null : { topicPartitions: [...r.assignment].filter(([, ps]) => ps.size > 0).map(([topicId, ps]) => ({ topicId, partitions: [...ps].sort((a, b) => a - b) })) },
    };
  }

  async handleConsumerGroupDescribe(req: ConsumerGroupDescribeRequest, _ctx: RequestContext): Promise<ConsumerGroupDescribeResponse> {
    const nameOf = (id: string): string => this.topics?.topicName?.(id) ?? '';
    const toWire = (a: Map<string, Set<number>> | undefined) => ({
      topicPartitions: [...(a ?? new Map<string, Set<number>>())]
        .filter(([, ps]) => ps.size > 0)
        .map(([topicId, ps]) => ({ topicId, topicName: nameOf(topicId), partitions: [...ps].sort((x, y) => x - y) })),
    });
    return {
      throttleTimeMs: 0,
      groups: req.groupIds.map((groupId) => {
        const r = this.core.describeConsumerGroup(groupId);
        const d = r.data;
        return {
          errorCode: r.errorCode,
          errorMessage: r.errorMessage,
          groupId,
          // ConsumerGroupDescribe spells the states in lower case (Kafka's ConsumerGroupState.toString()).
          groupState: d ? d.stateName().toLowerCase() : '',
          groupEpoch: d?.groupEpoch ?? -1,
          assignmentEpoch: d?.targetAssignmentEpoch ?? -1,
          assignorName: d?.assignorName ?? '',
          members: d
            ? [...d.members.values()].map((m) => ({
                memberId: m.memberId,
                instanceId: m.instanceId,
                rackId: m.rackId,
                memberEpoch: m.memberEpoch,
                clientId: m.clientId,
                clientHost: m.clientHost,
                subscribedTopicNames: m.subscribedTopicNames,
                subscribedTopicRegex: m.subscribedTopicRegex,
                assignment: toWire(m.assigned),
                targetAssignment: toWire(d.targetAssignment.get(m.memberId)),
              }))
            : [],
          authorizedOperations: req.includeAuthorizedOperations ? GROUP_AUTHORIZED_OPERATIONS : -2147483648,
        };
      }),
    };
  }
}
