// Committed offsets of a consumer group: OffsetFetch and OffsetCommit against the group coordinator (on its
// dedicated connection), with Kafka's retry rules: coordinator moves / loading are retried until the deadline;
// generation/member errors mean the group rebalanced and are reported as CommitFailed (not retriable).
import { Cluster, kafkaError, sleep } from './cluster.js';
import { spec } from './requests.js';
import type { RequestSpec } from './connection.js';
import { groupBy, tpKey, type TopicPartition, type TopicPartitionOffset } from './types.js';
import { KafkaClientError, KafkaError } from './errors.js';
import { ApiKeys } from '../protocol/generated/api-keys.js';
import { encodeOffsetCommitRequest } from '../protocol/generated/messages/offset-commit-request.js';
import { decodeOffsetCommitResponse, type OffsetCommitResponse } from '../protocol/generated/messages/offset-commit-response.js';
import { encodeOffsetFetchRequest } from '../protocol/generated/messages/offset-fetch-request.js';
import { decodeOffsetFetchResponse, type OffsetFetchResponse } from '../protocol/generated/messages/offset-fetch-response.js';

export interface RetryPolicy {
  deadline: number;
  retryBackoffMs: number;
  /** Stop retrying (the client was closed). */
  stopped: () => boolean;
}

/** Identity a commit is made with; generation -1 / member '' for consumers without group membership. */
export interface MemberIdentity {
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

/** Error names meaning the member's generation is gone: the commit can never succeed as is. */
export const MEMBER_ERRORS = ['UNKNOWN_MEMBER_ID', 'ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'FENCED_INSTANCE_ID'];

export class CommitFailedError extends KafkaClientError {
  override readonly name = 'CommitFailedException';
  constructor(readonly reason: string) {
    super(`CommitFailedException: Commit cannot be completed since the group has already rebalanced and assigned the partitions to another member (${reason}).`, false);
  }
}

/** A member without group membership (the admin client, a consumer with manual assignment). */
export const NO_MEMBER: MemberIdentity = { generationId: -1, memberId: '', groupInstanceId: null };

/** OffsetFetch of one group's partitions (null = all it has): v8+ nests the group, older versions name it. */
export function offsetFetchRequest(groupId: string, parts: TopicPartition[] | null, requireStable: boolean): RequestSpec<OffsetFetchResponse> {
  const topics = parts && [...groupBy(parts, (p) => p.topic, (p) => p.partition)].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
  return spec(ApiKeys.OffsetFetch, encodeOffsetFetchRequest, decodeOffsetFetchResponse, (v: number) =>
    v >= 8 ? { groups: [{ groupId, topics }], requireStable } : { groupId, topics: topics ?? (v >= 2 ? null : []), ...(v >= 7 ? { requireStable } : {}) },
  );
}

export interface FetchedOffset extends TopicPartition {
  /** -1: the group has no committed offset for the partition. */
  offset: number;
  metadata: string | null;
  leaderEpoch: number;
  errorCode: number;
}

/** The partitions of an OffsetFetch response, whichever layout; throws the group-level error first. */
export function fetchedOffsets(resp: OffsetFetchResponse): FetchedOffset[] {
  const group = resp.groups && resp.groups.length > 0 ? resp.groups[0]! : null;
  const groupError = group ? (group.errorCode ?? 0) : (resp.errorCode ?? 0);
  if (groupError !== 0) throw kafkaError(groupError)!;
  const out: FetchedOffset[] = [];
  for (const t of group ? group.topics : (resp.topics ?? [])) {
    for (const p of t.partitions) {
      out.push({ topic: t.name, partition: p.partitionIndex, offset: Number(p.committedOffset), metadata: p.metadata ?? null, leaderEpoch: p.committedLeaderEpoch ?? -1, errorCode: p.errorCode });
    }
  }
  return out;
}

/** OffsetCommit of `offsets` by `member` (leader epochs from v6, the group instance id from v7). */
export function offsetCommitRequest(groupId: string, member: MemberIdentity, offsets: TopicPartitionOffset[]): RequestSpec<OffsetCommitResponse> {
  const topics = groupBy(offsets, (o) => o.topic);
  return spec(ApiKeys.OffsetCommit, encodeOffsetCommitRequest, decodeOffsetCommitResponse, (v: number) => ({
    groupId,
    generationIdOrMemberEpoch: member.generationId,
    memberId: member.memberId,
    ...(v >= 7 ? { groupInstanceId: member.groupInstanceId } : {}),
    topics: [...topics].map(([name, os]) => ({
      name,
      partitions: os.map((o) => ({
        partitionIndex: o.partition,
        committedOffset: BigInt(o.offset),
        committedMetadata: o.metadata ?? '',
        ...(v >= 6 ? { committedLeaderEpoch: o.leaderEpoch ?? -1 } : {}),
      })),
    })),
  }));
}

function isCoordinatorMoved(e: unknown): boolean {
  return e instanceof KafkaError && (e.name === 'NOT_COORDINATOR' || e.name === 'COORDINATOR_NOT_AVAILABLE');
}

/** Committed offsets (and metadata) of `parts`; offset -1 when the group has none. */
export async function fetchCommittedOffsets(cluster: Cluster, groupId: string, parts: TopicPartition[], policy: RetryPolicy): Promise<Map<string, { offset: number; metadata: string | null }>> {
  for (;;) {
    const coordinator = await cluster.coordinator(groupId, 0, Math.max(1, policy.deadline - Date.now()));
    try {
      const resp = await cluster.sendTo(coordinator, offsetFetchRequest(groupId, parts, true), 'coordinator');
      const out = new Map<string, { offset: number; metadata: string | null }>();
      for (const p of fetchedOffsets(resp)) {
        if (p.errorCode !== 0) throw kafkaError(p.errorCode)!; // UNSTABLE_OFFSET_COMMIT is retriable
        out.set(tpKey(p.topic, p.partition), { offset: p.offset, metadata: p.metadata });
      }
      return out;
    } catch (e) {
      if (isCoordinatorMoved(e)) cluster.invalidateCoordinator(groupId, 0);
      const retriable = e instanceof KafkaClientError && e.retriable;
      if (!retriable || Date.now() >= policy.deadline || policy.stopped()) throw e;
      await sleep(policy.retryBackoffMs);
    }
  }
}

/** Commits `offsets` for the group; retries retriable failures only when `retry` (commitSync, not commitAsync). */
export async function commitGroupOffsets(cluster: Cluster, groupId: string, member: MemberIdentity, offsets: TopicPartitionOffset[], retry: boolean, policy: RetryPolicy): Promise<void> {
  for (;;) {
    try {
      const coordinator = await cluster.coordinator(groupId, 0, Math.max(1, policy.deadline - Date.now()));
      const resp = await cluster.sendTo(coordinator, offsetCommitRequest(groupId, member, offsets), 'coordinator');
      for (const t of resp.topics) {
        for (const p of t.partitions) {
          if (p.errorCode === 0) continue;
          const err = kafkaError(p.errorCode)!;
          if (MEMBER_ERRORS.includes(err.name)) throw new CommitFailedError(err.name);
          throw err;
        }
      }
      return;
    } catch (e) {
      if (isCoordinatorMoved(e)) cluster.invalidateCoordinator(groupId, 0);
      const retriable = e instanceof KafkaClientError && e.retriable;
      if (!retry || !retriable || Date.now() >= policy.deadline || policy.stopped()) throw e;
      await sleep(policy.retryBackoffMs);
    }
  }
}
