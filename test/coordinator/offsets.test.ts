// Offsets: OffsetCommit rules (simple consumers, generations, members), OffsetFetch in every shape (v1, v2-7,
// v8 multi-group), OffsetDelete, DeleteGroups, ListGroups/DescribeGroups, retention expiry, and restarts that
// replay __consumer_offsets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryOffsetsTopic, ManualScheduler, type GroupCoordinator } from '../../src/coordinator/index.js';
import type { OffsetCommitResponse } from '../../src/protocol/generated/messages/offset-commit-response.js';
import { flush, startCoordinator, subscription, track } from './helpers.js';

const ctx = (apiVersion: number) => ({ apiVersion, clientId: 'c', clientHost: '10.0.0.1' });

function commit(
  gc: GroupCoordinator,
  group: string,
  offsets: [string, number, bigint, string?][],
  o: { generation?: number; memberId?: string; version?: number; retention?: bigint } = {},
): Promise<OffsetCommitResponse> {
  const topics = new Map<string, { partitionIndex: number; committedOffset: bigint; committedMetadata: string | null }[]>();
  for (const [t, p, off, md] of offsets) {
    if (!topics.has(t)) topics.set(t, []);
    topics.get(t)?.push({ partitionIndex: p, committedOffset: off, committedMetadata: md ?? null });
  }
  return gc.handleOffsetCommit(
    {
      groupId: group,
      generationIdOrMemberEpoch: o.generation ?? -1,
      memberId: o.memberId ?? '',
      retentionTimeMs: o.retention,
      topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
    },
    ctx(o.version ?? 8),
  );
}

function codes(r: OffsetCommitResponse): number[] {
  return r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
}

async function fetchV8(gc: GroupCoordinator, group: string, topics: { name: string; partitionIndexes: number[] }[] | null) {
  const r = await gc.handleOffsetFetch({ groups: [{ groupId: group, topics }] }, ctx(8));
  return r.groups?.[0];
}

async function oneMemberGroup(gc: GroupCoordinator, clock: ManualScheduler, group = 'g', topics = ['t']) {
  const j = track(
    gc.handleJoinGroup(
      { groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(topics) }] },
      ctx(3),
    ),
  );
  clock.advance(100);
  await flush();
  const { memberId, generationId } = j.value();
  await gc.handleSyncGroup({ groupId: group, generationId: generationId ?? -1, memberId, assignments: [{ memberId, assignment: Buffer.from('x') }] }, ctx(3));
  return { memberId, generation: generationId ?? -1 };
}

test('simple consumer commits (generation -1) create an Empty group; fetch returns them in every version', async () => {
  const { gc } = await startCoordinator();
  const r = await commit(gc, 'simple', [['t', 0, 5n, 'meta'], ['t', 1, 7n], ['u', 0, 1n]]);
  assert.deepEqual(codes(r), [0, 0, 0]);
  const g8 = await fetchV8(gc, 'simple', [{ name: 't', partitionIndexes: [0, 1, 2] }]);
  assert.equal(g8?.errorCode, 0);
  assert.deepEqual(
    g8?.topics[0].partitions.map((p) => [p.partitionIndex, p.committedOffset, p.metadata]),
    [
      [0, 5n, 'meta'],
      [1, 7n, ''],
      [2, -1n, ''],
    ],
  );
  const all = await fetchV8(gc, 'simple', null);
  assert.deepEqual(all?.topics.map((t) => t.name).sort(), ['t', 'u']);
  const v1 = await gc.handleOffsetFetch({ groupId: 'simple', topics: [{ name: 't', partitionIndexes: [0] }] }, ctx(1));
  assert.equal(v1.topics?.[0].partitions[0].committedOffset, 5n);
  const v5 = await gc.handleOffsetFetch({ groupId: 'simple', topics: null }, ctx(5));
  assert.equal(v5.errorCode, 0);
  assert.equal(v5.topics?.length, 2);
  // Unknown group: -1 for what was asked, nothing for "all".
  assert.equal((await fetchV8(gc, 'nope', [{ name: 't', partitionIndexes: [0] }]))?.topics[0].partitions[0].committedOffset, -1n);
  assert.deepEqual((await fetchV8(gc, 'nope', null))?.topics, []);
  const list = await gc.handleListGroups({ statesFilter: [] }, ctx(4));
  assert.deepEqual(list.groups.map((g) => [g.groupId, g.protocolType, g.groupState]), [['simple', '', 'Empty']]);
  await gc.shutdown();
});

test('OffsetFetch v8 answers several groups at once', async () => {
  const { gc } = await startCoordinator();
  await commit(gc, 'g1', [['t', 0, 1n]]);
  await commit(gc, 'g2', [['t', 0, 2n]]);
  const r = await gc.handleOffsetFetch(
    { groups: [{ groupId: 'g1', topics: [{ name: 't', partitionIndexes: [0] }] }, { groupId: 'g2', topics: null }, { groupId: '', topics: null }] },
    ctx(8),
  );
  assert.deepEqual(r.groups?.map((g) => [g.groupId, g.errorCode, g.topics[0]?.partitions[0]?.committedOffset]), [
    ['g1', 0, 1n],
    ['g2', 0, 2n],
    ['', 0, undefined],
  ]);
  await gc.shutdown();
});

test('member commits: generation and member checks, REBALANCE_IN_PROGRESS while completing a rebalance', async () => {
  const { gc, clock } = await startCoordinator();
  const { memberId, generation } = await oneMemberGroup(gc, clock);
  assert.deepEqual(codes(await commit(gc, 'g', [['t', 0, 10n]], { generation, memberId })), [0]);
  assert.deepEqual(codes(await commit(gc, 'g', [['t', 0, 11n]], { generation: generation + 1, memberId })), [22]); // ILLEGAL_GENERATION
  assert.deepEqual(codes(await commit(gc, 'g', [['t', 0, 11n]], { generation, memberId: 'other' })), [25]); // UNKNOWN_MEMBER_ID
  assert.deepEqual(codes(await commit(gc, 'g', [['t', 0, 11n]])), [25], 'a non-member cannot commit into a live group');
  assert.deepEqual(codes(await commit(gc, 'g', [['t', 0, 12n, 'x'.repeat(5000)]], { generation, memberId })), [12]); // OFFSET_METADATA_TOO_LARGE
  // A commit into a group nobody knows, with a generation: ILLEGAL_GENERATION.
  assert.deepEqual(codes(await commit(gc, 'ghost', [['t', 0, 1n]], { generation: 3, memberId: 'm' })), [22]);
  // Rejoin -> CompletingRebalance (single member completes at once) -> commits are refused until SyncGroup.
  const j = await gc.handleJoinGroup(
    { groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['t']) }] },
    ctx(3),
  );
  assert.equal(j.generationId, generation + 1);
  assert.deepEqual(codes(await commit(gc, 'g', [['t', 0, 13n]], { generation: generation + 1, memberId })), [27]);
  const f = await fetchV8(gc, 'g', [{ name: 't', partitionIndexes: [0] }]);
  assert.equal(f?.topics[0].partitions[0].committedOffset, 10n);
  await gc.shutdown();
});

test('UNKNOWN_TOPIC_OR_PARTITION for partitions the broker does not have', async () => {
  const { gc } = await startCoordinator({}, undefined, undefined, (t, p) => t === 't' && p < 2);
  assert.deepEqual(codes(await commit(gc, 's', [['t', 0, 1n], ['t', 5, 1n], ['x', 0, 1n]])), [0, 3, 3]);
  await gc.shutdown();
});

test('DeleteGroups: NON_EMPTY_GROUP for live groups, GROUP_ID_NOT_FOUND for unknown ones, tombstones written', async () => {
  const { gc, clock, topic } = await startCoordinator();
  await oneMemberGroup(gc, clock, 'live');
  await commit(gc, 'idle', [['t', 0, 3n]]);
  const r = await gc.handleDeleteGroups({ groupsNames: ['live', 'idle', 'missing'] }, ctx(2));
  assert.deepEqual(r.results.map((x) => [x.groupId, x.errorCode]), [
    ['live', 68],
    ['idle', 0],
    ['missing', 69],
  ]);
  assert.equal((await fetchV8(gc, 'idle', null))?.topics.length, 0);
  const d = await gc.handleDescribeGroups({ groups: ['idle', 'live'] }, ctx(4));
  assert.equal(d.groups[0].groupState, 'Dead');
  assert.equal(d.groups[1].groupState, 'Stable');
  assert.equal(d.groups[1].protocolData, 'range');
  assert.equal(d.groups[1].members[0].clientHost, '/10.0.0.1');
  assert.equal(d.groups[1].members[0].memberAssignment.toString(), 'x');
  // The idle group's offset is gone after a restart too (its tombstone was written).
  const again = await startCoordinator({}, topic, clock);
  assert.equal((await fetchV8(again.gc, 'idle', null))?.topics.length, 0);
  await again.gc.shutdown();
  await gc.shutdown();
});

test('OffsetDelete: GROUP_SUBSCRIBED_TO_TOPIC for consumed topics, others deleted; GROUP_ID_NOT_FOUND', async () => {
  const { gc, clock } = await startCoordinator();
  const { memberId, generation } = await oneMemberGroup(gc, clock, 'g', ['t']);
  await commit(gc, 'g', [['t', 0, 1n], ['old', 0, 2n]], { generation, memberId });
  const r = await gc.handleOffsetDelete({ groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }, { name: 'old', partitions: [{ partitionIndex: 0 }] }] }, ctx(0));
  assert.equal(r.errorCode, 0);
  assert.deepEqual(r.topics.map((t) => [t.name, t.partitions[0].errorCode]), [
    ['t', 86],
    ['old', 0],
  ]);
  assert.deepEqual((await fetchV8(gc, 'g', null))?.topics.map((t) => t.name), ['t']);
  assert.equal((await gc.handleOffsetDelete({ groupId: 'nope', topics: [] }, ctx(0))).errorCode, 69);
  await gc.shutdown();
});

test('offsets.retention: offsets of an Empty group expire after the retention, then the group is gone', async () => {
  const { gc, clock, topic } = await startCoordinator({ offsetsRetentionMs: 60_000, offsetsRetentionCheckIntervalMs: 10_000 });
  const { memberId, generation } = await oneMemberGroup(gc, clock, 'g', ['t']);
  await commit(gc, 'g', [['t', 0, 4n]], { generation, memberId });
  await commit(gc, 'simple', [['t', 0, 9n]]);
  // While the group is Stable and subscribed to t (its member heartbeating), t's offsets never expire.
  for (let i = 0; i < 24; i++) {
    clock.advance(5000);
    assert.equal((await gc.handleHeartbeat({ groupId: 'g', generationId: generation, memberId }, ctx(3))).errorCode, 0);
  }
  assert.equal((await fetchV8(gc, 'g', null))?.topics.length, 1);
  await flush();
  assert.equal((await fetchV8(gc, 'simple', null))?.topics.length, 0, 'simple consumer offsets expire from their commit time');
  await gc.handleLeaveGroup({ groupId: 'g', members: [{ memberId, groupInstanceId: null }] }, ctx(3));
  assert.equal(gc.core.describeGroup('g').summary.state, 'Empty');
  clock.advance(50_000);
  await flush();
  assert.equal((await fetchV8(gc, 'g', null))?.topics.length, 1, 'retention counts from when the group became Empty');
  clock.advance(20_000);
  await flush();
  assert.equal((await fetchV8(gc, 'g', null))?.topics.length, 0);
  assert.equal(gc.core.getGroup('g'), undefined);
  const again = await startCoordinator({}, topic, clock);
  assert.equal(again.gc.core.getGroup('g'), undefined, 'the group tombstone is in the log');
  await again.gc.shutdown();
  await gc.shutdown();
});

test('OffsetCommit v2 retention time: written as OffsetCommitValue v1 with an expire timestamp, honoured on expiry', async () => {
  const { gc, clock } = await startCoordinator({ offsetsRetentionCheckIntervalMs: 1000 });
  await commit(gc, 's', [['t', 0, 1n]], { version: 2, retention: 5000n });
  clock.advance(3000);
  await flush();
  assert.equal((await fetchV8(gc, 's', null))?.topics.length, 1);
  clock.advance(3000);
  await flush();
  assert.equal((await fetchV8(gc, 's', null))?.topics.length, 0);
  await gc.shutdown();
});

test('restart: offsets, generation, members and assignment come back from __consumer_offsets', async () => {
  const topic = new InMemoryOffsetsTopic();
  const clock = new ManualScheduler();
  const first = await startCoordinator({}, topic, clock);
  const { memberId, generation } = await oneMemberGroup(first.gc, clock, 'g', ['t']);
  await commit(first.gc, 'g', [['t', 0, 42n, 'm']], { generation, memberId });
  await commit(first.gc, 's', [['t', 1, 7n]]);
  await first.gc.shutdown();

  const second = await startCoordinator({}, topic, clock);
  const gc = second.gc;
  const g = gc.core.describeGroup('g').summary;
  assert.equal(g.state, 'Stable');
  assert.equal(g.members[0].memberId, memberId);
  assert.equal(g.members[0].assignment.toString(), 'x');
  const f = await fetchV8(gc, 'g', null);
  assert.deepEqual([f?.topics[0].partitions[0].committedOffset, f?.topics[0].partitions[0].metadata], [42n, 'm']);
  assert.equal((await fetchV8(gc, 's', null))?.topics[0].partitions[0].committedOffset, 7n);
  // The member carries on with its generation.
  const hb = await gc.handleHeartbeat({ groupId: 'g', generationId: generation, memberId }, ctx(3));
  assert.equal(hb.errorCode, 0);
  // ...and is dropped by its session timeout if it does not.
  clock.advance(10_001);
  assert.equal(gc.core.describeGroup('g').summary.state, 'Empty', 'its only member timed out');
  assert.equal(gc.core.getGroup('g')?.generationId, generation + 1);
  await gc.shutdown();
});

test('requests during loading get COORDINATOR_LOAD_IN_PROGRESS (heartbeats are answered blindly)', async () => {
  const topic = new InMemoryOffsetsTopic();
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const slow = {
    append: (p: number, b: Buffer) => topic.append(p, b),
    async *readAll(p: number) {
      await gate;
      yield* topic.readAll(p);
    },
  };
  const { GroupCoordinator } = await import('../../src/coordinator/index.js');
  const gc = new GroupCoordinator({ offsetsTopic: slow, node: () => ({ nodeId: 0, host: 'h', port: 1 }), scheduler: new ManualScheduler() });
  const started = gc.startup();
  await flush();
  const j = await gc.handleJoinGroup({ groupId: 'g', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'r', metadata: Buffer.alloc(0) }] }, ctx(5));
  assert.equal(j.errorCode, 14);
  assert.equal((await gc.handleHeartbeat({ groupId: 'g', generationId: 1, memberId: 'm' }, ctx(3))).errorCode, 0);
  assert.equal((await gc.handleOffsetFetch({ groupId: 'g', topics: null }, ctx(7))).errorCode, 14);
  assert.equal((await gc.handleListGroups({}, ctx(3))).errorCode, 14);
  release();
  await started;
  assert.equal((await gc.handleOffsetFetch({ groupId: 'g', topics: null }, ctx(7))).errorCode, 0);
  await gc.shutdown();
});

test('a failed __consumer_offsets append maps to Kafka\'s coordinator errors and commits nothing', async () => {
  const { gc, topic } = await startCoordinator();
  topic.failWith = 6; // NOT_LEADER_OR_FOLLOWER
  assert.deepEqual(codes(await commit(gc, 's', [['t', 0, 1n]])), [16]); // NOT_COORDINATOR
  topic.failWith = 10; // MESSAGE_TOO_LARGE
  assert.deepEqual(codes(await commit(gc, 's', [['t', 0, 1n]])), [28]); // INVALID_COMMIT_OFFSET_SIZE
  topic.failWith = null;
  assert.equal((await fetchV8(gc, 's', null))?.topics.length, 0);
  await gc.shutdown();
});

test('ListGroups state filter (case-insensitive) and DescribeGroups of a rebalancing group', async () => {
  const { gc, clock } = await startCoordinator();
  await oneMemberGroup(gc, clock, 'stable-one');
  await commit(gc, 'empty-one', [['t', 0, 1n]]);
  const parked = track(
    gc.handleJoinGroup({ groupId: 'joining', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['t']) }] }, ctx(3)),
  );
  const byState = async (states: string[]) => (await gc.handleListGroups({ statesFilter: states }, ctx(4))).groups.map((g) => g.groupId).sort();
  assert.deepEqual(await byState(['Stable']), ['stable-one']);
  assert.deepEqual(await byState(['empty', 'PREPARINGREBALANCE']), ['empty-one', 'joining']);
  assert.deepEqual(await byState([]), ['empty-one', 'joining', 'stable-one']);
  const d = await gc.handleDescribeGroups({ groups: ['joining'], includeAuthorizedOperations: true }, ctx(4));
  assert.equal(d.groups[0].groupState, 'PreparingRebalance');
  assert.equal(d.groups[0].protocolData, '');
  assert.equal(d.groups[0].members[0].memberMetadata.length, 0, 'no metadata unless Stable');
  assert.equal(d.groups[0].authorizedOperations, 328);
  clock.advance(100);
  await flush();
  assert.equal(parked.done(), true);
  await gc.shutdown();
});
