// KIP-848 groups in __consumer_offsets, in Kafka's record formats (internal-records/ConsumerGroup*.json):
//   key v3 ConsumerGroupMetadata            -> value v0 { epoch }
//   key v5 ConsumerGroupMemberMetadata      -> value v0 { instanceId, rackId, clientId, clientHost, subscriptions... }
//   key v6 ConsumerGroupTargetAssignmentMetadata -> value v0 { assignmentEpoch }
//   key v7 ConsumerGroupTargetAssignmentMember   -> value v0 { topicPartitions }
//   key v8 ConsumerGroupCurrentMemberAssignment  -> value v0 { memberEpoch, previousMemberEpoch, state, assigned, pending }
// (v4, ConsumerGroupPartitionMetadata, is read and ignored: partition counts are looked up live.)
// The writer keeps what it last wrote per key and appends only records whose bytes changed, plus tombstones for
// keys that disappeared, so a heartbeat that changes nothing writes nothing.
import * as cgCurrent from '../protocol/generated/internal/consumer-group-current-member-assignment-value.js';
import * as cgMember from '../protocol/generated/internal/consumer-group-member-metadata-value.js';
import * as cgMeta from '../protocol/generated/internal/consumer-group-metadata-value.js';
import * as cgTargetMember from '../protocol/generated/internal/consumer-group-target-assignment-member-value.js';
import * as cgTargetMeta from '../protocol/generated/internal/consumer-group-target-assignment-metadata-value.js';
import { Reader } from '../protocol/primitives/reader.js';
import { Writer } from '../protocol/primitives/writer.js';
import { ConsumerGroupData, ConsumerMember, type Assignment, type ConsumerMemberState } from './consumer-group.js';

export const CONSUMER_KEY_VERSIONS = { metadata: 3, partitionMetadata: 4, member: 5, targetEpoch: 6, targetMember: 7, current: 8 } as const;

export interface ConsumerRecordKey {
  version: number;
  group: string;
  memberId: string | null;
}

/** Kafka's MemberState byte values. */
const STATE_CODES: Record<ConsumerMemberState, number> = { unrevoked_partitions: 0, unreleased_partitions: 1, stable: 2 };
const STATE_BY_CODE = new Map<number, ConsumerMemberState>(Object.entries(STATE_CODES).map(([k, v]) => [v, k as ConsumerMemberState]));

export function encodeConsumerKey(version: number, group: string, memberId: string | null = null): Buffer {
  const w = new Writer(64);
  w.writeInt16(version);
  w.writeString(group);
  if (memberId !== null) w.writeString(memberId);
  return Buffer.from(w.toBuffer());
}

/** Keys v3-v8 (null for other versions). */
export function decodeConsumerKey(buf: Buffer): ConsumerRecordKey | null {
  const r = new Reader(buf);
  const version = r.readInt16();
  if (version < 3 || version > 8) return null;
  const group = r.readString();
  const withMember = version === 5 || version === 7 || version === 8;
  return { version, group, memberId: withMember ? r.readString() : null };
}

function value(encode: (w: Writer) => void): Buffer {
  const w = new Writer(128);
  w.writeInt16(0);
  encode(w);
  return Buffer.from(w.toBuffer());
}

function toWire(a: Assignment): { topicId: string; partitions: number[] }[] {
  return [...a]
    .filter(([, ps]) => ps.size > 0)
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([topicId, ps]) => ({ topicId, partitions: [...ps].sort((x, y) => x - y) }));
}

function fromWire(list: { topicId: string; partitions: number[] }[]): Assignment {
  return new Map(list.map((tp) => [tp.topicId, new Set(tp.partitions)]));
}

/** Every record that describes the group now, by key (latin1 of the key bytes). */
export function desiredRecords(groupId: string, data: ConsumerGroupData): Map<string, { key: Buffer; value: Buffer }> {
  const out = new Map<string, { key: Buffer; value: Buffer }>();
  const put = (key: Buffer, v: Buffer): void => void out.set(key.toString('latin1'), { key, value: v });
  put(encodeConsumerKey(3, groupId), value((w) => cgMeta.encodeConsumerGroupMetadataValue(w, { epoch: data.groupEpoch }, 0)));
  put(encodeConsumerKey(6, groupId), value((w) => cgTargetMeta.encodeConsumerGroupTargetAssignmentMetadataValue(w, { assignmentEpoch: data.targetAssignmentEpoch }, 0)));
  for (const m of data.members.values()) {
    put(
      encodeConsumerKey(5, groupId, m.memberId),
      value((w) =>
        cgMember.encodeConsumerGroupMemberMetadataValue(
          w,
          {
            instanceId: m.instanceId,
            rackId: m.rackId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            subscribedTopicNames: m.subscribedTopicNames,
            subscribedTopicRegex: m.subscribedTopicRegex,
            rebalanceTimeoutMs: m.rebalanceTimeoutMs,
            serverAssignor: m.serverAssignor,
            classicMemberMetadata: null,
          },
          0,
        ),
      ),
    );
    put(
      encodeConsumerKey(7, groupId, m.memberId),
      value((w) => cgTargetMember.encodeConsumerGroupTargetAssignmentMemberValue(w, { topicPartitions: toWire(data.targetAssignment.get(m.memberId) ?? new Map()) }, 0)),
    );
    put(
      encodeConsumerKey(8, groupId, m.memberId),
      value((w) =>
        cgCurrent.encodeConsumerGroupCurrentMemberAssignmentValue(
          w,
          {
            // Kafka records a static member that left for a while with epoch -2 (its last epoch in "previous").
            memberEpoch: m.leftStatically ? -2 : m.memberEpoch,
            previousMemberEpoch: m.leftStatically ? m.memberEpoch : m.previousMemberEpoch,
            state: STATE_CODES[m.state],
            assignedPartitions: toWire(m.assigned),
            partitionsPendingRevocation: toWire(m.pendingRevocation),
          },
          0,
        ),
      ),
    );
  }
  return out;
}

/** The records to append so the log matches `desired`, given what was written before (updated in place). */
export function diffRecords(written: Map<string, Buffer>, desired: Map<string, { key: Buffer; value: Buffer }>): { key: Buffer; value: Buffer | null }[] {
  const out: { key: Buffer; value: Buffer | null }[] = [];
  // Tombstones first, for members that left (Kafka writes the member's records before the new group epoch).
  for (const [k] of written) {
    if (!desired.has(k)) {
      out.push({ key: Buffer.from(k, 'latin1'), value: null });
      written.delete(k);
    }
  }
  for (const [k, rec] of desired) {
    const before = written.get(k);
    if (before && before.equals(rec.value)) continue;
    out.push(rec);
    written.set(k, rec.value);
  }
  return out;
}

function readValue<T>(buf: Buffer, decode: (r: Reader, v: number) => T): T {
  const r = new Reader(buf);
  const version = r.readInt16();
  if (version !== 0) throw new Error(`unknown value version ${version}`);
  return decode(r, version);
}

/** Rebuilds KIP-848 groups from the last value of each v3-v8 key (null values already dropped). */
export function loadConsumerGroups(entries: { key: ConsumerRecordKey; rawKey: string; value: Buffer }[]): Map<string, { data: ConsumerGroupData; written: Map<string, Buffer> }> {
  const groups = new Map<string, { data: ConsumerGroupData; written: Map<string, Buffer> }>();
  const get = (g: string) => {
    let x = groups.get(g);
    if (!x) groups.set(g, (x = { data: new ConsumerGroupData(), written: new Map() }));
    return x;
  };
  const member = (data: ConsumerGroupData, id: string): ConsumerMember => {
    let m = data.members.get(id);
    if (!m) data.members.set(id, (m = new ConsumerMember(id, '', '')));
    return m;
  };
  // Members exist only if their metadata record does; assignments of departed members may linger in the log.
  const memberIds = new Map<string, Set<string>>();
  for (const e of entries) {
    if (e.key.version === 5 && e.key.memberId !== null) {
      let s = memberIds.get(e.key.group);
      if (!s) memberIds.set(e.key.group, (s = new Set()));
      s.add(e.key.memberId);
    }
  }
  for (const { key, rawKey, value: v } of entries) {
    if (key.version === 4) continue;
    const g = get(key.group);
    const data = g.data;
    const id = key.memberId;
    if (id !== null && !memberIds.get(key.group)?.has(id)) continue;
    g.written.set(rawKey, v);
    switch (key.version) {
      case 3:
        data.groupEpoch = readValue(v, cgMeta.decodeConsumerGroupMetadataValue).epoch;
        break;
      case 6:
        data.targetAssignmentEpoch = readValue(v, cgTargetMeta.decodeConsumerGroupTargetAssignmentMetadataValue).assignmentEpoch;
        break;
      case 5: {
        const mv = readValue(v, cgMember.decodeConsumerGroupMemberMetadataValue);
        const m = member(data, id as string);
        m.instanceId = mv.instanceId;
        m.rackId = mv.rackId;
        m.clientId = mv.clientId;
        m.clientHost = mv.clientHost;
        m.subscribedTopicNames = [...mv.subscribedTopicNames].sort();
        m.subscribedTopicRegex = mv.subscribedTopicRegex;
        m.rebalanceTimeoutMs = mv.rebalanceTimeoutMs ?? m.rebalanceTimeoutMs;
        m.serverAssignor = mv.serverAssignor;
        if (mv.serverAssignor) data.assignorName = mv.serverAssignor;
        break;
      }
      case 7:
        data.targetAssignment.set(id as string, fromWire(readValue(v, cgTargetMember.decodeConsumerGroupTargetAssignmentMemberValue).topicPartitions));
        break;
      case 8: {
        const cv = readValue(v, cgCurrent.decodeConsumerGroupCurrentMemberAssignmentValue);
        const m = member(data, id as string);
        m.leftStatically = cv.memberEpoch === -2;
        m.memberEpoch = m.leftStatically ? cv.previousMemberEpoch : cv.memberEpoch;
        m.previousMemberEpoch = m.leftStatically ? -1 : cv.previousMemberEpoch;
        m.state = STATE_BY_CODE.get(cv.state) ?? 'stable';
        m.assigned = fromWire(cv.assignedPartitions);
        m.pendingRevocation = fromWire(cv.partitionsPendingRevocation);
        break;
      }
      default:
        break;
    }
  }
  for (const g of groups.values()) g.data.fingerprintKnown = false;
  return groups;
}
