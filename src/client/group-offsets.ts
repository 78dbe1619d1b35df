// Committed offsets of a consumer group: OffsetFetch and OffsetCommit against the group coordinator (on its
// dedicated connection), with Kafka's retry rules: coordinator moves / loading are retried until the deadline;
// generation/member errors mean the group rebalanced and are reported as CommitFailed (not retriable).
import { Cluster, kafkaError, sleep } from './cluster.js';
import { spec } from './requests.js';
import { tpKey, type TopicPartition, type TopicPartitionOffset } from './types.js';
import { KafkaClientError, KafkaError } from './errors.js';
import { ApiKeys } from '../protocol/generated/api-keys.js';
import { encodeOffsetCommitRequest } from '../protocol/generated/messages/offset-commit-request.js';
import { decodeOffsetCommitResponse } from '../protocol/generated/messages/offset-commit-response.js';
import { encodeOffsetFetchRequest } from '../protocol/generated/messages/offset-fetch-request.js';
import { decodeOffsetFetchResponse } from '../protocol/generated/messages/offset-fetch-response.js';

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

function isCoordinatorMoved(e: unknown): boolean {
  return e instanceof KafkaError && (e.name === 'NOT_COORDINATOR' || e.name === 'COORDINATOR_NOT_AVAILABLE');
}

/** Committed offsets (and metadata) of `parts`; offset -1 when the group has none. */
export async function fetchCommittedOffsets(cluster: Cluster, groupId: string, parts: TopicPartition[], policy: RetryPolicy): Promise<Map<string, { offset: number; metadata: string | null }>> {
  const topics = new Map<string, number[]>();
  for (const p of parts) {
    let a = topics.get(p.topic);
    if (!a) topics.set(p.topic, (a = []));
    a.push(p.partition);
  }
  const wanted = [...topics].map(([name, partitionIndexes]) => ({ name, partitionIndexes }));
  for (;;) {
    const coordinator = await cluster.coordinator(groupId, 0, Math.max(1, policy.deadline - Date.now()));
    try {
      const resp = await cluster.sendTo(
        coordinator,
        spec(ApiKeys.OffsetFetch, encodeOffsetFetchRequest, decodeOffsetFetchResponse, (v: number) =>
          v >= 8 ? { groups: [{ groupId, topics: wanted }], requireStable: true } : { groupId, topics: wanted, ...(v >= 7 ? { requireStable: true } : {}) },
        ),
        'coordinator',
      );
      const group = resp.groups && resp.groups.length > 0 ? resp.groups[0]! : null;
      const topErr = group ? (group.errorCode ?? 0) : (resp.errorCode ?? 0);
      if (topErr !== 0) throw kafkaError(topErr)!;
      const out = new Map<string, { offset: number; metadata: string | null }>();
      for (const t of group ? group.topics : (resp.topics ?? [])) {
        for (const p of t.partitions) {
          if (p.errorCode !== 0) throw kafkaError(p.errorCode)!; // UNSTABLE_OFFSET_COMMIT is retriable
          out.set(tpKey(t.name, p.partitionIndex), { offset: Number(p.committedOffset), metadata: p.metadata ?? null });
        }
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
  const topics = new Map<string, TopicPartitionOffset[]>();
  for (const o of offsets) {
    let a = topics.get(o.topic);
    if (!a) topics.set(o.topic, (a = []));
    a.push(o);
  }
  for (;;) {
    try {
      const coordinator = await cluster.coordinator(groupId, 0, Math.max(1, policy.deadline - Date.now()));
      const resp = await cluster.sendTo(
        coordinator,
        spec(ApiKeys.OffsetCommit, encodeOffsetCommitRequest, decodeOffsetCommitResponse, (v: number) => ({
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
        })),
        'coordinator',
      );
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
