// Kafka's ConsumerProtocol bytes: the subscription a member sends in JoinGroup and the assignment the leader
// returns in SyncGroup (kafka-protocol/messages/ConsumerProtocol{Subscription,Assignment}.json, non-flexible,
// int16 version first), thin wrappers over the generated codecs. Using exactly these bytes is what lets Gregor
// consumers share a group with Java and librdkafka consumers. Decoding accepts newer versions by reading the
// fields it knows and ignoring the rest, as Kafka does. The sticky assignor's user data has no JSON spec and is
// encoded here by hand.
import { Reader } from '../protocol/primitives/reader.js';
import { Writer } from '../protocol/primitives/writer.js';
import { groupBy, type TopicPartition } from './types.js';
import { encodeConsumerProtocolSubscription, decodeConsumerProtocolSubscription } from '../protocol/generated/messages/consumer-protocol-subscription.js';
import { encodeConsumerProtocolAssignment, decodeConsumerProtocolAssignment } from '../protocol/generated/messages/consumer-protocol-assignment.js';

export interface Subscription {
  topics: string[];
  userData: Buffer | null;
  ownedPartitions: TopicPartition[];
  generationId: number;
  rackId: string | null;
}

export interface Assignment {
  partitions: TopicPartition[];
  userData: Buffer | null;
}

/** Groups partitions by topic (topics sorted, partitions ascending), the wire shape of both structures. */
export function groupByTopic(tps: readonly TopicPartition[]): [string, number[]][] {
  return [...groupBy(tps, (tp) => tp.topic, (tp) => tp.partition)].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([t, ps]) => [t, ps.sort((x, y) => x - y)]);
}

function writeTopicPartitions(w: Writer, tps: readonly TopicPartition[]): void {
  const grouped = groupByTopic(tps);
  w.writeInt32(grouped.length);
  for (const [topic, parts] of grouped) {
    w.writeString(topic);
    w.writeInt32(parts.length);
    for (const p of parts) w.writeInt32(p);
  }
}

function readTopicPartitions(r: Reader): TopicPartition[] {
  const n = r.readInt32();
  const out: TopicPartition[] = [];
  if (n < 0) return out;
  for (let i = 0; i < n; i++) {
    const topic = r.readString();
    const m = r.readInt32();
    if (m > r.remaining() / 4) throw new RangeError('partition array larger than the remaining bytes');
    for (let j = 0; j < m; j++) out.push({ topic, partition: r.readInt32() });
  }
  return out;
}

/** Versions this client reads and writes (a newer peer's extra trailing fields are ignored, as Kafka does). */
const MAX_VERSION = 3;

export function encodeSubscription(s: Subscription, version = 1): Buffer {
  const w = new Writer(64);
  w.writeInt16(version);
  encodeConsumerProtocolSubscription(
    w,
    {
      topics: s.topics,
      userData: s.userData,
      ...(version >= 1 ? { ownedPartitions: groupByTopic(s.ownedPartitions).map(([topic, partitions]) => ({ topic, partitions })) } : {}),
      ...(version >= 2 ? { generationId: s.generationId } : {}),
      ...(version >= 3 ? { rackId: s.rackId } : {}),
    },
    version,
  );
  return Buffer.from(w.toBuffer());
}

export function decodeSubscription(buf: Buffer): Subscription {
  const r = new Reader(buf);
  const version = Math.min(r.readInt16(), MAX_VERSION);
  const d = decodeConsumerProtocolSubscription(r, version);
  return {
    topics: d.topics,
    userData: d.userData ?? null,
    ownedPartitions: (d.ownedPartitions ?? []).flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))),
    generationId: d.generationId ?? -1,
    rackId: d.rackId ?? null,
  };
}

export function encodeAssignment(a: Assignment, version = 1): Buffer {
  const w = new Writer(64);
  w.writeInt16(version);
  encodeConsumerProtocolAssignment(w, { assignedPartitions: groupByTopic(a.partitions).map(([topic, partitions]) => ({ topic, partitions })), userData: a.userData }, version);
  return Buffer.from(w.toBuffer());
}

export function decodeAssignment(buf: Buffer | null): Assignment {
  if (!buf || buf.length === 0) return { partitions: [], userData: null };
  const r = new Reader(buf);
  const version = Math.min(r.readInt16(), MAX_VERSION);
  const d = decodeConsumerProtocolAssignment(r, version);
  return { partitions: d.assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition }))), userData: d.userData ?? null };
}

/** StickyAssignor user data v1 (previous assignment + generation), as Java's and librdkafka's sticky assignors write it. */
export function encodeStickyUserData(owned: readonly TopicPartition[], generation: number): Buffer {
  const w = new Writer(64);
  writeTopicPartitions(w, owned);
  w.writeInt32(generation);
  return Buffer.from(w.toBuffer());
}

export function decodeStickyUserData(buf: Buffer | null): { owned: TopicPartition[]; generation: number } | null {
  if (!buf || buf.length === 0) return null;
  try {
    const r = new Reader(buf);
    const owned = readTopicPartitions(r);
    const generation = r.remaining() >= 4 ? r.readInt32() : -1;
    return { owned, generation };
  } catch {
    return null;
  }
}
