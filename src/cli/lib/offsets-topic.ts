// Reading __consumer_offsets records for the console consumer's formatters and for dump-log --offsets-decoder.
// Each key/value starts with an int16 version selecting the schema (OffsetCommitKey v0-1, GroupMetadataKey v2);
// the schemas themselves are decoded by the generated internal-record codecs.
import { Reader } from '../../protocol/primitives/reader.js';
import { decodeOffsetCommitKey } from '../../protocol/generated/internal/offset-commit-key.js';
import { decodeGroupMetadataKey } from '../../protocol/generated/internal/group-metadata-key.js';
import { decodeOffsetCommitValue as decodeOffsetValueBody } from '../../protocol/generated/internal/offset-commit-value.js';
import { decodeGroupMetadataValue as decodeGroupValueBody } from '../../protocol/generated/internal/group-metadata-value.js';

export type OffsetsKey = { kind: 'offset'; group: string; topic: string; partition: number } | { kind: 'group'; group: string };

/** Decodes a __consumer_offsets record key; null for versions this topic does not use (e.g. newer group types). */
export function decodeOffsetsKey(buf: Buffer): OffsetsKey | null {
  const r = new Reader(buf);
  const version = r.readInt16();
  if (version === 0 || version === 1) {
    const k = decodeOffsetCommitKey(r, version);
    return { kind: 'offset', group: k.group, topic: k.topic, partition: k.partition };
  }
  if (version === 2) return { kind: 'group', group: decodeGroupMetadataKey(r, version).group };
  return null;
}

export interface OffsetCommitInfo {
  version: number;
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
  /** Only version 1 stores an expire timestamp. */
  expireTimestamp: number | null;
}

export function decodeOffsetCommitValue(buf: Buffer): OffsetCommitInfo {
  const r = new Reader(buf);
  const version = r.readInt16();
  const v = decodeOffsetValueBody(r, version);
  return {
    version,
    offset: Number(v.offset),
    leaderEpoch: v.leaderEpoch ?? -1,
    metadata: v.metadata,
    commitTimestamp: Number(v.commitTimestamp),
    expireTimestamp: version === 1 ? Number(v.expireTimestamp ?? -1n) : null,
  };
}

export interface GroupMetadataInfo {
  version: number;
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: { memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; rebalanceTimeout: number; sessionTimeout: number; assignment: Buffer }[];
}

export function decodeGroupMetadataValue(buf: Buffer): GroupMetadataInfo {
  const r = new Reader(buf);
  const version = r.readInt16();
  const g = decodeGroupValueBody(r, version);
  return {
    version,
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
      assignment: m.assignment,
    })),
  };
}
