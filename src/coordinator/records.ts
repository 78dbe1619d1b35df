// Keys and values of __consumer_offsets records, byte for byte as Kafka writes them (the JSON schemas in
// kafka-protocol/internal-records), so Kafka's own tools (kafka-console-consumer with the offsets formatter,
// kcat + a decoder) read Gregor's topic and Gregor loads a topic Kafka wrote.
//   key   = int16 key version + fields   (version 0/1: OffsetCommitKey, version 2: GroupMetadataKey)
//   value = int16 value version + fields (null value = tombstone: offset deleted / group deleted)
// Kafka 2.3+ writes OffsetCommitKey v1, OffsetCommitValue v3 (v1 when the commit carried a retention time),
// GroupMetadataKey v2, GroupMetadataValue v3; every version is accepted on load, including the flexible v4s.
// The bytes come from the codecs generated from those schemas; this module only picks versions and maps types.
import { Reader } from '../protocol/primitives/reader.js';
import { Writer } from '../protocol/primitives/writer.js';
import { ProtocolError } from '../protocol/errors.js';
import * as offsetKey from '../protocol/generated/internal/offset-commit-key.js';
import * as groupKey from '../protocol/generated/internal/group-metadata-key.js';
import * as offsetValue from '../protocol/generated/internal/offset-commit-value.js';
import * as groupValue from '../protocol/generated/internal/group-metadata-value.js';
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
/** Highest value versions the schemas define; a larger version is data we cannot read. */
const MAX_OFFSET_COMMIT_VALUE_VERSION = 4;
const MAX_GROUP_METADATA_VALUE_VERSION = 4;

/** int16 version prefix, then the body written by the generated encoder for that version. */
function versioned(version: number, sizeHint: number, encodeBody: (w: Writer) => void): Buffer {
  const w = new Writer(sizeHint);
  w.writeInt16(version);
  encodeBody(w);
  return Buffer.from(w.toBuffer());
}

function readVersion(r: Reader, what: string, max: number): number {
  const version = r.readInt16();
  if (version < 0 || version > max) throw new ProtocolError('UNSUPPORTED_VERSION', `unknown ${what} version ${version}`);
  return version;
}

export function encodeOffsetCommitKey(group: string, topic: string, partition: number): Buffer {
  return versioned(OFFSET_COMMIT_KEY_VERSION, 64, (w) =>
    offsetKey.encodeOffsetCommitKey(w, { group, topic, partition }, OFFSET_COMMIT_KEY_VERSION),
  );
}

export function encodeGroupMetadataKey(group: string): Buffer {
  return versioned(GROUP_METADATA_KEY_VERSION, 32, (w) =>
    groupKey.encodeGroupMetadataKey(w, { group }, GROUP_METADATA_KEY_VERSION),
  );
}

/**
 * A classic group's key (OffsetCommitKey v0/v1, GroupMetadataKey v2), or null for any other key version: the
 * KIP-848 consumer-group records (v3+, consumer-group-records.ts) and versions from the future share the topic.
 */
export function decodeClassicKey(buf: Buffer): OffsetsTopicKey | null {
  const r = new Reader(buf);
  const version = r.readInt16();
  if (version === 0 || version === 1) return { kind: 'offset', ...offsetKey.decodeOffsetCommitKey(r, version) };
  if (version === 2) return { kind: 'group', group: groupKey.decodeGroupMetadataKey(r, version).group };
  return null;
}

export function decodeKey(buf: Buffer): OffsetsTopicKey {
  const key = decodeClassicKey(buf);
  if (key === null) throw new ProtocolError('UNSUPPORTED_VERSION', `unknown __consumer_offsets key version ${buf.readInt16BE(0)}`);
  return key;
}

/** OffsetCommitValue v3 normally, v1 when the commit asked for a per-offset expiry (as Kafka does). */
export function encodeOffsetCommitValue(v: OffsetAndMetadata): Buffer {
  const version = v.expireTimestamp !== null ? 1 : 3;
  const body: offsetValue.OffsetCommitValue = {
    offset: v.offset,
    leaderEpoch: v.leaderEpoch,
    metadata: v.metadata,
    commitTimestamp: BigInt(v.commitTimestamp),
    expireTimestamp: v.expireTimestamp !== null ? BigInt(v.expireTimestamp) : -1n,
  };
  return versioned(version, 64, (w) => offsetValue.encodeOffsetCommitValue(w, body, version));
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetAndMetadata {
  const r = new Reader(buf);
  const version = readVersion(r, 'OffsetCommitValue', MAX_OFFSET_COMMIT_VALUE_VERSION);
  const v = offsetValue.decodeOffsetCommitValue(r, version);
  const expire = version === 1 ? Number(v.expireTimestamp ?? -1n) : -1;
  return {
    offset: v.offset,
    leaderEpoch: v.leaderEpoch ?? -1,
    metadata: v.metadata,
    commitTimestamp: Number(v.commitTimestamp),
    expireTimestamp: expire === -1 ? null : expire,
  };
}

export function encodeGroupMetadataValue(v: GroupMetadataValue): Buffer {
  const body: groupValue.GroupMetadataValue = {
    protocolType: v.protocolType,
    generation: v.generation,
    protocol: v.protocol,
    leader: v.leader,
    currentStateTimestamp: BigInt(v.currentStateTimestamp),
    members: v.members,
  };
  return versioned(GROUP_METADATA_VALUE_VERSION, 256, (w) =>
    groupValue.encodeGroupMetadataValue(w, body, GROUP_METADATA_VALUE_VERSION),
  );
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataValue {
  const r = new Reader(buf);
  const version = readVersion(r, 'GroupMetadataValue', MAX_GROUP_METADATA_VALUE_VERSION);
  const g = groupValue.decodeGroupMetadataValue(r, version);
  return {
    protocolType: g.protocolType,
    generation: g.generation,
    protocol: g.protocol,
    leader: g.leader,
    currentStateTimestamp: Number(g.currentStateTimestamp ?? -1n),
    members: g.members.map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId ?? null,
      clientId: m.clientId,
      clientHost: m.clientHost,
      rebalanceTimeout: m.rebalanceTimeout ?? -1,
      sessionTimeout: m.sessionTimeout,
      // Copies: the members outlive the batch buffer the value was read from.
      subscription: Buffer.from(m.subscription),
      assignment: Buffer.from(m.assignment),
    })),
  };
}
