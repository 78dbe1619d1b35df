// The classic group protocol as Kafka's GroupCoordinator runs it, without any wire types: JoinGroup / SyncGroup /
// Heartbeat / LeaveGroup drive the state machine Empty -> PreparingRebalance -> CompletingRebalance -> Stable (and
// Dead when a group is deleted), offsets are committed/fetched/deleted/expired, and every change that must survive
// a restart is written to __consumer_offsets through `OffsetsLogWriter`. Time only comes from the Scheduler.
//
// Node runs this on one thread, so Kafka's per-group locks are unnecessary; the one place that needs care is
// after an `await` on the log, where the group may have moved on (checked exactly as Kafka re-checks).
import { randomUUID } from 'node:crypto';
import { NEW_MEMBER_JOIN_TIMEOUT_MS, type GroupCoordinatorConfig } from './config.js';
import { ConsumerGroupProtocol, type ConsumerHeartbeatParams, type ConsumerHeartbeatResult } from './consumer-group-protocol.js';
import type { ConsumerGroupData, TopicInfo } from './consumer-group.js';
import { decodeConsumerKey, desiredRecords, diffRecords, loadConsumerGroups, type ConsumerRecordKey } from './consumer-group-records.js';
import { CONSUMER_PROTOCOL_TYPE } from './consumer-protocol.js';
import { GroupErrors as E } from './error-codes.js';
import {
  ClassicGroup,
  ClassicMember,
  joinError,
  syncError,
  topicPartitionKey,
  type JoinResult,
  type OffsetAndMetadata,
  type Protocol,
  type SyncResult,
} from './group.js';
import { partitionForGroup } from './partitioning.js';
import {
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
  type GroupMetadataValue,
} from './records.js';
import type { Scheduler } from './scheduler.js';

export interface OffsetsRecord {
  key: Buffer;
  value: Buffer | null;
}

/** Where the coordinator persists: one append = one record batch on one __consumer_offsets partition. */
export interface OffsetsLogWriter {
  /** Resolves once durable; rejects with an Error carrying a Kafka `errorCode` when the append failed. */
  append(partition: number, records: OffsetsRecord[], timestamp: number): Promise<void>;
}

export interface CoordinatorLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

const silentLogger: CoordinatorLogger = { info: () => {}, warn: () => {} };

export interface JoinParams {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  /** JoinGroup v4+ without group.instance.id: hand out a member id and ask the client to rejoin with it. */
  requireKnownMemberId: boolean;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  reason?: string | null;
}

export interface SyncParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface MemberIdentity {
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}

export interface LeaveResult {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface OffsetCommitEntry extends TopicPartition {
  value: OffsetAndMetadata;
}

export interface FetchedOffset extends TopicPartition {
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface MemberSummary {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupSummary {
  state: string;
  protocolType: string;
  protocol: string;
  members: MemberSummary[];
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
  state: string;
  groupType: 'classic' | 'consumer';
}

type Api = 'join' | 'sync' | 'heartbeat' | 'leave' | 'commit' | 'fetch' | 'describe' | 'delete' | 'offset-delete';

/** Storage errors become what Kafka tells group clients (GroupMetadataManager's mapping). */
function mapStoreError(code: number, forCommit: boolean): number {
  switch (code) {
    case 3: // UNKNOWN_TOPIC_OR_PARTITION
    case 19: // NOT_ENOUGH_REPLICAS
    case 20: // NOT_ENOUGH_REPLICAS_AFTER_APPEND
      return E.COORDINATOR_NOT_AVAILABLE;
    case 6: // NOT_LEADER_OR_FOLLOWER
    case 56: // KAFKA_STORAGE_ERROR
      return E.NOT_COORDINATOR;
    case 7: // REQUEST_TIMED_OUT
      return forCommit ? 7 : E.REBALANCE_IN_PROGRESS;
    case 10: // MESSAGE_TOO_LARGE
    case 18: // RECORD_LIST_TOO_LARGE
    case 4: // INVALID_FETCH_SIZE
      return forCommit ? E.INVALID_COMMIT_OFFSET_SIZE : E.UNKNOWN_SERVER_ERROR;
    default:
      return code;
  }
}

function errorCodeOf(e: unknown): number {
  if (e && typeof e === 'object' && 'errorCode' in e && typeof (e as { errorCode: unknown }).errorCode === 'number') {
    return (e as { errorCode: number }).errorCode;
  }
  return E.UNKNOWN_SERVER_ERROR;
}

export class ClassicGroupCoordinator {
  private readonly groups = new Map<string, ClassicGroup>();
  /** __consumer_offsets partitions being replayed: their groups answer COORDINATOR_LOAD_IN_PROGRESS. */
  private readonly loadingPartitions = new Set<number>();
  private active = false;
  /** KIP-848 groups (ConsumerGroupHeartbeat). */
  readonly consumerProtocol: ConsumerGroupProtocol;
  /** Topic name -> id and partition count, for server-side assignment (set by the broker glue). */
  resolveTopic: (name: string) => TopicInfo | undefined = () => undefined;

  constructor(
    readonly config: GroupCoordinatorConfig,
    private readonly log: OffsetsLogWriter,
    readonly scheduler: Scheduler,
    private readonly logger: CoordinatorLogger = silentLogger,
  ) {
    this.consumerProtocol = new ConsumerGroupProtocol({
      config,
      scheduler,
      groupStatusError: (groupId) => this.validateGroupStatus(groupId, 'heartbeat'),
      getGroup: (groupId) => this.groups.get(groupId),
      putGroup: (group) => void this.groups.set(group.groupId, group),
      resolveTopic: (name) => this.resolveTopic(name),
      info: (msg) => this.logger.info(msg),
      changed: (group) => void this.persistConsumerGroup(group),
    });
  }

  /** ConsumerGroupHeartbeat; answers once the group's records it changed are in the log. */
  async consumerGroupHeartbeat(p: ConsumerHeartbeatParams): Promise<ConsumerHeartbeatResult> {
    const r = this.consumerProtocol.heartbeat(p);
    const group = this.groups.get(p.groupId);
    if (r.errorCode === E.NONE && group?.consumer) {
      const err = await this.persistConsumerGroup(group);
      if (err !== E.NONE) return { ...r, errorCode: err, errorMessage: null, assignment: null };
    }
    return r;
  }

  /**
   * Appends what changed in a KIP-848 group since the last append (records whose bytes differ, tombstones for
   * departed members), chained per group so records reach the log in the order the changes happened.
   */
  private persistConsumerGroup(group: ClassicGroup): Promise<number> {
    const data = group.consumer;
    if (!data) return Promise.resolve(E.NONE);
    const records = diffRecords(data.written, desiredRecords(group.groupId, data));
    if (records.length === 0) return data.writeChain.then(() => data.lastWriteError);
    const run = data.writeChain.then(async () => {
      try {
        await this.log.append(this.partitionFor(group.groupId), records, this.scheduler.now());
        data.lastWriteError = E.NONE;
      } catch (e) {
        data.lastWriteError = mapStoreError(errorCodeOf(e), false);
        this.logger.warn(`Failed to store consumer group ${group.groupId}: error ${data.lastWriteError}`);
      }
      return data.lastWriteError;
    });
    data.writeChain = run.then(() => undefined);
    return run;
  }

  /** ConsumerGroupDescribe: only KIP-848 groups; classic ones answer GROUP_ID_NOT_FOUND as in Kafka. */
  describeConsumerGroup(groupId: string): { errorCode: number; errorMessage: string | null; data: ConsumerGroupData | null } {
    const statusError = this.validateGroupStatus(groupId, 'describe');
    if (statusError !== null) return { errorCode: statusError, errorMessage: null, data: null };
    const group = this.groups.get(groupId);
    if (!group || group.is('Dead')) return { errorCode: E.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.`, data: null };
    if (!group.consumer) return { errorCode: E.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a consumer group.`, data: null };
    return { errorCode: E.NONE, errorMessage: null, data: group.consumer };
  }

  // ---------------------------------------------------------------- lifecycle, loading

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.config.offsetsTopicNumPartitions);
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Marks every partition as loading; requests for their groups get COORDINATOR_LOAD_IN_PROGRESS until loaded. */
  beginLoading(partitions: number[]): void {
    this.active = true;
    for (const p of partitions) this.loadingPartitions.add(p);
  }

  isLoading(groupId?: string): boolean {
    if (groupId === undefined) return this.loadingPartitions.size > 0;
    return this.loadingPartitions.has(this.partitionFor(groupId));
  }

  /**
   * Rebuilds the groups of one partition from its records in log order (later records win, null values delete),
   * as GroupMetadataManager.doLoadGroupsAndOffsets does, then schedules session timers for the loaded members.
   */
  completeLoading(partition: number, records: Iterable<OffsetsRecord & { timestamp?: number }>): { groups: number; offsets: number } {
    // Compaction-style pass first: only the last value of each key matters, so values overwritten later in the
    // log are never decoded (most of a busy __consumer_offsets partition is superseded commits).
    const latest = new Map<string, Buffer | null>();
    for (const rec of records) latest.set(rec.key.toString('latin1'), rec.value);
    const offsets = new Map<string, Map<string, { topic: string; partition: number; value: OffsetAndMetadata }>>();
    const metadata = new Map<string, GroupMetadataValue | null>();
    const consumerEntries: { key: ConsumerRecordKey; rawKey: string; value: Buffer }[] = [];
    for (const [rawKey, value] of latest) {
      let ckey: ConsumerRecordKey | null;
      try {
        ckey = decodeConsumerKey(Buffer.from(rawKey, 'latin1'));
      } catch {
        ckey = null;
      }
      if (ckey) {
        if (value !== null) consumerEntries.push({ key: ckey, rawKey, value });
        continue;
      }
      let key;
      try {
        key = decodeKey(Buffer.from(rawKey, 'latin1'));
      } catch (e) {
        this.logger.warn(`__consumer_offsets-${partition}: skipping record with unreadable key: ${(e as Error).message}`);
        continue;
      }
      try {
        if (key.kind === 'offset') {
          if (value === null) continue;
          let m = offsets.get(key.group);
          if (!m) offsets.set(key.group, (m = new Map()));
          m.set(topicPartitionKey(key.topic, key.partition), { topic: key.topic, partition: key.partition, value: decodeOffsetCommitValue(value) });
        } else {
          metadata.set(key.group, value === null ? null : decodeGroupMetadataValue(value));
        }
      } catch (e) {
        this.logger.warn(`__consumer_offsets-${partition}: skipping unreadable value for group ${key.group}: ${(e as Error).message}`);
      }
    }
    const now = this.scheduler.now();
    let loadedGroups = 0;
    let loadedOffsets = 0;
    let consumerGroups = new Map<string, { data: ConsumerGroupData; written: Map<string, Buffer> }>();
    try {
      consumerGroups = loadConsumerGroups(consumerEntries);
    } catch (e) {
      this.logger.warn(`__consumer_offsets-${partition}: skipping unreadable consumer group records: ${(e as Error).message}`);
    }
    const ids = new Set([...offsets.keys(), ...metadata.keys(), ...consumerGroups.keys()]);
    for (const groupId of ids) {
      const meta = metadata.get(groupId) ?? null;
      const groupOffsets = offsets.get(groupId);
      const cg = consumerGroups.get(groupId);
      if (meta === null && !cg && (!groupOffsets || groupOffsets.size === 0)) continue;
      const group = meta && !cg ? this.groupFromMetadata(groupId, meta, now) : new ClassicGroup(groupId, 'Empty', now);
      if (cg) {
        cg.data.written = cg.written;
        group.consumer = cg.data;
        group.protocolType = CONSUMER_PROTOCOL_TYPE;
      }
      if (groupOffsets) for (const [k, v] of groupOffsets) group.offsets.set(k, v);
      // A group might have been created by a request while loading; the log is authoritative.
      this.groups.set(groupId, group);
      loadedGroups++;
      loadedOffsets += group.offsets.size;
      for (const m of group.members.values()) this.scheduleHeartbeat(group, m, m.sessionTimeoutMs);
      if (group.consumer) this.consumerProtocol.armLoaded(group);
    }
    this.loadingPartitions.delete(partition);
    return { groups: loadedGroups, offsets: loadedOffsets };
  }

  private groupFromMetadata(groupId: string, v: GroupMetadataValue, now: number): ClassicGroup {
    const group = new ClassicGroup(groupId, v.members.length === 0 ? 'Empty' : 'Stable', now);
    group.generationId = v.generation;
    group.protocolType = v.protocolType === '' ? null : v.protocolType;
    group.protocolName = v.protocol;
    group.currentStateTimestamp = v.currentStateTimestamp >= 0 ? v.currentStateTimestamp : null;
    for (const sm of v.members) {
      const protocols = [{ name: v.protocol ?? '', metadata: sm.subscription }];
      const member = new ClassicMember(
        sm.memberId,
        sm.groupInstanceId,
        sm.clientId,
        sm.clientHost,
        sm.rebalanceTimeout >= 0 ? sm.rebalanceTimeout : sm.sessionTimeout,
        sm.sessionTimeout,
        v.protocolType,
        protocols,
      );
      member.assignment = sm.assignment;
      group.add(member, null);
    }
    // add() made the first member leader; the stored leader wins.
    group.leaderId = v.leader !== null && group.has(v.leader) ? v.leader : group.leaderId;
    group.protocolType = v.protocolType === '' ? null : v.protocolType;
    group.subscribedTopics = group.computeSubscribedTopics();
    return group;
  }

  /** Stops timers and answers every parked JoinGroup/SyncGroup with NOT_COORDINATOR (Kafka's onResignation). */
  shutdown(): void {
    this.active = false;
    for (const group of this.groups.values()) {
      group.joinTimer?.handle.cancel();
      group.joinTimer = null;
      group.syncTimer?.cancel();
      group.syncTimer = null;
      for (const t of group.pendingMembers.values()) t?.cancel();
      this.consumerProtocol.shutdown(group);
      for (const m of group.members.values()) {
        m.heartbeatTimer?.cancel();
        m.heartbeatTimer = null;
        group.maybeInvokeJoin(m, joinError(m.memberId, E.NOT_COORDINATOR));
        group.maybeInvokeSync(m, syncError(E.NOT_COORDINATOR));
      }
    }
    this.groups.clear();
  }

  getGroup(groupId: string): ClassicGroup | undefined {
    return this.groups.get(groupId);
  }

  // ---------------------------------------------------------------- validation

  private validateGroupStatus(groupId: string | null, api: Api): number | null {
    const emptyAllowed = api === 'commit' || api === 'fetch' || api === 'describe' || api === 'delete';
    if (groupId === null || (!emptyAllowed && groupId.length === 0)) return E.INVALID_GROUP_ID;
    if (!this.active) return E.COORDINATOR_NOT_AVAILABLE;
    if (this.isLoading(groupId)) return E.COORDINATOR_LOAD_IN_PROGRESS;
    return null;
  }

  // ---------------------------------------------------------------- JoinGroup

  joinGroup(p: JoinParams): Promise<JoinResult> {
    return new Promise<JoinResult>((resolve) => {
      try {
        this.doJoinGroup(p, resolve);
      } catch (e) {
        this.logger.warn(`JoinGroup for group ${p.groupId} failed: ${(e as Error).stack ?? String(e)}`);
        resolve(joinError(p.memberId, E.UNKNOWN_SERVER_ERROR));
      }
    });
  }

  private doJoinGroup(p: JoinParams, respond: (r: JoinResult) => void): void {
    const statusError = this.validateGroupStatus(p.groupId, 'join');
    if (statusError !== null) return respond(joinError(p.memberId, statusError));
    if (p.sessionTimeoutMs < this.config.groupMinSessionTimeoutMs || p.sessionTimeoutMs > this.config.groupMaxSessionTimeoutMs) {
      return respond(joinError(p.memberId, E.INVALID_SESSION_TIMEOUT));
    }
    const isUnknownMember = p.memberId === '';
    let group = this.groups.get(p.groupId);
    if (!group) {
      if (!isUnknownMember) return respond(joinError(p.memberId, E.UNKNOWN_MEMBER_ID));
      group = new ClassicGroup(p.groupId, 'Empty', this.scheduler.now());
      this.groups.set(p.groupId, group);
    }
    if (group.consumer) {
      // A KIP-848 group: classic members may only take it over once it is empty.
      if (group.consumer.members.size > 0) return respond(joinError(p.memberId, E.INCONSISTENT_GROUP_PROTOCOL));
      // Back to classic: its KIP-848 records go (tombstones) so a restart does not resurrect the consumer group.
      const stale = diffRecords(group.consumer.written, new Map());
      if (stale.length > 0) this.guard(this.log.append(this.partitionFor(group.groupId), stale, this.scheduler.now()));
      group.consumer = null;
      group.state = 'Empty';
    }
    if (!this.acceptJoiningMember(group, p.memberId)) {
      // Kafka also drops the member so a full group does not keep a rejected member around.
      if (!isUnknownMember && group.has(p.memberId)) this.removeMemberAndUpdateGroup(group, group.get(p.memberId));
      return respond(joinError(p.memberId, E.GROUP_MAX_SIZE_REACHED));
    }
    if (isUnknownMember) this.doNewMemberJoin(group, p, respond);
    else this.doCurrentMemberJoin(group, p, respond);
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
  }

  private acceptJoiningMember(group: ClassicGroup, memberId: string): boolean {
    switch (group.state) {
      case 'Empty':
      case 'Dead':
        return true;
      case 'PreparingRebalance':
        return (group.has(memberId) && group.get(memberId).isAwaitingJoin) || group.numMembersAwaitingJoin < this.config.groupMaxSize;
      default:
        return group.has(memberId) || group.size < this.config.groupMaxSize;
    }
  }

  private doNewMemberJoin(group: ClassicGroup, p: JoinParams, respond: (r: JoinResult) => void): void {
    if (group.is('Dead')) return respond(joinError('', E.COORDINATOR_NOT_AVAILABLE));
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError('', E.INCONSISTENT_GROUP_PROTOCOL));
    const newMemberId = `${p.clientId}-${randomUUID()}`;
    if (p.groupInstanceId !== null) return this.doStaticMemberJoin(group, newMemberId, p, respond);
    if (p.requireKnownMemberId) {
      // KIP-394: the member must come back with this id, so a client that times out and retries does not leave
      // a trail of ghost members behind. The id expires after the session timeout if it never returns.
      const timer = this.scheduler.schedule(p.sessionTimeoutMs, () => this.onExpirePendingMember(group, newMemberId));
      group.pendingMembers.set(newMemberId, timer);
      return respond(joinError(newMemberId, E.MEMBER_ID_REQUIRED));
    }
    this.addMemberAndRebalance(group, newMemberId, p, respond);
  }

  private doStaticMemberJoin(group: ClassicGroup, newMemberId: string, p: JoinParams, respond: (r: JoinResult) => void): void {
    const instanceId = p.groupInstanceId as string;
    const oldMemberId = group.staticMemberId(instanceId);
    if (oldMemberId === undefined) return this.addMemberAndRebalance(group, newMemberId, p, respond);
    // A known instance restarted (or a duplicate appeared): it takes over the slot under a new member id and
    // the old id is fenced.
    this.logger.info(`Static member ${instanceId} of group ${group.groupId} rejoins with new member id ${newMemberId} (was ${oldMemberId})`);
    const previousLeader = group.leaderId;
    const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
    const oldProtocols = member.protocols;
    const oldRebalanceTimeout = member.rebalanceTimeoutMs;
    const oldSessionTimeout = member.sessionTimeoutMs;
    this.scheduleHeartbeat(group, member, member.sessionTimeoutMs);
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, respond);
    switch (group.state) {
      case 'Stable': {
        const next = group.selectProtocol();
        if (group.protocolName === next) {
          // Nothing about the assignment changes: persist the new member id and hand back the current generation
          // without a rebalance. If it led the group, it is told the old leader id so it does not reassign.
          const isLeader = group.isLeader(newMemberId);
          const generation = group.generationId;
          const assignment = new Map([...group.members.values()].map((m) => [m.memberId, m.assignment] as const));
          // The response goes out from here, not through the join waiter.
          member.joinWaiter = null;
          group.numMembersAwaitingJoin--;
          this.guard(this.storeGroup(group, assignment).then((err) => {
            if (err !== E.NONE) {
              group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
              group.updateMember(member, oldProtocols, oldRebalanceTimeout, oldSessionTimeout, null);
              return respond(joinError(newMemberId, err));
            }
            respond({
              errorCode: E.NONE,
              memberId: newMemberId,
              generationId: generation,
              protocolType: group.protocolType,
              protocolName: group.protocolName,
              leaderId: previousLeader ?? '',
              skipAssignment: isLeader,
              members: [],
            });
          }));
        } else {
          this.maybePrepareRebalance(group, `static member ${instanceId} joined with a change of protocol`);
        }
        return;
      }
      case 'CompletingRebalance':
        this.maybePrepareRebalance(group, `static member ${instanceId} rejoined while the group completed a rebalance`);
        return;
      case 'PreparingRebalance':
        return; // it rejoins as part of the running rebalance
      default:
        throw new Error(`group ${group.groupId} in state ${group.state} cannot have static member ${instanceId}`);
    }
  }

  private doCurrentMemberJoin(group: ClassicGroup, p: JoinParams, respond: (r: JoinResult) => void): void {
    const memberId = p.memberId;
    if (group.is('Dead')) return respond(joinError(memberId, E.COORDINATOR_NOT_AVAILABLE));
    if (group.isStaticMemberFenced(memberId, p.groupInstanceId)) return respond(joinError(memberId, E.FENCED_INSTANCE_ID));
    const instanceNotFound = p.groupInstanceId !== null && !group.hasStaticMember(p.groupInstanceId);
    if (group.isPendingMember(memberId)) {
      if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError(memberId, E.INCONSISTENT_GROUP_PROTOCOL));
      // The member came back with the id it was given: now it really joins.
      group.pendingMembers.get(memberId)?.cancel();
      return this.addMemberAndRebalance(group, memberId, { ...p, groupInstanceId: null }, respond);
    }
    if (!group.has(memberId) || instanceNotFound) return respond(joinError(memberId, E.UNKNOWN_MEMBER_ID));
    if (!group.supportsProtocols(p.protocolType, p.protocols)) return respond(joinError(memberId, E.INCONSISTENT_GROUP_PROTOCOL));
    const member = group.get(memberId);
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, p, respond, 'member rejoined during a rebalance');
      case 'CompletingRebalance':
        if (member.matches(p.protocols)) {
          // Probably lost the JoinGroup response: hand out the same generation again.
          return respond(group.joinResultFor(memberId));
        }
        return this.updateMemberAndRebalance(group, member, p, respond, `member ${memberId} changed its metadata`);
      case 'Stable':
        if (group.isLeader(memberId) || !member.matches(p.protocols)) {
          // A leader's JoinGroup always rebalances: it is how the leader reacts to metadata changes (new
          // partitions, new topics matching a pattern) that do not change member metadata.
          return this.updateMemberAndRebalance(group, member, p, respond, group.isLeader(memberId) ? `leader ${memberId} rejoined` : `member ${memberId} changed its metadata`);
        }
        return respond(group.joinResultFor(memberId)); // a follower: no member list
      default:
        // Empty (or Dead): the member is stale; make it start over.
        return respond(joinError(memberId, E.UNKNOWN_MEMBER_ID));
    }
  }

  private addMemberAndRebalance(group: ClassicGroup, memberId: string, p: JoinParams, respond: (r: JoinResult) => void): void {
    const member = new ClassicMember(memberId, p.groupInstanceId, p.clientId, p.clientHost, p.rebalanceTimeoutMs, p.sessionTimeoutMs, p.protocolType, p.protocols);
    member.isNew = true;
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true;
    group.add(member, respond);
    // New members cannot heartbeat yet; if they vanish while parked, drop them after the new-member timeout.
    this.scheduleHeartbeat(group, member, NEW_MEMBER_JOIN_TIMEOUT_MS);
    this.maybePrepareRebalance(group, `adding new member ${memberId}${p.reason ? ` (${p.reason})` : ''}`);
  }

  private updateMemberAndRebalance(group: ClassicGroup, member: ClassicMember, p: JoinParams, respond: (r: JoinResult) => void, reason: string): void {
    group.updateMember(member, p.protocols, p.rebalanceTimeoutMs, p.sessionTimeoutMs, respond);
    this.maybePrepareRebalance(group, reason);
  }

  private maybePrepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.canRebalance()) this.prepareRebalance(group, reason);
  }

  private prepareRebalance(group: ClassicGroup, reason: string): void {
    if (group.is('CompletingRebalance')) this.resetAndPropagateAssignmentError(group, E.REBALANCE_IN_PROGRESS);
    group.syncTimer?.cancel();
    group.syncTimer = null;
    const wasEmpty = group.is('Empty');
    group.transitionTo('PreparingRebalance', this.scheduler.now());
    this.logger.info(`Preparing to rebalance group ${group.groupId} in state PreparingRebalance with old generation ${group.generationId} (reason: ${reason})`);
    if (wasEmpty) {
      const delay = this.config.groupInitialRebalanceDelayMs;
      this.startJoinTimer(group, delay, true, Math.max(group.rebalanceTimeoutMs() - delay, 0));
    } else {
      this.startJoinTimer(group, group.rebalanceTimeoutMs(), false, 0);
      this.tryCompleteJoin(group);
    }
  }

  private startJoinTimer(group: ClassicGroup, delayMs: number, initial: boolean, remainingMs: number): void {
    group.joinTimer?.handle.cancel();
    const handle = this.scheduler.schedule(delayMs, () => this.onJoinTimer(group, handle));
    group.joinTimer = { handle, initial, remainingMs };
  }

  private onJoinTimer(group: ClassicGroup, handle: { cancel(): void }): void {
    const t = group.joinTimer;
    if (!t || t.handle !== handle) return;
    group.joinTimer = null;
    if (t.initial && group.newMemberAdded && t.remainingMs !== 0) {
      // More members arrived during the initial delay: wait another round, bounded by the rebalance timeout.
      group.newMemberAdded = false;
      const delay = Math.min(this.config.groupInitialRebalanceDelayMs, t.remainingMs);
      this.startJoinTimer(group, delay, true, Math.max(t.remainingMs - delay, 0));
      return;
    }
    this.completeJoin(group);
  }

  /** Kafka's DelayedJoin.tryComplete: finish as soon as everybody has rejoined (not during the initial delay). */
  private tryCompleteJoin(group: ClassicGroup): void {
    const t = group.joinTimer;
    if (!t || t.initial || !group.is('PreparingRebalance')) return;
    if (group.hasAllMembersJoined()) {
      t.handle.cancel();
      group.joinTimer = null;
      this.completeJoin(group);
    }
  }

  private completeJoin(group: ClassicGroup): void {
    if (!group.is('PreparingRebalance')) return;
    // Dynamic members that did not rejoin within the rebalance timeout are gone; static ones keep their slot.
    for (const m of group.notYetRejoinedMembers()) {
      if (m.isStatic) continue;
      this.logger.info(`Group ${group.groupId} removes member ${m.memberId}: it did not rejoin before the rebalance timeout`);
      this.removeMemberQuietly(group, m);
    }
    if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
      // Nobody rejoined: try again after another rebalance timeout (session timeouts will clear the group).
      this.logger.warn(`Group ${group.groupId} could not complete rebalance because no members rejoined`);
      this.startJoinTimer(group, group.rebalanceTimeoutMs(), false, 0);
      return;
    }
    group.initNextGeneration(this.scheduler.now());
    if (group.is('Empty')) {
      this.logger.info(`Group ${group.groupId} with generation ${group.generationId} is now empty (__consumer_offsets-${this.partitionFor(group.groupId)})`);
      this.guard(this.storeGroup(group, new Map()).then((err) => {
        if (err !== E.NONE) this.logger.warn(`Failed to write empty metadata for group ${group.groupId}: error ${err}`);
      }));
      return;
    }
    this.logger.info(`Stabilized group ${group.groupId} generation ${group.generationId} with ${group.size} members`);
    for (const m of group.members.values()) {
      group.maybeInvokeJoin(m, group.joinResultFor(m.memberId));
      m.isNew = false;
      this.scheduleHeartbeat(group, m, m.sessionTimeoutMs);
    }
    // Members that got their JoinGroup response must follow with SyncGroup within the rebalance timeout.
    for (const id of group.members.keys()) group.pendingSyncMembers.add(id);
    const generation = group.generationId;
    group.syncTimer = this.scheduler.schedule(group.rebalanceTimeoutMs(), () => this.onExpireSync(group, generation));
  }

  private onExpireSync(group: ClassicGroup, generation: number): void {
    group.syncTimer = null;
    if (generation !== group.generationId || group.pendingSyncMembers.size === 0) return;
    if (!group.is('CompletingRebalance') && !group.is('Stable')) return;
    const missing = [...group.pendingSyncMembers];
    this.logger.info(`Group ${group.groupId} removes members ${missing.join(', ')}: no SyncGroup within the rebalance timeout`);
    for (const id of missing) {
      const m = group.members.get(id);
      if (m) this.removeMemberQuietly(group, m);
    }
    group.pendingSyncMembers.clear();
    this.maybePrepareRebalance(group, `removing members ${missing.join(', ')} on pending sync request expiration`);
  }

  // ---------------------------------------------------------------- heartbeats and member removal

  /**
   * Kafka's completeAndScheduleNextExpiration: a member's session timer restarts on every sign of life. While it
   * is parked in JoinGroup or SyncGroup (and not new) it cannot time out; the timer restarts when that completes.
   */
  private scheduleHeartbeat(group: ClassicGroup, member: ClassicMember, timeoutMs: number): void {
    member.heartbeatTimer?.cancel();
    member.heartbeatTimer = null;
    if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) return;
    const memberRef = member;
    member.heartbeatTimer = this.scheduler.schedule(timeoutMs, () => this.onExpireHeartbeat(group, memberRef));
  }

  private onExpireHeartbeat(group: ClassicGroup, member: ClassicMember): void {
    member.heartbeatTimer = null;
    if (group.is('Dead') || group.members.get(member.memberId) !== member) return;
    if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) return;
    this.logger.info(`Member ${member.memberId} in group ${group.groupId} has failed (session timeout), removing it from the group`);
    this.removeMemberAndUpdateGroup(group, member);
  }

  private onExpirePendingMember(group: ClassicGroup, memberId: string): void {
    if (!group.pendingMembers.has(memberId)) return;
    this.logger.info(`Pending member ${memberId} in group ${group.groupId} has been removed after session timeout expiration`);
    this.removePendingMember(group, memberId);
  }

  private removePendingMember(group: ClassicGroup, memberId: string): void {
    group.pendingMembers.get(memberId)?.cancel();
    group.pendingMembers.delete(memberId);
    if (group.is('PreparingRebalance')) this.tryCompleteJoin(group);
  }

  /** Drops a member without triggering anything (used inside completeJoin / sync expiry). */
  private removeMemberQuietly(group: ClassicGroup, member: ClassicMember): void {
    member.heartbeatTimer?.cancel();
    member.heartbeatTimer = null;
    group.maybeInvokeJoin(member, joinError('', E.UNKNOWN_MEMBER_ID));
    group.maybeInvokeSync(member, syncError(E.UNKNOWN_MEMBER_ID));
    group.remove(member.memberId);
  }

  private removeMemberAndUpdateGroup(group: ClassicGroup, member: ClassicMember): void {
    // A parked JoinGroup of a timed-out new member gets UNKNOWN_MEMBER_ID so a live client retries from scratch.
    this.removeMemberQuietly(group, member);
    switch (group.state) {
      case 'Stable':
      case 'CompletingRebalance':
        this.maybePrepareRebalance(group, `removing member ${member.memberId}`);
        break;
      case 'PreparingRebalance':
        this.tryCompleteJoin(group);
        break;
      default:
        break;
    }
  }

  heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const statusError = this.validateGroupStatus(groupId, 'heartbeat');
    // Kafka answers heartbeats blindly while the group is loading.
    if (statusError === E.COORDINATOR_LOAD_IN_PROGRESS) return E.NONE;
    if (statusError !== null) return statusError;
    const group = this.groups.get(groupId);
    if (!group) return E.UNKNOWN_MEMBER_ID;
    if (group.is('Dead')) return E.COORDINATOR_NOT_AVAILABLE;
    if (group.isStaticMemberFenced(memberId, groupInstanceId)) return E.FENCED_INSTANCE_ID;
    if (!group.has(memberId)) return E.UNKNOWN_MEMBER_ID;
    if (generationId !== group.generationId) return E.ILLEGAL_GENERATION;
    const member = group.get(memberId);
    switch (group.state) {
      case 'Empty':
        return E.UNKNOWN_MEMBER_ID;
      case 'CompletingRebalance':
      case 'Stable':
        this.scheduleHeartbeat(group, member, member.sessionTimeoutMs);
        return E.NONE;
      case 'PreparingRebalance':
        // The heartbeat still counts as a sign of life; the error tells the member to rejoin.
        this.scheduleHeartbeat(group, member, member.sessionTimeoutMs);
        return E.REBALANCE_IN_PROGRESS;
      default:
        return E.UNKNOWN_SERVER_ERROR;
    }
  }

  leaveGroup(groupId: string, leaving: MemberIdentity[]): LeaveResult {
    const statusError = this.validateGroupStatus(groupId, 'leave');
    if (statusError !== null) return { errorCode: statusError, members: [] };
    const group = this.groups.get(groupId);
    if (!group) {
      return { errorCode: E.NONE, members: leaving.map((l) => ({ memberId: l.memberId, groupInstanceId: l.groupInstanceId, errorCode: E.UNKNOWN_MEMBER_ID })) };
    }
    if (group.is('Dead')) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, members: [] };
    const members = leaving.map((l) => {
      const result = (errorCode: number): LeaveResult['members'][number] => ({ memberId: l.memberId, groupInstanceId: l.groupInstanceId, errorCode });
      const why = l.reason ? ` (reason: ${l.reason})` : '';
      if (l.memberId === '') {
        // Administrative removal by group.instance.id (kafka-consumer-groups --delete-members style).
        const current = l.groupInstanceId === null ? undefined : group.staticMemberId(l.groupInstanceId);
        if (current === undefined || !group.has(current)) return result(E.UNKNOWN_MEMBER_ID);
        this.logger.info(`Member ${current} (instance ${l.groupInstanceId}) removed from group ${groupId} by LeaveGroup${why}`);
        this.removeMemberAndUpdateGroup(group, group.get(current));
        return result(E.NONE);
      }
      if (group.isPendingMember(l.memberId)) {
        this.removePendingMember(group, l.memberId);
        return result(E.NONE);
      }
      if (group.isStaticMemberFenced(l.memberId, l.groupInstanceId)) return result(E.FENCED_INSTANCE_ID);
      if (!group.has(l.memberId)) return result(E.UNKNOWN_MEMBER_ID);
      this.logger.info(`Member ${l.memberId} has left group ${groupId} through explicit LeaveGroup${why}`);
      this.removeMemberAndUpdateGroup(group, group.get(l.memberId));
      return result(E.NONE);
    });
    return { errorCode: E.NONE, members };
  }

  // ---------------------------------------------------------------- SyncGroup

  syncGroup(p: SyncParams): Promise<SyncResult> {
    return new Promise<SyncResult>((resolve) => {
      try {
        this.doSyncGroup(p, resolve);
      } catch (e) {
        this.logger.warn(`SyncGroup for group ${p.groupId} failed: ${(e as Error).stack ?? String(e)}`);
        resolve(syncError(E.UNKNOWN_SERVER_ERROR));
      }
    });
  }

  private doSyncGroup(p: SyncParams, respond: (r: SyncResult) => void): void {
    const statusError = this.validateGroupStatus(p.groupId, 'sync');
    if (statusError !== null) {
      // A loading coordinator makes the member rejoin (Kafka: REBALANCE_IN_PROGRESS while loading).
      return respond(syncError(statusError === E.COORDINATOR_LOAD_IN_PROGRESS ? E.REBALANCE_IN_PROGRESS : statusError));
    }
    const group = this.groups.get(p.groupId);
    if (!group) return respond(syncError(E.UNKNOWN_MEMBER_ID));
    if (group.is('Dead')) return respond(syncError(E.COORDINATOR_NOT_AVAILABLE));
    if (group.isStaticMemberFenced(p.memberId, p.groupInstanceId)) return respond(syncError(E.FENCED_INSTANCE_ID));
    if (!group.has(p.memberId)) return respond(syncError(E.UNKNOWN_MEMBER_ID));
    if (p.generationId !== group.generationId) return respond(syncError(E.ILLEGAL_GENERATION));
    if (p.protocolType !== null && group.protocolType !== p.protocolType) return respond(syncError(E.INCONSISTENT_GROUP_PROTOCOL));
    if (p.protocolName !== null && group.protocolName !== p.protocolName) return respond(syncError(E.INCONSISTENT_GROUP_PROTOCOL));
    switch (group.state) {
      case 'Empty':
        return respond(syncError(E.UNKNOWN_MEMBER_ID));
      case 'PreparingRebalance':
        return respond(syncError(E.REBALANCE_IN_PROGRESS));
      case 'CompletingRebalance': {
        const member = group.get(p.memberId);
        if (member.syncWaiter) member.syncWaiter(syncError(E.REBALANCE_IN_PROGRESS));
        member.syncWaiter = respond;
        member.heartbeatTimer?.cancel();
        member.heartbeatTimer = null;
        group.pendingSyncMembers.delete(p.memberId);
        if (group.isLeader(p.memberId)) {
          const assignment = new Map<string, Buffer>();
          for (const a of p.assignments) if (group.has(a.memberId)) assignment.set(a.memberId, a.assignment);
          const missing = [...group.members.keys()].filter((id) => !assignment.has(id));
          for (const id of missing) assignment.set(id, Buffer.alloc(0));
          if (missing.length > 0) this.logger.warn(`Setting empty assignments for members ${missing.join(', ')} of ${group.groupId} for generation ${group.generationId}`);
          const generation = group.generationId;
          this.guard(this.storeGroup(group, assignment).then((err) => {
            // Another member may have joined meanwhile; only the same rebalance may complete.
            if (!group.is('CompletingRebalance') || generation !== group.generationId) return;
            if (err !== E.NONE) {
              this.resetAndPropagateAssignmentError(group, err);
              this.maybePrepareRebalance(group, `error ${err} when storing group assignment during SyncGroup`);
            } else {
              for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? Buffer.alloc(0);
              this.propagateAssignment(group, E.NONE);
              group.transitionTo('Stable', this.scheduler.now());
            }
          }));
        }
        return;
      }
      case 'Stable': {
        group.pendingSyncMembers.delete(p.memberId);
        const member = group.get(p.memberId);
        respond({ errorCode: E.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment });
        this.scheduleHeartbeat(group, member, member.sessionTimeoutMs);
        return;
      }
      default:
        return respond(syncError(E.UNKNOWN_SERVER_ERROR));
    }
  }

  private resetAndPropagateAssignmentError(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) m.assignment = Buffer.alloc(0);
    this.propagateAssignment(group, errorCode);
  }

  private propagateAssignment(group: ClassicGroup, errorCode: number): void {
    for (const m of group.members.values()) {
      const answered = group.maybeInvokeSync(m, {
        errorCode,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        assignment: errorCode === E.NONE ? m.assignment : Buffer.alloc(0),
      });
      if (answered) this.scheduleHeartbeat(group, m, m.sessionTimeoutMs);
    }
  }

  // ---------------------------------------------------------------- persistence

  /** Follow-ups of log appends run detached: a failure there is logged, never an unhandled rejection. */
  private guard(p: Promise<unknown>): void {
    p.catch((e: unknown) => this.logger.warn(`group coordinator follow-up failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  }

  private groupMetadataRecord(group: ClassicGroup, assignment: Map<string, Buffer>): OffsetsRecord {
    const protocol = group.protocolName;
    const value: GroupMetadataValue = {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol,
      leader: group.leaderId,
      currentStateTimestamp: group.currentStateTimestamp ?? -1,
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: protocol === null ? Buffer.alloc(0) : m.metadata(protocol),
        assignment: assignment.get(m.memberId) ?? Buffer.alloc(0),
      })),
    };
    return { key: encodeGroupMetadataKey(group.groupId), value: encodeGroupMetadataValue(value) };
  }

  /** Writes the group's metadata record; resolves with a Kafka error code (NONE on success). */
  private async storeGroup(group: ClassicGroup, assignment: Map<string, Buffer>): Promise<number> {
    const record = this.groupMetadataRecord(group, assignment);
    try {
      await this.log.append(this.partitionFor(group.groupId), [record], this.scheduler.now());
      return E.NONE;
    } catch (e) {
      const code = mapStoreError(errorCodeOf(e), false);
      this.logger.warn(`Failed to store metadata of group ${group.groupId}: error ${code}`);
      return code;
    }
  }

  // ---------------------------------------------------------------- offsets

  async commitOffsets(
    groupId: string,
    memberId: string,
    groupInstanceId: string | null,
    generationId: number,
    entries: OffsetCommitEntry[],
  ): Promise<number[]> {
    const all = (code: number): number[] => entries.map(() => code);
    const statusError = this.validateGroupStatus(groupId, 'commit');
    if (statusError !== null) return all(statusError);
    let group = this.groups.get(groupId);
    if (!group) {
      // Not managed by the coordinator: a "simple" consumer storing offsets only. Any generation means the
      // committer thinks it was a member of a group that is gone.
      if (generationId >= 0) return all(E.ILLEGAL_GENERATION);
      group = new ClassicGroup(groupId, 'Empty', this.scheduler.now());
      this.groups.set(groupId, group);
    }
    if (group.consumer) {
      if (group.is('Dead')) return all(E.COORDINATOR_NOT_AVAILABLE);
      const err = this.consumerProtocol.validateCommit(group.consumer, memberId, generationId);
      if (err !== null) return all(err);
      return this.storeOffsets(group, entries);
    }
    const validation = this.validateOffsetCommit(group, generationId, memberId, groupInstanceId);
    if (validation !== null) return all(validation);
    switch (group.state) {
      case 'Empty':
        break;
      case 'Stable':
      case 'PreparingRebalance': {
        // Commits during PreparingRebalance are allowed; the next heartbeat tells the member to rejoin.
        const member = group.get(memberId);
        this.scheduleHeartbeat(group, member, member.sessionTimeoutMs);
        break;
      }
      case 'CompletingRebalance':
        return all(E.REBALANCE_IN_PROGRESS);
      default:
        return all(E.UNKNOWN_SERVER_ERROR);
    }
    return this.storeOffsets(group, entries);
  }

  private validateOffsetCommit(group: ClassicGroup, generationId: number, memberId: string, groupInstanceId: string | null): number | null {
    if (group.is('Dead')) return E.COORDINATOR_NOT_AVAILABLE;
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      if (group.isStaticMemberFenced(memberId, groupInstanceId)) return E.FENCED_INSTANCE_ID;
      if (!group.has(memberId)) return E.UNKNOWN_MEMBER_ID;
      if (generationId !== group.generationId) return E.ILLEGAL_GENERATION;
      return null;
    }
    // Only members may commit into a group that has members.
    if (!group.is('Empty')) return E.UNKNOWN_MEMBER_ID;
    return null;
  }

  private async storeOffsets(group: ClassicGroup, entries: OffsetCommitEntry[]): Promise<number[]> {
    const codes = entries.map((e) =>
      Buffer.byteLength(e.value.metadata, 'utf8') > this.config.offsetMetadataMaxBytes ? E.OFFSET_METADATA_TOO_LARGE : E.NONE,
    );
    const accepted = entries.filter((_, i) => codes[i] === E.NONE);
    if (accepted.length === 0) return codes;
    const records = accepted.map((e) => ({ key: encodeOffsetCommitKey(group.groupId, e.topic, e.partition), value: encodeOffsetCommitValue(e.value) }));
    const keys = accepted.map((e) => topicPartitionKey(e.topic, e.partition));
    for (const k of keys) group.pendingOffsetCommits.set(k, (group.pendingOffsetCommits.get(k) ?? 0) + 1);
    let error: number = E.NONE;
    try {
      await this.log.append(this.partitionFor(group.groupId), records, this.scheduler.now());
    } catch (e) {
      error = mapStoreError(errorCodeOf(e), true);
      this.logger.warn(`Failed to append offset commits of group ${group.groupId}: error ${error}`);
    }
    for (const k of keys) {
      const n = (group.pendingOffsetCommits.get(k) ?? 1) - 1;
      if (n <= 0) group.pendingOffsetCommits.delete(k);
      else group.pendingOffsetCommits.set(k, n);
    }
    if (error === E.NONE && !group.is('Dead')) {
      for (const e of accepted) group.offsets.set(topicPartitionKey(e.topic, e.partition), { topic: e.topic, partition: e.partition, value: e.value });
    }
    return codes.map((c) => (c === E.NONE ? error : c));
  }

  /** Committed offsets of a group; `partitions` null = every partition with an offset. */
  fetchOffsets(
    groupId: string,
    partitions: TopicPartition[] | null,
    member: { memberId: string | null; memberEpoch: number } = { memberId: null, memberEpoch: -1 },
  ): { errorCode: number; offsets: FetchedOffset[] } {
    const statusError = this.validateGroupStatus(groupId, 'fetch');
    if (statusError !== null) return { errorCode: statusError, offsets: [] };
    const none = (tp: TopicPartition): FetchedOffset => ({ ...tp, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: E.NONE });
    const group = this.groups.get(groupId);
    if (!group || group.is('Dead')) return { errorCode: E.NONE, offsets: (partitions ?? []).map(none) };
    if (group.consumer) {
      const err = this.consumerProtocol.validateFetch(group.consumer, member.memberId, member.memberEpoch);
      if (err !== null) return { errorCode: err, offsets: [] };
    }
    const wanted = partitions ?? [...group.offsets.values()].map((o) => ({ topic: o.topic, partition: o.partition }));
    return {
      errorCode: E.NONE,
      offsets: wanted.map((tp) => {
        const o = group.offsets.get(topicPartitionKey(tp.topic, tp.partition));
        if (!o) return none(tp);
        return { ...tp, offset: o.value.offset, leaderEpoch: o.value.leaderEpoch, metadata: o.value.metadata, errorCode: E.NONE };
      }),
    };
  }

  /** Removes offsets (and, when the group is Dead, the group) with tombstones in one batch. */
  private async writeTombstones(group: ClassicGroup, removed: TopicPartition[], groupTombstone: boolean): Promise<void> {
    const records: OffsetsRecord[] = removed.map((tp) => ({ key: encodeOffsetCommitKey(group.groupId, tp.topic, tp.partition), value: null }));
    if (groupTombstone) records.push({ key: encodeGroupMetadataKey(group.groupId), value: null });
    if (records.length === 0) return;
    try {
      await this.log.append(this.partitionFor(group.groupId), records, this.scheduler.now());
    } catch (e) {
      // Kafka logs and carries on: the in-memory state is already gone, a restart may bring the entries back.
      this.logger.warn(`Failed to write tombstones for group ${group.groupId}: error ${errorCodeOf(e)}`);
    }
  }

  private removeOffsets(group: ClassicGroup, partitions: TopicPartition[] | null): TopicPartition[] {
    const removed: TopicPartition[] = [];
    if (partitions === null) {
      for (const o of group.offsets.values()) removed.push({ topic: o.topic, partition: o.partition });
      group.offsets.clear();
    } else {
      for (const tp of partitions) {
        if (group.offsets.delete(topicPartitionKey(tp.topic, tp.partition))) removed.push(tp);
      }
    }
    return removed;
  }

  /** Drops a Dead group from memory and writes its tombstones (none for a group that only stored offsets). */
  private async cleanupGroup(group: ClassicGroup, removed: TopicPartition[]): Promise<void> {
    const dead = group.is('Dead');
    if (dead && this.groups.get(group.groupId) === group) this.groups.delete(group.groupId);
    await this.writeTombstones(group, removed, dead && group.generationId > 0);
    if (dead && group.consumer && group.consumer.written.size > 0) {
      // A deleted KIP-848 group: tombstones for its epoch records (members are gone already).
      const data = group.consumer;
      const records = diffRecords(data.written, new Map());
      data.writeChain = data.writeChain.then(async () => {
        try {
          await this.log.append(this.partitionFor(group.groupId), records, this.scheduler.now());
        } catch (e) {
          this.logger.warn(`Failed to write tombstones for consumer group ${group.groupId}: error ${errorCodeOf(e)}`);
        }
      });
      await data.writeChain;
    }
  }

  async deleteGroups(groupIds: string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    const toDelete: ClassicGroup[] = [];
    for (const id of groupIds) {
      const statusError = this.validateGroupStatus(id, 'delete');
      if (statusError !== null) {
        result.set(id, statusError);
        continue;
      }
      const group = this.groups.get(id);
      if (!group || group.is('Dead')) result.set(id, E.GROUP_ID_NOT_FOUND);
      else if (group.is('Empty')) {
        group.transitionTo('Dead', this.scheduler.now());
        toDelete.push(group);
      } else result.set(id, E.NON_EMPTY_GROUP);
    }
    for (const group of toDelete) {
      const removed = this.removeOffsets(group, null);
      await this.cleanupGroup(group, removed);
      result.set(group.groupId, E.NONE);
      this.logger.info(`Group ${group.groupId} deleted with ${removed.length} offsets`);
    }
    return result;
  }

  async deleteOffsets(groupId: string, partitions: TopicPartition[]): Promise<{ errorCode: number; partitionErrors: number[] }> {
    const statusError = this.validateGroupStatus(groupId, 'offset-delete');
    if (statusError !== null) return { errorCode: statusError, partitionErrors: [] };
    const group = this.groups.get(groupId);
    if (!group || group.is('Dead')) return { errorCode: E.GROUP_ID_NOT_FOUND, partitionErrors: [] };
    let eligible: boolean[];
    if (group.is('Empty')) eligible = partitions.map(() => true);
    else if (group.protocolType === CONSUMER_PROTOCOL_TYPE) eligible = partitions.map((tp) => !group.isSubscribedToTopic(tp.topic));
    else return { errorCode: E.NON_EMPTY_GROUP, partitionErrors: [] };
    const toRemove = partitions.filter((_, i) => eligible[i]);
    if (toRemove.length > 0) {
      const removed = this.removeOffsets(group, toRemove);
      await this.cleanupGroup(group, removed);
    }
    return { errorCode: E.NONE, partitionErrors: eligible.map((ok) => (ok ? E.NONE : E.GROUP_SUBSCRIBED_TO_TOPIC)) };
  }

  /**
   * offsets.retention.minutes: Kafka's GroupMetadata.removeExpiredOffsets, then groups left Empty without offsets
   * become Dead and are dropped (with a tombstone when they ever had a generation).
   */
  async expireOffsets(): Promise<number> {
    const now = this.scheduler.now();
    const retention = this.config.offsetsRetentionMs;
    let total = 0;
    for (const group of [...this.groups.values()]) {
      if (this.isLoading(group.groupId) || group.is('Dead')) continue;
      let base: ((o: OffsetAndMetadata) => number) | null = null;
      let spared = new Set<string>();
      if (group.protocolType !== null && group.is('Empty')) {
        const stateTs = group.currentStateTimestamp;
        base = (o) => stateTs ?? o.commitTimestamp;
      } else if (group.protocolType === CONSUMER_PROTOCOL_TYPE && group.subscribedTopics !== null && group.is('Stable')) {
        base = (o) => o.commitTimestamp;
        spared = group.subscribedTopics;
      } else if (group.protocolType === null) {
        base = (o) => o.commitTimestamp;
      }
      if (base === null) continue;
      const expired: TopicPartition[] = [];
      for (const [k, o] of group.offsets) {
        if (spared.has(o.topic) || group.pendingOffsetCommits.has(k)) continue;
        const v = o.value;
        const isExpired = v.expireTimestamp !== null ? now >= v.expireTimestamp : now - base(v) >= retention;
        if (isExpired) expired.push({ topic: o.topic, partition: o.partition });
      }
      const removed = this.removeOffsets(group, expired);
      total += removed.length;
      if (group.is('Empty') && !group.hasOffsets()) {
        group.transitionTo('Dead', now);
        this.logger.info(`Group ${group.groupId} transitioned to Dead: it is empty and its offsets expired`);
      }
      if (removed.length > 0 || group.is('Dead')) await this.cleanupGroup(group, removed);
    }
    return total;
  }

  // ---------------------------------------------------------------- listing / describing

  listGroups(states: string[], types: string[]): { errorCode: number; groups: GroupOverview[] } {
    if (!this.active) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, groups: [] };
    const errorCode = this.isLoading() ? E.COORDINATOR_LOAD_IN_PROGRESS : E.NONE;
    const stateSet = new Set(states.map((s) => s.toLowerCase()));
    const typeSet = new Set(types.map((s) => s.toLowerCase()));
    const groups: GroupOverview[] = [];
    for (const g of this.groups.values()) {
      if (g.is('Dead')) continue;
      const state = g.consumer ? g.consumer.stateName() : g.state;
      const groupType = g.consumer ? 'consumer' : 'classic';
      if (stateSet.size > 0 && !stateSet.has(state.toLowerCase())) continue;
      if (typeSet.size > 0 && !typeSet.has(groupType)) continue;
      groups.push({ groupId: g.groupId, protocolType: g.protocolType ?? '', state, groupType });
    }
    return { errorCode, groups };
  }

  describeGroup(groupId: string): { errorCode: number; summary: GroupSummary } {
    const statusError = this.validateGroupStatus(groupId, 'describe');
    if (statusError !== null) return { errorCode: statusError, summary: { state: '', protocolType: '', protocol: '', members: [] } };
    const group = this.groups.get(groupId);
    if (!group) return { errorCode: E.NONE, summary: { state: 'Dead', protocolType: '', protocol: '', members: [] } };
    if (group.consumer) return { errorCode: E.GROUP_ID_NOT_FOUND, summary: { state: '', protocolType: '', protocol: '', members: [] } };
    const stable = group.is('Stable');
    const protocol = stable ? (group.protocolName ?? '') : '';
    const members = group.is('Dead')
      ? []
      : [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          // Metadata and assignment are only meaningful once the group is Stable (as in Kafka).
          metadata: stable ? m.metadata(protocol) : Buffer.alloc(0),
          assignment: stable ? m.assignment : Buffer.alloc(0),
        }));
    return { errorCode: E.NONE, summary: { state: group.state, protocolType: group.protocolType ?? '', protocol, members } };
  }
}
