// KIP-848 consumer groups: server-side assignment, incremental reconciliation (a partition is never held by two
// members), epochs and fencing, timers, member-epoch offset commits, describe/list.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { computeTargetAssignment, ConsumerMember, type Assignment } from '../../src/coordinator/consumer-group.js';
import type { GroupCoordinator } from '../../src/coordinator/index.js';
import type { ConsumerGroupHeartbeatResponse } from '../../src/protocol/generated/messages/consumer-group-heartbeat-response.js';
import { startCoordinator } from './helpers.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';
const topics = new Map([['t', { topicId: TOPIC_ID, numPartitions: 6 }]]);
const view = {
  partitionExists: (t: string, p: number) => t === 't' && p < (topics.get('t')?.numPartitions ?? 0),
  topic: (name: string) => topics.get(name),
  topicName: (id: string) => (id === TOPIC_ID ? 't' : undefined),
};
const ctx = { apiVersion: 0, clientId: 'cli', clientHost: '127.0.0.1' };

interface Client {
  memberId: string;
  epoch: number;
  owned: number[];
}

async function start() {
  const f = await startCoordinator();
  // The fixture has no topic view; build one with the KIP-848 lookups.
  const { GroupCoordinator } = await import('../../src/coordinator/index.js');
  await f.gc.shutdown();
  const gc = new GroupCoordinator({ offsetsTopic: f.topic, node: () => ({ nodeId: 1, host: 'h', port: 1 }), scheduler: f.clock, topics: view, config: { consumerSessionTimeoutMs: 10_000 } });
  await gc.startup();
  return { gc, clock: f.clock, topic: f.topic };
}

function hb(gc: GroupCoordinator, c: Partial<Client> & { epoch: number }, extra: Record<string, unknown> = {}): Promise<ConsumerGroupHeartbeatResponse> {
  return gc.handleConsumerGroupHeartbeat(
    {
      groupId: 'cg',
      memberId: c.memberId ?? '',
      memberEpoch: c.epoch,
      rebalanceTimeoutMs: c.epoch === 0 ? 5000 : -1,
      subscribedTopicNames: c.epoch === 0 ? ['t'] : null,
      serverAssignor: null,
      topicPartitions: c.owned === undefined ? [] : [{ topicId: TOPIC_ID, partitions: c.owned }],
      ...extra,
    },
    ctx,
  );
}

/** One heartbeat round of a well-behaved client: adopts whatever assignment it is sent. */
async function round(gc: GroupCoordinator, c: Client): Promise<ConsumerGroupHeartbeatResponse> {
  const r = await hb(gc, c);
  assert.equal(r.errorCode, 0, `heartbeat of ${c.memberId}: ${r.errorMessage}`);
  c.epoch = r.memberEpoch;
  if (r.assignment) c.owned = r.assignment.topicPartitions.flatMap((tp) => tp.partitions);
  return r;
}

/** Heartbeat rounds until nobody's assignment changes (hand-overs take up to three rounds). */
async function settle(gc: GroupCoordinator, clients: Client[]): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const before = JSON.stringify(clients.map((c) => [c.epoch, [...c.owned].sort()]));
    for (const c of clients) await round(gc, c);
    if (JSON.stringify(clients.map((c) => [c.epoch, [...c.owned].sort()])) === before) return;
  }
  throw new Error('the group never settled');
}

async function join(gc: GroupCoordinator): Promise<Client> {
  const r = await hb(gc, { epoch: 0 });
  assert.equal(r.errorCode, 0, r.errorMessage ?? '');
  assert.ok(r.memberId);
  return { memberId: r.memberId, epoch: r.memberEpoch, owned: r.assignment?.topicPartitions.flatMap((tp) => tp.partitions) ?? [] };
}

function assertNoOverlap(clients: Client[]): void {
  const seen = new Set<number>();
  for (const c of clients) for (const p of c.owned) {
    assert.ok(!seen.has(p), `partition ${p} owned twice`);
    seen.add(p);
  }
}

test('uniform assignor: balanced, complete, disjoint and sticky', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 4 }), (n, partitions, joiners) => {
      const tinfo = new Map([['t', { topicId: TOPIC_ID, numPartitions: partitions }]]);
      const mk = (i: number) => {
        const m = new ConsumerMember(`m${i}`, 'c', 'h');
        m.subscribedTopicNames = ['t'];
        return m;
      };
      const members = Array.from({ length: n }, (_, i) => mk(i));
      const first = computeTargetAssignment(members, new Map(), tinfo);
      const check = (a: Map<string, Assignment>, count: number) => {
        const all: number[] = [];
        const sizes: number[] = [];
        for (const x of a.values()) {
          const ps = [...(x.get(TOPIC_ID) ?? [])];
          all.push(...ps);
          sizes.push(ps.length);
        }
        assert.equal(all.length, partitions);
        assert.equal(new Set(all).size, partitions);
        assert.equal(sizes.length, count);
        assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `unbalanced ${sizes.join(',')}`);
      };
      check(first, n);
      const more = [...members, ...Array.from({ length: joiners }, (_, i) => mk(100 + i))];
      const second = computeTargetAssignment(more, first, tinfo);
      check(second, n + joiners);
      // Sticky: a partition moves only if its owner is over its new share.
      let moved = 0;
      for (const m of members) for (const p of first.get(m.memberId)?.get(TOPIC_ID) ?? []) if (!second.get(m.memberId)?.get(TOPIC_ID)?.has(p)) moved++;
      const share = Math.ceil(partitions / (n + joiners));
      let keptMax = 0;
      for (const m of members) keptMax += Math.min(first.get(m.memberId)?.get(TOPIC_ID)?.size ?? 0, share);
      assert.ok(moved <= partitions - keptMax + n, `moved ${moved}`);
    }),
  );
});

test('join, incremental hand-over to a second and third member, no partition ever owned twice', async () => {
  const { gc } = await start();
  const a = await join(gc);
  assert.equal(a.epoch, 1);
  assert.deepEqual(a.owned.sort(), [0, 1, 2, 3, 4, 5]);
  const b = await join(gc);
  assert.equal(b.epoch, 2);
  assert.deepEqual(b.owned, [], 'b waits until a releases');
  assertNoOverlap([a, b]);
  // a is told to give up three partitions (epoch unchanged until it confirms).
  let r = await round(gc, a);
  assert.equal(r.memberEpoch, 1);
  assert.equal(a.owned.length, 3);
  assertNoOverlap([a, b]);
  // a confirms (its owned list no longer has them): it moves to epoch 2.
  r = await round(gc, a);
  assert.equal(r.memberEpoch, 2);
  await round(gc, b);
  assert.equal(b.owned.length, 3);
  assertNoOverlap([a, b]);
  const c = await join(gc);
  for (let i = 0; i < 4; i++) for (const x of [a, b, c]) {
    await round(gc, x);
    assertNoOverlap([a, b, c]);
  }
  await settle(gc, [a, b, c]);
  assert.deepEqual([a.owned.length, b.owned.length, c.owned.length], [2, 2, 2]);
  assert.deepEqual([...a.owned, ...b.owned, ...c.owned].sort(), [0, 1, 2, 3, 4, 5]);
  const d = await gc.handleConsumerGroupDescribe({ groupIds: ['cg'], includeAuthorizedOperations: false }, ctx);
  assert.equal(d.groups[0].groupState, 'stable');
  assert.equal(d.groups[0].members.length, 3);
  assert.equal(d.groups[0].members[0].assignment.topicPartitions[0].topicName, 't');
  const list = await gc.handleListGroups({ statesFilter: [], typesFilter: ['consumer'] }, { ...ctx, apiVersion: 5 });
  assert.deepEqual(list.groups.map((g) => [g.groupId, g.groupType, g.groupState]), [['cg', 'consumer', 'Stable']]);
  // Leaving hands the partitions back to the others.
  const left = await hb(gc, { memberId: c.memberId, epoch: -1 });
  assert.equal(left.memberEpoch, -1);
  await settle(gc, [a, b]);
  assert.deepEqual([...a.owned, ...b.owned].sort(), [0, 1, 2, 3, 4, 5]);
  await gc.shutdown();
});

test('fencing and validation: stale epochs, unknown members, bad requests, unsupported assignor', async () => {
  const { gc } = await start();
  const a = await join(gc);
  assert.equal((await hb(gc, { ...a, epoch: a.epoch + 5 })).errorCode, 110); // FENCED_MEMBER_EPOCH
  assert.equal((await hb(gc, { memberId: 'ghost', epoch: 3 })).errorCode, 110);
  assert.equal((await hb(gc, { epoch: 0 }, { rebalanceTimeoutMs: -1 })).errorCode, 42); // INVALID_REQUEST
  assert.equal((await hb(gc, { epoch: 0 }, { serverAssignor: 'fancy' })).errorCode, 112); // UNSUPPORTED_ASSIGNOR
  assert.equal((await hb(gc, { epoch: 0 }, { groupId: '' })).errorCode, 42);
  // Classic members cannot join a live consumer group.
  const j = await gc.handleJoinGroup({ groupId: 'cg', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] }, { ...ctx, apiVersion: 5 });
  assert.equal(j.errorCode, 23);
  await gc.shutdown();
});

test('member-epoch offset commits and fetches', async () => {
  const { gc } = await start();
  const a = await join(gc);
  const commit = (memberId: string, epoch: number) =>
    gc.handleOffsetCommit({ groupId: 'cg', generationIdOrMemberEpoch: epoch, memberId, topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 3n, committedMetadata: null }] }] }, { ...ctx, apiVersion: 9 });
  assert.equal((await commit(a.memberId, a.epoch)).topics[0].partitions[0].errorCode, 0);
  assert.equal((await commit(a.memberId, a.epoch - 1)).topics[0].partitions[0].errorCode, 113); // STALE_MEMBER_EPOCH
  assert.equal((await commit(a.memberId, a.epoch + 1)).topics[0].partitions[0].errorCode, 110);
  assert.equal((await commit('', -1)).topics[0].partitions[0].errorCode, 25, 'simple commits only into an empty group');
  const f = await gc.handleOffsetFetch({ groups: [{ groupId: 'cg', memberId: a.memberId, memberEpoch: a.epoch, topics: null }] }, { ...ctx, apiVersion: 9 });
  assert.equal(f.groups?.[0].topics[0].partitions[0].committedOffset, 3n);
  const stale = await gc.handleOffsetFetch({ groups: [{ groupId: 'cg', memberId: a.memberId, memberEpoch: 0, topics: null }] }, { ...ctx, apiVersion: 9 });
  assert.equal(stale.groups?.[0].errorCode, 113);
  await gc.shutdown();
});

test('session timeout removes a silent member; a member that never revokes is fenced after its rebalance timeout', async () => {
  const { gc, clock } = await start();
  const a = await join(gc);
  const b = await join(gc);
  await round(gc, a); // a told to revoke 3
  // a never confirms; b keeps heartbeating without getting a's partitions.
  for (let i = 0; i < 4; i++) {
    clock.advance(1000);
    await round(gc, b);
    assert.equal(b.owned.length, 0);
  }
  clock.advance(1000); // a's 5000 ms rebalance timeout is over
  assert.equal((await hb(gc, a)).errorCode, 110);
  await round(gc, b);
  assert.equal(b.owned.length, 6);
  clock.advance(10_000);
  const d = await gc.handleConsumerGroupDescribe({ groupIds: ['cg'], includeAuthorizedOperations: false }, ctx);
  assert.equal(d.groups[0].groupState, 'empty');
  await gc.shutdown();
});

test('new partitions of a subscribed topic are assigned on the next heartbeats', async () => {
  const { gc } = await start();
  const a = await join(gc);
  topics.set('t', { topicId: TOPIC_ID, numPartitions: 8 });
  try {
    await round(gc, a);
    assert.deepEqual(a.owned.sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7]);
  } finally {
    topics.set('t', { topicId: TOPIC_ID, numPartitions: 6 });
  }
  await gc.shutdown();
});

test('KIP-848 groups are written to __consumer_offsets and survive a restart: members keep epochs and partitions', async () => {
  const { gc, clock, topic } = await start();
  const a = await join(gc);
  const b = await join(gc);
  await settle(gc, [a, b]);
  const c = await join(gc);
  await settle(gc, [a, b, c]);
  const left = await hb(gc, { memberId: c.memberId, epoch: -1 });
  assert.equal(left.errorCode, 0);
  await settle(gc, [a, b]);
  assert.deepEqual([...a.owned, ...b.owned].sort(), [0, 1, 2, 3, 4, 5]);
  const epochs = [a.epoch, b.epoch];
  await gc.shutdown();

  // Same log, new coordinator.
  const { GroupCoordinator } = await import('../../src/coordinator/index.js');
  const again = new GroupCoordinator({ offsetsTopic: topic, node: () => ({ nodeId: 1, host: 'h', port: 1 }), scheduler: clock, topics: view, config: { consumerSessionTimeoutMs: 10_000 } });
  await again.startup();
  const d = await again.handleConsumerGroupDescribe({ groupIds: ['cg'], includeAuthorizedOperations: false }, ctx);
  assert.equal(d.groups[0].errorCode, 0);
  assert.deepEqual(d.groups[0].members.map((m) => m.memberId).sort(), [a.memberId, b.memberId].sort(), 'the departed member stayed gone');
  for (const x of [a, b]) {
    const r = await hb(again, x);
    assert.equal(r.errorCode, 0, r.errorMessage ?? '');
    assert.equal(r.memberEpoch, x.epoch);
  }
  assert.deepEqual([a.epoch, b.epoch], epochs);
  const after = d.groups[0].members.flatMap((m) => m.assignment.topicPartitions.flatMap((tp) => tp.partitions)).sort();
  assert.deepEqual(after, [0, 1, 2, 3, 4, 5]);
  // A member that never comes back times out after the restart too.
  clock.advance(10_001);
  const d2 = await again.handleConsumerGroupDescribe({ groupIds: ['cg'], includeAuthorizedOperations: false }, ctx);
  assert.equal(d2.groups[0].groupState, 'empty');
  await again.shutdown();
  // Emptied and deleted: nothing of it survives another restart.
  const third = new GroupCoordinator({ offsetsTopic: topic, node: () => ({ nodeId: 1, host: 'h', port: 1 }), scheduler: clock, topics: view });
  await third.startup();
  const del = await third.handleDeleteGroups({ groupsNames: ['cg'] }, { ...ctx, apiVersion: 2 });
  assert.equal(del.results[0].errorCode, 0);
  await third.shutdown();
  const fourth = new GroupCoordinator({ offsetsTopic: topic, node: () => ({ nodeId: 1, host: 'h', port: 1 }), scheduler: clock, topics: view });
  await fourth.startup();
  assert.equal((await fourth.handleConsumerGroupDescribe({ groupIds: ['cg'], includeAuthorizedOperations: false }, ctx)).groups[0].errorCode, 69);
  await fourth.shutdown();
});

test('KIP-848 static members: leave with epoch -2 keeps the partitions for the instance, which takes them back', async () => {
  const { gc, clock, topic } = await start();
  const joinStatic = async (instanceId: string, memberId = ''): Promise<Client & { r: ConsumerGroupHeartbeatResponse }> => {
    const r = await hb(gc, { epoch: 0, memberId }, { instanceId });
    return { memberId: r.memberId ?? '', epoch: r.memberEpoch, owned: r.assignment?.topicPartitions.flatMap((tp) => tp.partitions) ?? [], r };
  };
  const a = await joinStatic('inst-a');
  const b = await joinStatic('inst-b');
  await settle(gc, [a, b]);
  const bOwned = [...b.owned].sort();
  assert.equal(bOwned.length, 3);
  // A second process with b's instance id while b is alive: refused.
  assert.equal((await joinStatic('inst-b')).r.errorCode, 111); // UNRELEASED_INSTANCE_ID
  const leave = await hb(gc, { memberId: b.memberId, epoch: -2 });
  assert.equal(leave.memberEpoch, -2);
  await settle(gc, [a]);
  assert.equal(a.owned.length, 3, 'b\'s partitions wait for its instance');
  // A restart of the instance: new member id, same partitions and epoch, no new group epoch.
  clock.advance(2000);
  const back = await joinStatic('inst-b');
  assert.equal(back.r.errorCode, 0, back.r.errorMessage ?? '');
  assert.notEqual(back.memberId, b.memberId);
  assert.equal(back.epoch, b.epoch);
  assert.deepEqual([...back.owned].sort(), bOwned);
  assert.equal((await hb(gc, { ...b })).errorCode, 110, 'the old member id is fenced');
  // The -2 marker and the take-over are persisted: a restart in between would have kept the slot.
  await gc.shutdown();
  const { GroupCoordinator } = await import('../../src/coordinator/index.js');
  const again = new GroupCoordinator({ offsetsTopic: topic, node: () => ({ nodeId: 1, host: 'h', port: 1 }), scheduler: clock, topics: view });
  await again.startup();
  const d = await again.handleConsumerGroupDescribe({ groupIds: ['cg'], includeAuthorizedOperations: false }, ctx);
  assert.deepEqual(d.groups[0].members.map((m) => m.memberId).sort(), [a.memberId, back.memberId].sort());
  await again.shutdown();
});
