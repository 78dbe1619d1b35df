// Kafka's ConsumerProtocol bytes: the subscription a member sends in JoinGroup and the assignment the leader
// returns in SyncGroup (kafka-protocol/messages/ConsumerProtocol{Subscription,Assignment}.json, non-flexible,
// int16 version first). Using exactly these bytes is what lets Gregor consumers share a group with Java and
// librdkafka consumers. Decoding accepts newer versions by reading the fields it knows and ignoring the rest,
// as Kafka does.
import { Reader } from '../protocol/primitives/reader.js';
import { Writer } from '../protocol/primitives/writer.js';
import type { TopicPartition } from './types.js';

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
  const m = new Map<string, number[]>();
  for (const tp of tps) {
    let a = m.get(tp.topic);
    if (!a) m.set(tp.topic, (a = []));
    a.push(tp.partition);
  }
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([t, ps]) => [t, ps.sort((x, y) => x - y)]);
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

export function encodeSubscription(s: Subscription, version = 1): Buffer {
  const w = new Writer(64);
  w.writeInt16(version);
  w.writeInt32(s.topics.length);
  for (const t of s.topics) w.writeString(t);
  w.writeNullableBytes(s.userData);
  if (version >= 1) writeTopicPartitions(w, s.ownedPartitions);
  if (version >= 2) w.writeInt32(s.generationId);
  if (version >= 3) w.writeNullableString(s.rackId);
  return Buffer.from(w.toBuffer());
}

export function decodeSubscription(buf: Buffer): Subscription {
  const r = new Reader(buf);
  const version = r.readInt16();
  const n = r.readInt32();
  const topics: string[] = [];
  for (let i = 0; i < n; i++) topics.push(r.readString());
  const userData = r.remaining() > 0 ? r.readNullableBytes() : null;
  const s: Subscription = { topics, userData, ownedPartitions: [], generationId: -1, rackId: null };
  if (version >= 1 && r.remaining() > 0) s.ownedPartitions = readTopicPartitions(r);
  if (version >= 2 && r.remaining() >= 4) s.generationId = r.readInt32();
  if (version >= 3 && r.remaining() >= 2) s.rackId = r.readNullableString();
  return s;
}

export function encodeAssignment(a: Assignment, version = 1): Buffer {
  const w = new Writer(64);
  w.writeInt16(version);
  writeTopicPartitions(w, a.partitions);
  w.writeNullableBytes(a.userData);
  return Buffer.from(w.toBuffer());
}

export function decodeAssignment(buf: Buffer | null): Assignment {
  if (!buf || buf.length === 0) return { partitions: [], userData: null };
  const r = new Reader(buf);
  r.readInt16();
  const partitions = readTopicPartitions(r);
  const userData = r.remaining() >= 4 ? r.readNullableBytes() : null;
  return { partitions, userData };
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
