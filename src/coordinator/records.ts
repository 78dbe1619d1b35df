// Keys and values of __consumer_offsets records, byte for byte as Kafka writes them (the JSON schemas in
// kafka-protocol/internal-records), so Kafka's own tools (kafka-console-consumer with the offsets formatter,
// kcat + a decoder) read Gregor's topic and Gregor loads a topic Kafka wrote.
//   key   = int16 key version + fields   (version 0/1: OffsetCommitKey, version 2: GroupMetadataKey)
//   value = int16 value version + fields (null value = tombstone: offset deleted / group deleted)
// Kafka 2.3+ writes OffsetCommitKey v1, OffsetCommitValue v3 (v1 when the commit carried a retention time),
// GroupMetadataKey v2, GroupMetadataValue v3; every version is accepted on load, including the flexible v4s.
import { Reader } from '../protocol/primitives/reader.js';
import { Writer } from '../protocol/primitives/writer.js';
import type { OffsetAndMetadata } from './group.js';

export interface OffsetCommitKey {
  kind: 'offset';
  group: string;
  topic: string;
  partition: number;
}

export interface GroupMetadataKey {
  kind: 'group';
  group: string;
}

export type OffsetsTopicKey = OffsetCommitKey | GroupMetadataKey;

export interface StoredMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: StoredMember[];
}

export const OFFSET_COMMIT_KEY_VERSION = 1;
export const GROUP_METADATA_KEY_VERSION = 2;
export const GROUP_METADATA_VALUE_VERSION = 3;

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  const w = new Writer(64);
  w.writeInt16(OFFSET_COMMIT_KEY_VERSION);
  w.writeString(group);
  w.writeString(topic);
  w.writeInt32(partition);
  return Buffer.from(w.toBuffer());
}

export function encodeGroupMetadataKey(group: string): Buffer {
  const w = new Writer(32);
  w.writeInt16(GROUP_METADATA_KEY_VERSION);
  w.writeString(group);
  return Buffer.from(w.toBuffer());
}

export function decodeKey(buf: Buffer): OffsetsTopicKey {
  const r = new Reader(buf);
  const version = r.readInt16();
  if (version === 0 || version === 1) {
    return { kind: 'offset', group: r.readString(), topic: r.readString(), partition: r.readInt32() };
  }
  if (version === 2) return { kind: 'group', group: r.readString() };
  throw new Error(`unknown __consumer_offsets key version ${version}`);
}

/** OffsetCommitValue v3 normally, v1 when the commit asked for a per-offset expiry (as Kafka does). */
export function encodeOffsetCommitValue(v: OffsetAndMetadata): Buffer {
  const w = new Writer(64);
  if (v.expireTimestamp !== null) {
    w.writeInt16(1);
    w.writeInt64(v.offset);
    w.writeString(v.metadata);
    w.writeInt64(BigInt(v.commitTimestamp));
    w.writeInt64(BigInt(v.expireTimestamp));
  } else {
    w.writeInt16(3);
    w.writeInt64(v.offset);
    w.writeInt32(v.leaderEpoch);
    w.writeString(v.metadata);
    w.writeInt64(BigInt(v.commitTimestamp));
  }
  return Buffer.from(w.toBuffer());
}

function skipTaggedFields(r: Reader): void {
  const n = r.readUnsignedVarint();
  for (let i = 0; i < n; i++) {
    r.readUnsignedVarint();
    r.skip(r.readUnsignedVarint());
  }
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetAndMetadata {
  const r = new Reader(buf);
  const version = r.readInt16();
  if (version < 0 || version > 4) throw new Error(`unknown OffsetCommitValue version ${version}`);
  const flexible = version >= 4;
  const offset = r.readInt64();
  const leaderEpoch = version >= 3 ? r.readInt32() : -1;
  const metadata = flexible ? r.readCompactString() : r.readString();
  const commitTimestamp = Number(r.readInt64());
  const expireTimestamp = version === 1 ? Number(r.readInt64()) : -1;
  if (flexible) skipTaggedFields(r);
  return { offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp: expireTimestamp === -1 ? null : expireTimestamp };
}

export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const w = new Writer(256);
  w.writeInt16(GROUP_METADATA_VALUE_VERSION);
  w.writeString(v.protocolType);
  w.writeInt32(v.generation);
  w.writeNullableString(v.protocol);
  w.writeNullableString(v.leader);
  w.writeInt64(BigInt(v.currentStateTimestamp));
  w.writeInt32(v.members.length);
  for (const m of v.members) {
    w.writeString(m.memberId);
    w.writeNullableString(m.groupInstanceId);
    w.writeString(m.clientId);
    w.writeString(m.clientHost);
    w.writeInt32(m.rebalanceTimeout);
    w.writeInt32(m.sessionTimeout);
    w.writeBytes(m.subscription);
    w.writeBytes(m.assignment);
  }
  return Buffer.from(w.toBuffer());
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new Reader(buf);
  const version = r.readInt16();
  if (version < 0 || version > 4) throw new Error(`unknown GroupMetadataValue version ${version}`);
  const flexible = version >= 4;
  const str = (): string => (flexible ? r.readCompactString() : r.readString());
  const nstr = (): string | null => (flexible ? r.readCompactNullableString() : r.readNullableString());
  const bytes = (): Buffer => Buffer.from(flexible ? r.readCompactBytes() : r.readBytes());
  const protocolType = str();
  const generation = r.readInt32();
  const protocol = nstr();
  const leader = nstr();
  const currentStateTimestamp = version >= 2 ? Number(r.readInt64()) : -1;
  // Each member needs well over 16 bytes; the bound keeps a corrupt count from allocating.
  const count = flexible ? r.readCompactArrayLength(16) : r.readArrayLength(16);
  const members: StoredMember[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = str();
    const groupInstanceId = version >= 3 ? nstr() : null;
    const clientId = str();
    const clientHost = str();
    const rebalanceTimeout = version >= 1 ? r.readInt32() : -1;
    const sessionTimeout = r.readInt32();
    const subscription = bytes();
    const assignment = bytes();
    if (flexible) skipTaggedFields(r);
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription, assignment });
  }
  if (flexible) skipTaggedFields(r);
  return { protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
