// Partition assignors run by the group leader: range (the default the seeds teach), roundrobin, sticky and
// cooperative-sticky, with the Java client's names and member ordering, so a mixed group (Gregor + Java/librdkafka
// members) gets the assignment any of its leaders would compute for range and roundrobin.
import type { TopicPartition } from './types.js';
import { decodeStickyUserData, encodeStickyUserData } from './consumer-protocol.js';

export interface MemberSubscription {
  memberId: string;
  groupInstanceId: string | null;
  topics: string[];
  ownedPartitions: TopicPartition[];
  generationId: number;
  userData: Buffer | null;
}

export interface Assignor {
  /** Protocol name sent in JoinGroup (Kafka's names). */
  readonly name: string;
  /** 'eager' revokes everything before rejoining; 'cooperative' only what moves (KIP-429). */
  readonly rebalanceProtocol: 'eager' | 'cooperative';
  assign(partitionCounts: ReadonlyMap<string, number>, members: readonly MemberSubscription[]): Map<string, TopicPartition[]>;
  /** User data to put in this member's subscription. */
  subscriptionUserData?(owned: readonly TopicPartition[], generation: number): Buffer | null;
}

/** Java's MemberInfo ordering: static members (by group.instance.id) before dynamic ones, then by member id. */
function compareMembers(a: MemberSubscription, b: MemberSubscription): number {
  if (a.groupInstanceId !== null && b.groupInstanceId !== null) return a.groupInstanceId < b.groupInstanceId ? -1 : a.groupInstanceId > b.groupInstanceId ? 1 : 0;
  if (a.groupInstanceId !== null) return -1;
  if (b.groupInstanceId !== null) return 1;
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

/** Every topic some member subscribes to, sorted: the order range and round-robin hand partitions out in. */
function subscribedTopicsSorted(members: readonly MemberSubscription[]): string[] {
  const topics = new Set<string>();
  for (const m of members) for (const t of m.topics) topics.add(t);
  return [...topics].sort();
}

function emptyResult(members: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
  const m = new Map<string, TopicPartition[]>();
  for (const mem of members) m.set(mem.memberId, []);
  return m;
}

export const RangeAssignor: Assignor = {
  name: 'range',
  rebalanceProtocol: 'eager',
  assign(counts, members) {
    const result = emptyResult(members);
    for (const topic of subscribedTopicsSorted(members)) {
      const n = counts.get(topic);
      if (n === undefined) continue;
      const consumers = members.filter((m) => m.topics.includes(topic)).sort(compareMembers);
      const per = Math.floor(n / consumers.length);
      const extra = n % consumers.length;
      consumers.forEach((c, i) => {
        const start = per * i + Math.min(i, extra);
        const len = per + (i + 1 > extra ? 0 : 1);
        for (let p = start; p < start + len; p++) result.get(c.memberId)!.push({ topic, partition: p });
      });
    }
    return result;
  },
};

export const RoundRobinAssignor: Assignor = {
  name: 'roundrobin',
  rebalanceProtocol: 'eager',
  assign(counts, members) {
    const result = emptyResult(members);
    const sorted = [...members].sort(compareMembers);
    let idx = 0;
    for (const topic of subscribedTopicsSorted(members)) {
      const n = counts.get(topic) ?? 0;
      for (let p = 0; p < n; p++) {
        // next member (circularly) that subscribes to this topic
        for (let k = 0; k < sorted.length; k++) {
          const m = sorted[(idx + k) % sorted.length]!;
          if (m.topics.includes(topic)) {
            result.get(m.memberId)!.push({ topic, partition: p });
            idx = (idx + k + 1) % sorted.length;
            break;
          }
        }
      }
    }
    return result;
  },
};

const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`;

/**
 * Sticky assignment: keep every still-valid owned partition with its owner (the highest generation wins a
 * conflict), hand out the rest to the least-loaded eligible member, then move partitions from the most to the
 * least loaded member until the counts differ by at most one where subscriptions allow.
 */
function stickyAssign(counts: ReadonlyMap<string, number>, members: readonly MemberSubscription[]): Map<string, TopicPartition[]> {
  const sorted = [...members].sort(compareMembers);
  const assignment = new Map<string, Map<string, TopicPartition>>();
  for (const m of sorted) assignment.set(m.memberId, new Map());
  const all: TopicPartition[] = [];
  const subscribedBy = new Map<string, MemberSubscription[]>();
  for (const topic of [...new Set(sorted.flatMap((m) => m.topics))].sort()) {
    const n = counts.get(topic);
    if (n === undefined) continue;
    subscribedBy.set(topic, sorted.filter((m) => m.topics.includes(topic)));
    for (let p = 0; p < n; p++) all.push({ topic, partition: p });
  }
  const owner = new Map<string, { member: string; generation: number }>();
  for (const m of sorted) {
    let owned = m.ownedPartitions;
    let gen = m.generationId;
    if (owned.length === 0 && m.userData) {
      const ud = decodeStickyUserData(m.userData);
      if (ud) {
        owned = ud.owned;
        gen = ud.generation;
      }
    }
    for (const tp of owned) {
      if (!m.topics.includes(tp.topic) || tp.partition >= (counts.get(tp.topic) ?? 0)) continue;
      const prev = owner.get(key(tp));
      if (!prev || gen > prev.generation) owner.set(key(tp), { member: m.memberId, generation: gen });
    }
  }
  const unassigned: TopicPartition[] = [];
  for (const tp of all) {
    const o = owner.get(key(tp));
    if (o) assignment.get(o.member)!.set(key(tp), tp);
    else unassigned.push(tp);
  }
  const load = (id: string) => assignment.get(id)!.size;
  for (const tp of unassigned) {
    const candidates = subscribedBy.get(tp.topic)!;
    let best = candidates[0]!;
    for (const c of candidates) if (load(c.memberId) < load(best.memberId)) best = c;
    assignment.get(best.memberId)!.set(key(tp), tp);
  }
  // balance: move from the most loaded to a less loaded member that can take the partition
  for (let guard = 0; guard < all.length * 2; guard++) {
    const byLoad = [...sorted].sort((a, b) => load(b.memberId) - load(a.memberId) || compareMembers(a, b));
    let moved = false;
    for (const heavy of byLoad) {
      for (const light of [...byLoad].reverse()) {
        if (load(heavy.memberId) - load(light.memberId) <= 1) break;
        const candidate = [...assignment.get(heavy.memberId)!.values()].reverse().find((tp) => light.topics.includes(tp.topic));
        if (candidate) {
          assignment.get(heavy.memberId)!.delete(key(candidate));
          assignment.get(light.memberId)!.set(key(candidate), candidate);
          moved = true;
          break;
        }
      }
      if (moved) break;
    }
    if (!moved) break;
  }
  const result = new Map<string, TopicPartition[]>();
  for (const [id, m] of assignment) result.set(id, [...m.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)));
  return result;
}

export const StickyAssignor: Assignor = {
  name: 'sticky',
  rebalanceProtocol: 'eager',
  assign: stickyAssign,
  subscriptionUserData: (owned, generation) => encodeStickyUserData(owned, generation),
};

export const CooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  rebalanceProtocol: 'cooperative',
  assign(counts, members) {
    const target = stickyAssign(counts, members);
    // KIP-429: a partition moving to a new owner is first revoked by its current owner; it is withheld from the
    // new owner in this round and assigned in the follow-up rebalance the revoking member triggers.
    const ownedBy = new Map<string, string>();
    for (const m of members) for (const tp of m.ownedPartitions) ownedBy.set(key(tp), m.memberId);
    for (const [member, tps] of target) {
      target.set(
        member,
        tps.filter((tp) => {
          const o = ownedBy.get(key(tp));
          return o === undefined || o === member;
        }),
      );
    }
    return target;
  },
};

const BY_NAME: Record<string, Assignor> = {
  range: RangeAssignor,
  rangeassignor: RangeAssignor,
  roundrobin: RoundRobinAssignor,
  roundrobinassignor: RoundRobinAssignor,
  sticky: StickyAssignor,
  stickyassignor: StickyAssignor,
  'cooperative-sticky': CooperativeStickyAssignor,
  cooperativestickyassignor: CooperativeStickyAssignor,
};

/** partition.assignment.strategy entries: names ('range', 'cooperative-sticky'), Java class names, or Assignor objects. */
export function resolveAssignors(specs: readonly unknown[]): Assignor[] {
  return specs.map((s) => {
    if (typeof s === 'object' && s !== null && typeof (s as Assignor).assign === 'function') return s as Assignor;
    const str = String(s).trim();
    const simple = str.slice(str.lastIndexOf('.') + 1).toLowerCase();
    const a = BY_NAME[simple];
    if (!a) throw new Error(`partition.assignment.strategy: unknown assignor ${str}`);
    return a;
  });
}
