// ConsumerGroupHeartbeat (KIP-848) on top of the data and rules in consumer-group.ts: request validation, member
// join/leave/fencing, session and revocation timers, target assignment recomputation and per-member
// reconciliation. Also the consumer-group rules for OffsetCommit / OffsetFetch member checks.
import type { GroupCoordinatorConfig } from './config.js';
import {
  ConsumerGroupData,
  ConsumerMember,
  SUPPORTED_SERVER_ASSIGNORS,
  assignmentKey,
  cloneAssignment,
  computeTargetAssignment,
  newConsumerMemberId,
  reconcileMember,
  type Assignment,
  type TopicInfo,
} from './consumer-group.js';
import { CONSUMER_PROTOCOL_TYPE } from './consumer-protocol.js';
import { GroupErrors as E } from './error-codes.js';
import { ClassicGroup } from './group.js';
import type { Scheduler } from './scheduler.js';

export interface ConsumerHeartbeatParams {
  apiVersion: number;
  groupId: string;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  ownedPartitions: { topicId: string; partitions: number[] }[] | null;
  clientId: string;
  clientHost: string;
}

export interface ConsumerHeartbeatResult {
  errorCode: number;
  errorMessage: string | null;
  memberId: string | null;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: Assignment | null;
}

export interface ConsumerProtocolHost {
  readonly config: GroupCoordinatorConfig;
  readonly scheduler: Scheduler;
  groupStatusError(groupId: string): number | null;
  getGroup(groupId: string): ClassicGroup | undefined;
  putGroup(group: ClassicGroup): void;
  resolveTopic(name: string): TopicInfo | undefined;
  info(msg: string): void;
  /** The group's state changed (also from timers): persist it. */
  changed(group: ClassicGroup): void;
}

const LEAVE_EPOCH = -1;
const STATIC_LEAVE_EPOCH = -2;

function fail(errorCode: number, errorMessage: string | null = null): ConsumerHeartbeatResult {
  return { errorCode, errorMessage, memberId: null, memberEpoch: -1, heartbeatIntervalMs: 0, assignment: null };
}

function toAssignment(list: { topicId: string; partitions: number[] }[]): Assignment {
  const a: Assignment = new Map();
  for (const tp of list) {
    let s = a.get(tp.topicId);
    if (!s) a.set(tp.topicId, (s = new Set()));
    for (const p of tp.partitions) s.add(p);
  }
  return a;
}

export class ConsumerGroupProtocol {
  constructor(private readonly host: ConsumerProtocolHost) {}

  heartbeat(p: ConsumerHeartbeatParams): ConsumerHeartbeatResult {
    const invalid = this.validate(p);
    if (invalid) return fail(E.INVALID_REQUEST, invalid);
    const status = this.host.groupStatusError(p.groupId);
    if (status !== null) return fail(status);
    if (p.serverAssignor !== null && !SUPPORTED_SERVER_ASSIGNORS.includes(p.serverAssignor)) {
      return fail(E.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${p.serverAssignor} is not supported. Supported assignors: ${SUPPORTED_SERVER_ASSIGNORS.join(', ')}.`);
    }
    let group = this.host.getGroup(p.groupId);
    if (group && !group.consumer) {
      if (!group.is('Empty')) return fail(E.GROUP_ID_NOT_FOUND, `Group ${p.groupId} is not a consumer group.`);
      // An empty classic group (maybe only holding offsets) becomes a consumer group.
      group.consumer = new ConsumerGroupData();
      group.protocolType = CONSUMER_PROTOCOL_TYPE;
    }
    if (p.memberEpoch === LEAVE_EPOCH || p.memberEpoch === STATIC_LEAVE_EPOCH) {
      const data = group?.consumer;
      const member = data?.members.get(p.memberId);
      if (!group || !data || !member) return fail(E.UNKNOWN_MEMBER_ID, `Member ${p.memberId} is not a member of group ${p.groupId}.`);
      if (p.memberEpoch === STATIC_LEAVE_EPOCH && member.instanceId !== null) {
        // A static member going away for a while (a restart): its partitions wait for its instance id.
        member.leftStatically = true;
        this.host.changed(group);
      } else this.removeMember(group, member, 'left the group');
      return { errorCode: E.NONE, errorMessage: null, memberId: p.memberId, memberEpoch: p.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
    }
    if (!group) {
      if (p.memberEpoch !== 0) return fail(E.FENCED_MEMBER_EPOCH, `Group ${p.groupId} does not know member ${p.memberId}: rejoin with epoch 0.`);
      group = new ClassicGroup(p.groupId, 'Empty', this.host.scheduler.now());
      group.consumer = new ConsumerGroupData();
      group.protocolType = CONSUMER_PROTOCOL_TYPE;
      this.host.putGroup(group);
    }
    const data = group.consumer as ConsumerGroupData;
    let member: ConsumerMember;
    let bump = false;
    const owned = p.ownedPartitions === null ? null : toAssignment(p.ownedPartitions);
    if (p.memberEpoch === 0) {
      const memberId = p.apiVersion >= 1 || p.memberId !== '' ? p.memberId : newConsumerMemberId();
      const previous = p.instanceId === null ? undefined : [...data.members.values()].find((m) => m.instanceId === p.instanceId);
      if (previous && !previous.leftStatically && previous.memberId !== memberId) {
        return fail(E.UNRELEASED_INSTANCE_ID, `Static member ${previous.memberId} with instance id ${p.instanceId} is present in the consumer group ${p.groupId}.`);
      }
      const existing = data.members.get(memberId);
      // Rejoining with epoch 0 means the member lost its state: it starts from nothing.
      if (existing && existing !== previous) this.removeMember(group, existing, 'rejoined with epoch 0');
      if (!previous && data.members.size >= this.host.config.consumerMaxSize) {
        return fail(E.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.host.config.consumerMaxSize} members.`);
      }
      member = new ConsumerMember(memberId, p.clientId, p.clientHost);
      if (previous) {
        // The instance is back under a new member id: it takes over its old self's epoch and partitions, no rebalance.
        this.takeOver(data, previous, member);
        this.host.info(`Static member ${p.instanceId} of consumer group ${group.groupId} rejoined as ${memberId} (was ${previous.memberId})`);
      } else {
        data.members.set(memberId, member);
        bump = true;
        this.host.info(`Member ${memberId} joined consumer group ${group.groupId}`);
      }
    } else {
      const m = data.members.get(p.memberId);
      if (!m) return fail(E.FENCED_MEMBER_EPOCH, `Member ${p.memberId} is not a member of group ${p.groupId}: rejoin with epoch 0.`);
      if (p.memberEpoch !== m.memberEpoch) {
        // A member that missed our last response still reports the previous epoch: fine if it owns nothing new.
        const tolerated = p.memberEpoch === m.previousMemberEpoch && owned !== null && [...owned].every(([t, ps]) => [...ps].every((x) => m.assigned.get(t)?.has(x) ?? false));
        if (!tolerated) {
          return fail(E.FENCED_MEMBER_EPOCH, `The consumer group member has a smaller member epoch (${p.memberEpoch}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`);
        }
      }
      member = m;
    }
    member.clientId = p.clientId;
    member.clientHost = p.clientHost;
    if (p.instanceId !== null) member.instanceId = p.instanceId;
    if (p.rackId !== null) member.rackId = p.rackId;
    if (p.rebalanceTimeoutMs > 0) member.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    if (p.serverAssignor !== null) data.assignorName = p.serverAssignor;
    if (p.subscribedTopicNames !== null) {
      const next = [...new Set(p.subscribedTopicNames)].sort();
      if (next.join('\u0000') !== member.subscribedTopicNames.join('\u0000')) {
        member.subscribedTopicNames = next;
        bump = true;
      }
    }
    // One new group epoch per heartbeat, however many things changed.
    if (bump) data.groupEpoch++;
    this.refreshTarget(group, data);
    reconcileMember(data, member, { owned });
    this.armTimers(group, member);
    this.syncGroupState(group, data);
    this.host.changed(group);
    const key = `${member.memberEpoch}|${assignmentKey(member.assigned)}`;
    // Sent on join, when it changed, or when the member's view differs (it missed a response).
    const send = p.memberEpoch === 0 || key !== member.lastSentAssignment || (owned !== null && assignmentKey(owned) !== assignmentKey(member.assigned));
    if (send) member.lastSentAssignment = key;
    return {
      errorCode: E.NONE,
      errorMessage: null,
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.host.config.consumerHeartbeatIntervalMs,
      assignment: send ? cloneAssignment(member.assigned) : null,
    };
  }

  private validate(p: ConsumerHeartbeatParams): string | null {
    if (p.groupId === '') return 'GroupId can\'t be empty.';
    if (p.memberEpoch === 0) {
      if (p.apiVersion >= 1 && p.memberId === '') return 'MemberId can\'t be empty.';
      if (p.rebalanceTimeoutMs === -1) return 'RebalanceTimeoutMs must be provided in first request.';
      if (p.ownedPartitions === null || p.ownedPartitions.length > 0) return 'TopicPartitions must be empty when (re-)joining.';
      if (p.subscribedTopicNames === null && p.subscribedTopicRegex === null) return 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.';
    } else if (p.memberId === '') return 'MemberId can\'t be empty.';
    if (p.subscribedTopicRegex !== null) return 'SubscribedTopicRegex is not supported by Gregor; subscribe by topic names.';
    if (p.memberEpoch < STATIC_LEAVE_EPOCH) return `MemberEpoch ${p.memberEpoch} is invalid.`;
    return null;
  }

  /** New target assignment when the group epoch moved or the subscribed topics changed shape. */
  private refreshTarget(group: ClassicGroup, data: ConsumerGroupData): void {
    const topics = new Map<string, TopicInfo>();
    for (const name of [...data.subscribedTopics()].sort()) {
      const info = this.host.resolveTopic(name);
      if (info) topics.set(name, info);
    }
    const fingerprint = [...topics].map(([n, i]) => `${n}=${i.topicId}/${i.numPartitions}`).join(';');
    if (!data.fingerprintKnown) {
      // Loaded from the log: the stored target was computed against these topics, presumably.
      data.fingerprintKnown = true;
      data.subscriptionFingerprint = fingerprint;
    } else if (fingerprint !== data.subscriptionFingerprint) {
      data.subscriptionFingerprint = fingerprint;
      if (data.targetAssignmentEpoch === data.groupEpoch) data.groupEpoch++;
    }
    if (data.groupEpoch <= data.targetAssignmentEpoch) return;
    data.targetAssignment = computeTargetAssignment([...data.members.values()], data.targetAssignment, topics);
    data.targetAssignmentEpoch = data.groupEpoch;
    group.subscribedTopics = data.subscribedTopics();
    this.host.info(`Consumer group ${group.groupId} computed a new target assignment at epoch ${data.groupEpoch} for ${data.members.size} members`);
  }

  private armTimers(group: ClassicGroup, member: ConsumerMember): void {
    member.sessionTimer?.cancel();
    member.sessionTimer = this.host.scheduler.schedule(this.host.config.consumerSessionTimeoutMs, () => {
      member.sessionTimer = null;
      if (group.consumer?.members.get(member.memberId) === member) this.removeMember(group, member, 'session timeout expired');
    });
    if (member.state === 'unrevoked_partitions') {
      // A member that does not give up its revoked partitions within its rebalance timeout is fenced.
      member.revocationTimer ??= this.host.scheduler.schedule(member.rebalanceTimeoutMs, () => {
        member.revocationTimer = null;
        if (group.consumer?.members.get(member.memberId) === member && member.state === 'unrevoked_partitions') {
          this.removeMember(group, member, 'did not revoke its partitions within the rebalance timeout');
        }
      });
    } else {
      member.revocationTimer?.cancel();
      member.revocationTimer = null;
    }
  }

  private removeMember(group: ClassicGroup, member: ConsumerMember, why: string): void {
    const data = group.consumer;
    if (!data) return;
    member.sessionTimer?.cancel();
    member.revocationTimer?.cancel();
    member.sessionTimer = null;
    member.revocationTimer = null;
    data.members.delete(member.memberId);
    data.targetAssignment.delete(member.memberId);
    data.groupEpoch++;
    this.host.info(`Member ${member.memberId} removed from consumer group ${group.groupId} (${why}); group epoch ${data.groupEpoch}`);
    this.refreshTarget(group, data);
    this.syncGroupState(group, data);
    this.host.changed(group);
  }

  private takeOver(data: ConsumerGroupData, old: ConsumerMember, next: ConsumerMember): void {
    old.sessionTimer?.cancel();
    old.revocationTimer?.cancel();
    next.memberEpoch = old.memberEpoch;
    next.previousMemberEpoch = old.previousMemberEpoch;
    next.state = old.state;
    next.assigned = old.assigned;
    next.pendingRevocation = old.pendingRevocation;
    next.instanceId = old.instanceId;
    next.rackId = old.rackId;
    next.rebalanceTimeoutMs = old.rebalanceTimeoutMs;
    next.subscribedTopicNames = old.subscribedTopicNames;
    next.serverAssignor = old.serverAssignor;
    data.members.delete(old.memberId);
    data.members.set(next.memberId, next);
    const target = data.targetAssignment.get(old.memberId);
    data.targetAssignment.delete(old.memberId);
    if (target) data.targetAssignment.set(next.memberId, target);
  }

  /** Session timers for members loaded from the log: they must heartbeat again within the session timeout. */
  armLoaded(group: ClassicGroup): void {
    const data = group.consumer;
    if (!data) return;
    for (const m of data.members.values()) this.armTimers(group, m);
    this.syncGroupState(group, data);
  }

  /** Mirrors the consumer group into the fields the offset and admin paths read (state, subscriptions). */
  private syncGroupState(group: ClassicGroup, data: ConsumerGroupData): void {
    const empty = data.members.size === 0;
    const next = empty ? 'Empty' : 'Stable';
    if (group.state !== next) {
      group.state = next;
      group.currentStateTimestamp = this.host.scheduler.now();
    }
    group.subscribedTopics = data.subscribedTopics();
  }

  /** OffsetCommit rules for consumer groups: member epoch instead of generation. */
  validateCommit(data: ConsumerGroupData, memberId: string, memberEpoch: number): number | null {
    if (memberEpoch < 0 && memberId === '') return data.members.size > 0 ? E.UNKNOWN_MEMBER_ID : null;
    const m = data.members.get(memberId);
    if (!m) return E.UNKNOWN_MEMBER_ID;
    if (memberEpoch > m.memberEpoch) return E.FENCED_MEMBER_EPOCH;
    if (memberEpoch < m.memberEpoch) return E.STALE_MEMBER_EPOCH;
    return null;
  }

  /** OffsetFetch v9 member checks (only when the fetcher identifies itself). */
  validateFetch(data: ConsumerGroupData, memberId: string | null, memberEpoch: number): number | null {
    if (memberId === null || memberEpoch < 0) return null;
    const m = data.members.get(memberId);
    if (!m) return E.UNKNOWN_MEMBER_ID;
    if (memberEpoch !== m.memberEpoch) return E.STALE_MEMBER_EPOCH;
    return null;
  }

  shutdown(group: ClassicGroup): void {
    for (const m of group.consumer?.members.values() ?? []) {
      m.sessionTimer?.cancel();
      m.revocationTimer?.cancel();
    }
  }
}
