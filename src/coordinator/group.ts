// The data of one classic-protocol group (Kafka's GroupMetadata / MemberMetadata): members, generation, leader,
// protocol votes, static members, pending members, committed offsets. No timers and no I/O here; the rules that
// move a group between states live in group-coordinator.ts.
import type { ConsumerGroupData } from './consumer-group.js';
import { CONSUMER_PROTOCOL_TYPE, subscribedTopicsOf } from './consumer-protocol.js';
import { GroupErrors } from './error-codes.js';
import type { TimerHandle } from './scheduler.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** Kafka's GroupState.validPreviousStates. */
const VALID_PREVIOUS: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface JoinResponseMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinResult {
  errorCode: number;
  memberId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string;
  skipAssignment: boolean;
  members: JoinResponseMember[];
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export function joinError(memberId: string, errorCode: number): JoinResult {
  return {
    errorCode,
    memberId,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leaderId: '',
    skipAssignment: false,
    members: [],
  };
}

export function syncError(errorCode: number): SyncResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
}

export interface OffsetAndMetadata {
  offset: bigint;
  /** -1 = unknown */
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Only from OffsetCommit v1 with an explicit retention (v2-4); null means "use offsets.retention.minutes". */
  expireTimestamp: number | null;
}

export class ClassicMember {
  assignment: Buffer = Buffer.alloc(0);
  joinWaiter: ((r: JoinResult) => void) | null = null;
  syncWaiter: ((r: SyncResult) => void) | null = null;
  /** Joined in the current rebalance and has not yet received a JoinGroup response (Kafka's isNew). */
  isNew = false;
  heartbeatTimer: TimerHandle | null = null;

  constructor(
    public memberId: string,
    public groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocolType: string,
    public protocols: Protocol[],
  ) {}

  get isAwaitingJoin(): boolean {
    return this.joinWaiter !== null;
  }

  get isAwaitingSync(): boolean {
    return this.syncWaiter !== null;
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  metadata(protocolName: string): Buffer {
    const p = this.protocols.find((x) => x.name === protocolName);
    return p ? p.metadata : Buffer.alloc(0);
  }

  /** Same protocols with the same metadata in the same order (Kafka's MemberMetadata.matches). */
  matches(protocols: Protocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata));
  }

  /** The member's most preferred protocol among candidates. */
  vote(candidates: Set<string>): string {
    const p = this.protocols.find((x) => candidates.has(x.name));
    if (!p) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return p.name;
  }
}

export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export class ClassicGroup {
  state: GroupState;
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  currentStateTimestamp: number | null;
  /** Insertion ordered, like Kafka's LinkedHashMap: when the leader leaves the next oldest member leads. */
  readonly members = new Map<string, ClassicMember>();
  /** group.instance.id -> member id */
  readonly staticMembers = new Map<string, string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their session timers. */
  readonly pendingMembers = new Map<string, TimerHandle | null>();
  /** Members that got their JoinGroup response but have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  private readonly supportedProtocols = new Map<string, number>();
  numMembersAwaitingJoin = 0;
  /** A new member joined during the initial (generation 0) rebalance delay: extend it. */
  newMemberAdded = false;
  subscribedTopics: Set<string> | null = null;
  /** Running delayed-join (rebalance) timer. `initial` marks group.initial.rebalance.delay.ms rounds. */
  joinTimer: { handle: TimerHandle; initial: boolean; remainingMs: number } | null = null;
  syncTimer: TimerHandle | null = null;
  /** Set when the group runs the KIP-848 consumer protocol instead of the classic one. */
  consumer: ConsumerGroupData | null = null;

  /** topic\0partition -> committed offset */
  readonly offsets = new Map<string, { topic: string; partition: number; value: OffsetAndMetadata }>();
  /** Commits appended to the log but not yet acknowledged, counted per partition (spared by expiry). */
  readonly pendingOffsetCommits = new Map<string, number>();

  constructor(
    readonly groupId: string,
    initialState: GroupState,
    now: number,
  ) {
    this.state = initialState;
    this.currentStateTimestamp = now;
  }

  is(s: GroupState): boolean {
    return this.state === s;
  }

  transitionTo(s: GroupState, now: number): void {
    if (!VALID_PREVIOUS[s].includes(this.state)) {
      throw new Error(`Group ${this.groupId} should be in one of [${VALID_PREVIOUS[s].join(',')}] before moving to ${s}, but is ${this.state}`);
    }
    this.state = s;
    this.currentStateTimestamp = now;
  }

  canRebalance(): boolean {
    return VALID_PREVIOUS.PreparingRebalance.includes(this.state);
  }

  has(memberId: string): boolean {
    return this.members.has(memberId);
  }

  get(memberId: string): ClassicMember {
    const m = this.members.get(memberId);
    if (!m) throw new Error(`member ${memberId} not in group ${this.groupId}`);
    return m;
  }

  get size(): number {
    return this.members.size;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingMembers.has(memberId);
  }

  hasStaticMember(instanceId: string | null): boolean {
    return instanceId !== null && this.staticMembers.has(instanceId);
  }

  staticMemberId(instanceId: string): string | undefined {
    return this.staticMembers.get(instanceId);
  }

  /** The instance id is registered to a different member id: the caller is a zombie duplicate. */
  isStaticMemberFenced(memberId: string, instanceId: string | null): boolean {
    if (instanceId === null) return false;
    const current = this.staticMembers.get(instanceId);
    return current !== undefined && current !== memberId;
  }

  add(member: ClassicMember, joinWaiter: ((r: JoinResult) => void) | null): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    for (const p of member.protocols) this.supportedProtocols.set(p.name, (this.supportedProtocols.get(p.name) ?? 0) + 1);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (joinWaiter) {
      member.joinWaiter = joinWaiter;
      this.numMembersAwaitingJoin++;
    }
    this.pendingMembers.delete(member.memberId);
  }

  remove(memberId: string): ClassicMember | undefined {
    const member = this.members.get(memberId);
    if (member) {
      this.members.delete(memberId);
      for (const p of member.protocols) this.supportedProtocols.set(p.name, (this.supportedProtocols.get(p.name) ?? 1) - 1);
      if (member.isAwaitingJoin) this.numMembersAwaitingJoin--;
      if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
        this.staticMembers.delete(member.groupInstanceId);
      }
    }
    if (this.isLeader(memberId)) {
      const next = this.members.keys().next();
      this.leaderId = next.done ? null : next.value;
    }
    this.pendingSyncMembers.delete(memberId);
    return member;
  }

  /** Replaces the protocols a member supports and (re)parks its JoinGroup. */
  updateMember(member: ClassicMember, protocols: Protocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number, joinWaiter: ((r: JoinResult) => void) | null): void {
    for (const p of member.protocols) this.supportedProtocols.set(p.name, (this.supportedProtocols.get(p.name) ?? 1) - 1);
    for (const p of protocols) this.supportedProtocols.set(p.name, (this.supportedProtocols.get(p.name) ?? 0) + 1);
    member.protocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    if (joinWaiter) {
      if (!member.isAwaitingJoin) this.numMembersAwaitingJoin++;
      // The client gave up on its earlier JoinGroup and sent a new one; answer the old one so nothing dangles.
      else member.joinWaiter?.(joinError(member.memberId, GroupErrors.REBALANCE_IN_PROGRESS));
      member.joinWaiter = joinWaiter;
    } else if (member.isAwaitingJoin) {
      member.joinWaiter = null;
      this.numMembersAwaitingJoin--;
    }
  }

  /** Gives a static member's slot to a new member id, fencing whatever the old id was waiting for. */
  replaceStaticMember(instanceId: string, oldMemberId: string, newMemberId: string): ClassicMember {
    const member = this.members.get(oldMemberId);
    if (!member) throw new Error(`static member ${oldMemberId} not in group ${this.groupId}`);
    this.members.delete(oldMemberId);
    this.maybeInvokeJoin(member, joinError(oldMemberId, GroupErrors.FENCED_INSTANCE_ID));
    this.maybeInvokeSync(member, syncError(GroupErrors.FENCED_INSTANCE_ID));
    member.memberId = newMemberId;
    this.members.set(newMemberId, member);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.staticMembers.set(instanceId, newMemberId);
    this.pendingSyncMembers.delete(oldMemberId);
    return member;
  }

  maybeInvokeJoin(member: ClassicMember, result: JoinResult): void {
    const w = member.joinWaiter;
    if (w) {
      member.joinWaiter = null;
      this.numMembersAwaitingJoin--;
      w(result);
    }
  }

  maybeInvokeSync(member: ClassicMember, result: SyncResult): boolean {
    const w = member.syncWaiter;
    if (!w) return false;
    member.syncWaiter = null;
    w(result);
    return true;
  }

  /** All known members have rejoined and nobody holding a MEMBER_ID_REQUIRED id is still expected. */
  hasAllMembersJoined(): boolean {
    return this.members.size === this.numMembersAwaitingJoin && this.pendingMembers.size === 0;
  }

  notYetRejoinedMembers(): ClassicMember[] {
    return [...this.members.values()].filter((m) => !m.isAwaitingJoin);
  }

  /** Longest rebalance timeout among members: how long a rebalance waits for rejoins. */
  rebalanceTimeoutMs(): number {
    let t = 0;
    for (const m of this.members.values()) t = Math.max(t, m.rebalanceTimeoutMs);
    return t;
  }

  /** A joining member is compatible when its type matches and one of its protocols is supported by every member. */
  supportsProtocols(protocolType: string, protocols: Protocol[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0;
    return this.protocolType === protocolType && protocols.some((p) => (this.supportedProtocols.get(p.name) ?? 0) === this.members.size);
  }

  /** Protocols supported by all members; each member votes for its favourite and the most votes win. */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = new Set<string>();
    for (const [name, count] of this.supportedProtocols) if (count === this.members.size) candidates.add(name);
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const v = m.vote(candidates);
      votes.set(v, (votes.get(v) ?? 0) + 1);
    }
    let best = '';
    let bestVotes = -1;
    // Ties go to the protocol voted first in member order (deterministic, unlike Kafka's hash-map order).
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best;
  }

  /** If the leader has not rejoined, any member that has rejoined leads. False when nobody has rejoined. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader && leader.isAwaitingJoin) return true;
    for (const m of this.members.values()) {
      if (m.isAwaitingJoin) {
        this.leaderId = m.memberId;
        return true;
      }
    }
    return false;
  }

  initNextGeneration(now: number): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('CompletingRebalance', now);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo('Empty', now);
    }
    this.pendingSyncMembers.clear();
  }

  /** Topics the consumer members subscribe to, or null when unknown (not a consumer group or unreadable). */
  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const t = subscribedTopicsOf(m.metadata(this.protocolName));
      if (t === null) return null;
      for (const x of t) topics.add(x);
    }
    return topics;
  }

  isSubscribedToTopic(topic: string): boolean {
    return this.subscribedTopics === null ? true : this.subscribedTopics.has(topic);
  }

  currentMemberMetadata(): JoinResponseMember[] {
    const protocol = this.protocolName ?? '';
    return [...this.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata(protocol) }));
  }

  /** Successful JoinGroup answer for the current generation; only the leader gets the members' metadata. */
  joinResultFor(memberId: string): JoinResult {
    return {
      errorCode: 0, // NONE
      memberId,
      generationId: this.generationId,
      protocolType: this.protocolType,
      protocolName: this.protocolName,
      leaderId: this.leaderId ?? '',
      skipAssignment: false,
      members: this.isLeader(memberId) ? this.currentMemberMetadata() : [],
    };
  }

  hasOffsets(): boolean {
    return this.offsets.size > 0 || this.pendingOffsetCommits.size > 0;
  }
}
