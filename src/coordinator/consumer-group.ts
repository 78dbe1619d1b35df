// KIP-848, the "consumer" rebalance protocol: members only send ConsumerGroupHeartbeat; the coordinator owns the
// assignment (server-side assignor) and hands each member its partitions incrementally.
//
// Epochs: any change in membership, subscriptions or subscribed topics' partition counts bumps the group epoch
// and recomputes the target assignment (target epoch = group epoch). Each member then reconciles towards its
// target: partitions it must give up are revoked first (member keeps its epoch, state UNREVOKED_PARTITIONS)
// until its heartbeat shows it no longer owns them; then it moves to the target epoch and receives the target
// partitions no other member still owns (the rest arrive once released: UNRELEASED_PARTITIONS). A partition is
// therefore never owned by two members at once.
//
// Group state is kept in memory only (members rejoin after a broker restart: their heartbeat gets
// UNKNOWN_MEMBER_ID and they come back with epoch 0); committed offsets are stored as for classic groups.
import { randomUUID } from 'node:crypto';
import type { TimerHandle } from './scheduler.js';

export type ConsumerMemberState = 'stable' | 'unrevoked_partitions' | 'unreleased_partitions';

/** topicId -> partitions */
export type Assignment = Map<string, Set<number>>;

export interface TopicInfo {
  topicId: string;
  numPartitions: number;
}

export class ConsumerMember {
  memberEpoch = 0;
  previousMemberEpoch = -1;
  state: ConsumerMemberState = 'stable';
  /** Partitions the member may use now. */
  assigned: Assignment = new Map();
  /** Partitions the member has been told to give up and has not yet confirmed giving up. */
  pendingRevocation: Assignment = new Map();
  instanceId: string | null = null;
  rackId: string | null = null;
  rebalanceTimeoutMs = 300_000;
  subscribedTopicNames: string[] = [];
  subscribedTopicRegex: string | null = null;
  serverAssignor: string | null = null;
  sessionTimer: TimerHandle | null = null;
  revocationTimer: TimerHandle | null = null;
  /** What the member was last told, so unchanged assignments are not resent. */
  lastSentAssignment: string | null = null;
  /** A static member that left with epoch -2: it keeps its partitions until its instance id rejoins or its
   * session times out. */
  leftStatically = false;

  constructor(
    readonly memberId: string,
    public clientId: string,
    public clientHost: string,
  ) {}
}

export class ConsumerGroupData {
  groupEpoch = 0;
  targetAssignmentEpoch = 0;
  readonly members = new Map<string, ConsumerMember>();
  /** memberId -> target assignment at targetAssignmentEpoch */
  targetAssignment = new Map<string, Assignment>();
  /** Partition counts of subscribed topics when the target was computed: a change bumps the epoch. */
  subscriptionFingerprint = '';
  /** False right after loading from the log: the first fingerprint is adopted without a new epoch. */
  fingerprintKnown = true;
  assignorName = 'uniform';
  /** What was last appended to __consumer_offsets per record key (latin1 key bytes -> value bytes). */
  written = new Map<string, Buffer>();
  /** Appends of this group, chained so they reach the log in order. */
  writeChain: Promise<void> = Promise.resolve();
  /** Kafka error code of the last append (0 = fine), for heartbeats whose changes another call wrote. */
  lastWriteError = 0;

  /** Kafka's ConsumerGroup.State names (lower case on the wire for ConsumerGroupDescribe, capitalised in ListGroups). */
  stateName(): 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.targetAssignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (m.memberEpoch !== this.targetAssignmentEpoch || m.state !== 'stable') return 'Reconciling';
    return 'Stable';
  }

  subscribedTopics(): Set<string> {
    const s = new Set<string>();
    for (const m of this.members.values()) for (const t of m.subscribedTopicNames) s.add(t);
    return s;
  }
}

export function cloneAssignment(a: Assignment): Assignment {
  return new Map([...a].map(([t, ps]) => [t, new Set(ps)]));
}

export function assignmentKey(a: Assignment): string {
  return [...a]
    .filter(([, ps]) => ps.size > 0)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([t, ps]) => `${t}:${[...ps].sort((x, y) => x - y).join(',')}`)
    .join(';');
}

function has(a: Assignment, topicId: string, p: number): boolean {
  return a.get(topicId)?.has(p) ?? false;
}

function add(a: Assignment, topicId: string, p: number): void {
  let s = a.get(topicId);
  if (!s) a.set(topicId, (s = new Set()));
  s.add(p);
}

function size(a: Assignment): number {
  let n = 0;
  for (const s of a.values()) n += s.size;
  return n;
}

/**
 * The server-side assignor ("uniform"; "range" is accepted as a name for the same): per topic, the partitions are
 * spread evenly over the members subscribed to it, keeping every partition with its previous owner while that
 * owner is under its share (sticky), so a rebalance moves as few partitions as possible.
 */
export function computeTargetAssignment(
  members: ConsumerMember[],
  previous: Map<string, Assignment>,
  topics: Map<string, TopicInfo>,
): Map<string, Assignment> {
  const result = new Map<string, Assignment>(members.map((m) => [m.memberId, new Map()]));
  const names = [...topics.keys()].sort();
  for (const name of names) {
    const info = topics.get(name) as TopicInfo;
    const subscribers = members.filter((m) => m.subscribedTopicNames.includes(name)).map((m) => m.memberId).sort();
    if (subscribers.length === 0 || info.numPartitions <= 0) continue;
    const base = Math.floor(info.numPartitions / subscribers.length);
    // `extraLeft` members get one partition more than `base`; previous owners claim those first (stickiness).
    let extraLeft = info.numPartitions % subscribers.length;
    const count = new Map(subscribers.map((id) => [id, 0]));
    const canTake = (id: string): boolean => {
      const c = count.get(id) ?? 0;
      return c < base || (c === base && extraLeft > 0);
    };
    const take = (id: string, p: number): void => {
      const c = count.get(id) ?? 0;
      if (c === base) extraLeft--;
      count.set(id, c + 1);
      add(result.get(id) as Assignment, info.topicId, p);
    };
    const unassigned: number[] = [];
    for (let p = 0; p < info.numPartitions; p++) {
      const owner = subscribers.find((id) => has(previous.get(id) ?? new Map(), info.topicId, p));
      if (owner !== undefined && canTake(owner)) take(owner, p);
      else unassigned.push(p);
    }
    for (const p of unassigned) {
      // The least loaded member with room; ties by member id, for determinism.
      let best: string | undefined;
      for (const id of subscribers) {
        if (!canTake(id)) continue;
        if (best === undefined || (count.get(id) ?? 0) < (count.get(best) ?? 0)) best = id;
      }
      take(best ?? subscribers[0], p);
    }
  }
  return result;
}

export interface ReconcileInput {
  /** What the member reports owning (null: unchanged since its last heartbeat). */
  owned: Assignment | null;
}

/**
 * Moves one member towards its target (Kafka's CurrentAssignmentBuilder, simplified to the three states).
 * Returns true when the member's assignment or epoch changed.
 */
export function reconcileMember(group: ConsumerGroupData, member: ConsumerMember, input: ReconcileInput): boolean {
  const target = group.targetAssignment.get(member.memberId) ?? new Map<string, Set<number>>();
  const before = `${member.memberEpoch}|${assignmentKey(member.assigned)}|${assignmentKey(member.pendingRevocation)}`;
  // Revocation confirmed when the member no longer reports any partition it was asked to give up.
  if (member.state === 'unrevoked_partitions' && input.owned !== null) {
    let stillOwned = false;
    for (const [t, ps] of member.pendingRevocation) for (const p of ps) if (has(input.owned, t, p)) stillOwned = true;
    if (!stillOwned) member.pendingRevocation = new Map();
  }
  if (member.state === 'unrevoked_partitions' && size(member.pendingRevocation) > 0) return false;
  // Give up what is not in the target.
  const keep: Assignment = new Map();
  const revoke: Assignment = new Map();
  for (const [t, ps] of member.assigned) for (const p of ps) add(has(target, t, p) ? keep : revoke, t, p);
  if (size(revoke) > 0) {
    member.assigned = keep;
    member.pendingRevocation = revoke;
    member.state = 'unrevoked_partitions';
    return true;
  }
  // Take the target partitions nobody else holds (assigned or still being revoked).
  const heldByOthers = (t: string, p: number): boolean => {
    for (const o of group.members.values()) {
      if (o === member) continue;
      if (has(o.assigned, t, p) || has(o.pendingRevocation, t, p)) return true;
    }
    return false;
  };
  let unreleased = false;
  const next = cloneAssignment(keep);
  for (const [t, ps] of target) {
    for (const p of ps) {
      if (has(next, t, p)) continue;
      if (heldByOthers(t, p)) unreleased = true;
      else add(next, t, p);
    }
  }
  member.assigned = next;
  member.pendingRevocation = new Map();
  if (member.memberEpoch !== group.targetAssignmentEpoch) {
    member.previousMemberEpoch = member.memberEpoch;
    member.memberEpoch = group.targetAssignmentEpoch;
  }
  member.state = unreleased ? 'unreleased_partitions' : 'stable';
  return before !== `${member.memberEpoch}|${assignmentKey(member.assigned)}|${assignmentKey(member.pendingRevocation)}`;
}

export const SUPPORTED_SERVER_ASSIGNORS = ['uniform', 'range'];

/** A member id for ConsumerGroupHeartbeat v0 joins: a random UUID in Kafka's base64url form, as Kafka makes them. */
export function newConsumerMemberId(): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
}
