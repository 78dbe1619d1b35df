// The classic rebalance protocol driven through GroupCoordinator's API handlers with a manual clock: joins with
// MEMBER_ID_REQUIRED, the initial rebalance delay, leader election, protocol votes, session/rebalance timeouts,
// static membership and group.max.size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GroupCoordinator } from '../../src/coordinator/index.js';
import type { JoinGroupResponse } from '../../src/protocol/generated/messages/join-group-response.js';
import { flush, startCoordinator, subscription, track } from './helpers.js';

const E = {
  NONE: 0,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  MEMBER_ID_REQUIRED: 79,
  GROUP_MAX_SIZE_REACHED: 81,
  FENCED_INSTANCE_ID: 82,
};

interface JoinOpts {
  group?: string;
  memberId?: string;
  instanceId?: string | null;
  protocols?: { name: string; metadata: Buffer }[];
  session?: number;
  rebalance?: number;
  version?: number;
  clientId?: string;
}

const SUB = subscription(['t']);

function join(gc: GroupCoordinator, o: JoinOpts = {}): Promise<JoinGroupResponse> {
  return gc.handleJoinGroup(
    {
      groupId: o.group ?? 'g',
      sessionTimeoutMs: o.session ?? 10_000,
      rebalanceTimeoutMs: o.rebalance ?? 30_000,
      memberId: o.memberId ?? '',
      groupInstanceId: o.instanceId ?? null,
      protocolType: 'consumer',
      protocols: o.protocols ?? [{ name: 'range', metadata: SUB }],
    },
    { apiVersion: o.version ?? 5, clientId: o.clientId ?? 'client', clientHost: '127.0.0.1' },
  );
}

function sync(gc: GroupCoordinator, memberId: string, generationId: number, assignments: { memberId: string; assignment: Buffer }[] = [], group = 'g', instanceId: string | null = null) {
  return gc.handleSyncGroup({ groupId: group, generationId, memberId, groupInstanceId: instanceId, assignments }, { apiVersion: 3, clientId: 'client', clientHost: '127.0.0.1' });
}

async function heartbeat(gc: GroupCoordinator, memberId: string, generationId: number, group = 'g', instanceId: string | null = null): Promise<number> {
  const r = await gc.handleHeartbeat({ groupId: group, generationId, memberId, groupInstanceId: instanceId }, { apiVersion: 3, clientId: 'client', clientHost: '127.0.0.1' });
  return r.errorCode;
}

function state(gc: GroupCoordinator, group = 'g'): string {
  return gc.core.describeGroup(group).summary.state;
}

/** Gets a member id (MEMBER_ID_REQUIRED round) and parks the real join. */
async function joinWithId(gc: GroupCoordinator, o: JoinOpts = {}) {
  const first = await join(gc, o);
  assert.equal(first.errorCode, E.MEMBER_ID_REQUIRED);
  assert.match(first.memberId, new RegExp(`^${o.clientId ?? 'client'}-[0-9a-f-]{36}$`));
  return { memberId: first.memberId, pending: track(join(gc, { ...o, memberId: first.memberId })) };
}

test('one member: MEMBER_ID_REQUIRED, initial delay, generation 1, leader, sync to Stable', async () => {
  const { gc, clock } = await startCoordinator();
  const { memberId, pending } = await joinWithId(gc);
  await flush();
  assert.equal(pending.done(), false, 'the join waits for group.initial.rebalance.delay.ms');
  assert.equal(state(gc), 'PreparingRebalance');
  clock.advance(100);
  await flush();
  const j = pending.value();
  assert.equal(j.errorCode, E.NONE);
  assert.equal(j.generationId, 1);
  assert.equal(j.leader, memberId);
  assert.equal(j.protocolName, 'range');
  assert.deepEqual(j.members.map((m) => m.memberId), [memberId]);
  assert.equal(state(gc), 'CompletingRebalance');
  const s = await sync(gc, memberId, 1, [{ memberId, assignment: Buffer.from('A') }]);
  assert.equal(s.errorCode, E.NONE);
  assert.equal(s.assignment.toString(), 'A');
  assert.equal(state(gc), 'Stable');
  assert.equal(await heartbeat(gc, memberId, 1), E.NONE);
  assert.equal(await heartbeat(gc, memberId, 0), E.ILLEGAL_GENERATION);
  assert.equal(await heartbeat(gc, 'nobody', 1), E.UNKNOWN_MEMBER_ID);
  await gc.shutdown();
});

test('JoinGroup v3 gets a member id directly; invalid group id and session timeout are rejected', async () => {
  const { gc, clock } = await startCoordinator();
  const j = track(join(gc, { version: 3 }));
  clock.advance(100);
  await flush();
  assert.equal(j.value().errorCode, E.NONE);
  assert.equal(j.value().generationId, 1);
  assert.equal((await join(gc, { group: '' })).errorCode, E.INVALID_GROUP_ID);
  assert.equal((await join(gc, { session: 10 })).errorCode, E.INVALID_SESSION_TIMEOUT);
  assert.equal((await join(gc, { session: 1_800_001 })).errorCode, E.INVALID_SESSION_TIMEOUT);
  assert.equal((await join(gc, { group: 'other', memberId: 'made-up' })).errorCode, E.UNKNOWN_MEMBER_ID);
  await gc.shutdown();
});

test('three members join in the initial delay: one generation, the first is leader with everyone\'s metadata', async () => {
  const { gc, clock } = await startCoordinator();
  const a = await joinWithId(gc, { clientId: 'a' });
  clock.advance(60);
  const b = await joinWithId(gc, { clientId: 'b' });
  clock.advance(60); // the first delay ran out, but a member arrived during it: one more round
  await flush();
  assert.equal(a.pending.done(), false);
  const c = await joinWithId(gc, { clientId: 'c' });
  clock.advance(100);
  await flush();
  assert.equal(a.pending.done(), false, 'c arrived during the second round: a third one');
  clock.advance(100);
  await flush();
  const [ja, jb, jc] = [a.pending.value(), b.pending.value(), c.pending.value()];
  for (const j of [ja, jb, jc]) {
    assert.equal(j.errorCode, E.NONE);
    assert.equal(j.generationId, 1);
    assert.equal(j.leader, a.memberId);
  }
  assert.equal(ja.members.length, 3);
  assert.equal(jb.members.length, 0);
  assert.equal(jc.members.length, 0);
  // Followers' SyncGroup waits for the leader's assignment.
  const sb = track(sync(gc, b.memberId, 1));
  await flush();
  assert.equal(sb.done(), false);
  const sa = await sync(gc, a.memberId, 1, [
    { memberId: a.memberId, assignment: Buffer.from('a') },
    { memberId: b.memberId, assignment: Buffer.from('b') },
  ]);
  await flush();
  assert.equal(sa.assignment.toString(), 'a');
  assert.equal(sb.value().assignment.toString(), 'b');
  // c was left out by the leader: empty assignment, as Kafka does.
  const sc = await sync(gc, c.memberId, 1);
  assert.equal(sc.errorCode, E.NONE);
  assert.equal(sc.assignment.length, 0);
  assert.equal(state(gc), 'Stable');
  await gc.shutdown();
});

test('protocol selection: only protocols all members support, most votes by preference', async () => {
  const { gc, clock } = await startCoordinator();
  const p = (...names: string[]) => names.map((name) => ({ name, metadata: SUB }));
  const a = await joinWithId(gc, { protocols: p('range', 'roundrobin', 'sticky') });
  const b = await joinWithId(gc, { protocols: p('sticky', 'roundrobin') });
  const c = await joinWithId(gc, { protocols: p('roundrobin', 'sticky') });
  // No protocol in common with the group: rejected.
  assert.equal((await join(gc, { protocols: p('other') })).errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  clock.advance(200); // members arrived during the first delay: it is extended once
  await flush();
  // Candidates {roundrobin, sticky}; votes: a -> roundrobin, b -> sticky, c -> roundrobin.
  assert.equal(a.pending.value().protocolName, 'roundrobin');
  assert.equal(b.pending.value().protocolName, 'roundrobin');
  assert.equal(c.pending.value().protocolName, 'roundrobin');
  // Different protocol type is inconsistent too.
  const other = await gc.handleJoinGroup(
    { groupId: 'g', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'connect', protocols: p('roundrobin') },
    { apiVersion: 5, clientId: 'x', clientHost: '127.0.0.1' },
  );
  assert.equal(other.errorCode, E.INCONSISTENT_GROUP_PROTOCOL);
  await gc.shutdown();
});

async function stableGroupOfTwo(gc: GroupCoordinator, clock: { advance(ms: number): void }, session = 10_000) {
  const a = await joinWithId(gc, { clientId: 'a', session });
  const b = await joinWithId(gc, { clientId: 'b', session });
  clock.advance(200);
  await flush();
  const gen = a.pending.value().generationId ?? -1;
  const sb = sync(gc, b.memberId, gen);
  await sync(gc, a.memberId, gen, [
    { memberId: a.memberId, assignment: Buffer.from('a') },
    { memberId: b.memberId, assignment: Buffer.from('b') },
  ]);
  await sb;
  assert.equal(state(gc), 'Stable');
  return { a: a.memberId, b: b.memberId, gen };
}

test('session timeout: a silent member is removed and the rest rebalance without it', async () => {
  const { gc, clock } = await startCoordinator();
  const { a, b, gen } = await stableGroupOfTwo(gc, clock);
  // a keeps heartbeating, b goes silent.
  for (let i = 0; i < 3; i++) {
    clock.advance(3000);
    assert.equal(await heartbeat(gc, a, gen), E.NONE);
  }
  clock.advance(1001); // 10_001 ms since b's last sign of life (its SyncGroup)
  assert.equal(state(gc), 'PreparingRebalance');
  assert.equal(await heartbeat(gc, a, gen), E.REBALANCE_IN_PROGRESS);
  // a is the only member left: its rejoin completes the rebalance at once.
  const j = await join(gc, { memberId: a });
  assert.equal(j.errorCode, E.NONE);
  assert.equal(j.generationId, gen + 1);
  assert.deepEqual(j.members.map((m) => m.memberId), [a]);
  assert.equal(await heartbeat(gc, b, gen), E.UNKNOWN_MEMBER_ID);
  await gc.shutdown();
});

test('rebalance timeout: a member that does not rejoin is dropped when the rebalance times out', async () => {
  const { gc, clock } = await startCoordinator();
  const { a, b, gen } = await stableGroupOfTwo(gc, clock);
  // a (leader) rejoins, which starts a rebalance; b keeps heartbeating but never rejoins.
  const ja = track(join(gc, { memberId: a, rebalance: 5000 }));
  await flush();
  assert.equal(ja.done(), false);
  assert.equal(await heartbeat(gc, b, gen), E.REBALANCE_IN_PROGRESS);
  clock.advance(5000);
  await flush();
  assert.equal(ja.done(), false, 'b still had rebalance timeout 30000');
  clock.advance(25_000);
  await flush();
  assert.equal(ja.value().errorCode, E.NONE);
  assert.equal(ja.value().generationId, gen + 1);
  assert.deepEqual(ja.value().members.map((m) => m.memberId), [a]);
  await gc.shutdown();
});

test('a member that leaves triggers a rebalance; the last one to leave empties the group', async () => {
  const { gc, clock, topic } = await startCoordinator();
  const { a, b, gen } = await stableGroupOfTwo(gc, clock);
  const leave = await gc.handleLeaveGroup({ groupId: 'g', members: [{ memberId: b, groupInstanceId: null }] }, { apiVersion: 3, clientId: 'c', clientHost: 'h' });
  assert.equal(leave.errorCode, E.NONE);
  assert.deepEqual(leave.members?.map((m) => m.errorCode), [E.NONE]);
  assert.equal(state(gc), 'PreparingRebalance');
  const ja = await join(gc, { memberId: a });
  assert.equal(ja.generationId, gen + 1);
  await sync(gc, a, gen + 1, [{ memberId: a, assignment: Buffer.from('all') }]);
  const leaveV0 = await gc.handleLeaveGroup({ groupId: 'g', memberId: a }, { apiVersion: 0, clientId: 'c', clientHost: 'h' });
  assert.equal(leaveV0.errorCode, E.NONE);
  assert.equal(state(gc), 'Empty');
  assert.equal(gc.core.getGroup('g')?.generationId, gen + 2);
  const unknown = await gc.handleLeaveGroup({ groupId: 'g', memberId: 'nobody' }, { apiVersion: 1, clientId: 'c', clientHost: 'h' });
  assert.equal(unknown.errorCode, E.UNKNOWN_MEMBER_ID);
  await flush();
  assert.ok((topic.partitions.get(gc.partitionFor('g')) ?? []).length >= 3, 'group metadata written for every generation');
  await gc.shutdown();
});

test('SyncGroup errors: wrong generation, unknown member, during PreparingRebalance', async () => {
  const { gc, clock } = await startCoordinator();
  const { a, b, gen } = await stableGroupOfTwo(gc, clock);
  assert.equal((await sync(gc, a, gen + 5)).errorCode, E.ILLEGAL_GENERATION);
  assert.equal((await sync(gc, 'nobody', gen)).errorCode, E.UNKNOWN_MEMBER_ID);
  // Stable: a repeated SyncGroup returns the current assignment.
  assert.equal((await sync(gc, b, gen)).assignment.toString(), 'b');
  const ja = track(join(gc, { memberId: a }));
  assert.equal((await sync(gc, b, gen)).errorCode, E.REBALANCE_IN_PROGRESS);
  const jb = await join(gc, { memberId: b });
  await flush();
  assert.equal(jb.generationId, gen + 1);
  assert.equal(ja.value().generationId, gen + 1);
  await gc.shutdown();
});

test('a member that never sends SyncGroup is removed after the rebalance timeout', async () => {
  const { gc, clock } = await startCoordinator();
  const a = await joinWithId(gc, { clientId: 'a', rebalance: 4000 });
  const b = await joinWithId(gc, { clientId: 'b', rebalance: 4000 });
  clock.advance(200);
  await flush();
  const gen = a.pending.value().generationId ?? -1;
  await sync(gc, a.memberId, gen, [{ memberId: a.memberId, assignment: Buffer.from('a') }, { memberId: b.memberId, assignment: Buffer.from('b') }]);
  assert.equal(state(gc), 'Stable');
  clock.advance(3000);
  assert.equal(await heartbeat(gc, a.memberId, gen), E.NONE);
  clock.advance(1000);
  assert.equal(state(gc), 'PreparingRebalance', 'b never synced');
  assert.equal(gc.core.getGroup('g')?.has(b.memberId), false);
  await gc.shutdown();
});

test('static membership: a restarted instance takes its slot without a rebalance; the old id is fenced', async () => {
  const { gc, clock } = await startCoordinator();
  const j1 = track(join(gc, { instanceId: 'i-1', clientId: 's1' }));
  const j2 = track(join(gc, { instanceId: 'i-2', clientId: 's2' }));
  clock.advance(200);
  await flush();
  const [m1, m2] = [j1.value().memberId, j2.value().memberId];
  assert.equal(j1.value().errorCode, E.NONE, 'static members skip MEMBER_ID_REQUIRED');
  const gen = j1.value().generationId ?? -1;
  const s2 = sync(gc, m2, gen, [], 'g', 'i-2');
  await sync(gc, m1, gen, [{ memberId: m1, assignment: Buffer.from('one') }, { memberId: m2, assignment: Buffer.from('two') }], 'g', 'i-1');
  await s2;
  // Instance i-2 restarts with no member id.
  const again = await join(gc, { instanceId: 'i-2', clientId: 's2' });
  await flush();
  assert.equal(again.errorCode, E.NONE);
  assert.notEqual(again.memberId, m2);
  assert.equal(again.generationId, gen, 'no new generation');
  assert.equal(state(gc), 'Stable');
  assert.equal((await sync(gc, again.memberId, gen, [], 'g', 'i-2')).assignment.toString(), 'two');
  assert.equal(await heartbeat(gc, m2, gen, 'g', 'i-2'), E.FENCED_INSTANCE_ID);
  assert.equal(await heartbeat(gc, again.memberId, gen, 'g', 'i-2'), E.NONE);
  // Administrative removal by instance id.
  const leave = await gc.handleLeaveGroup({ groupId: 'g', members: [{ memberId: '', groupInstanceId: 'i-1' }] }, { apiVersion: 3, clientId: 'admin', clientHost: 'h' });
  assert.equal(leave.members?.[0].errorCode, E.NONE);
  assert.equal(state(gc), 'PreparingRebalance');
  await gc.shutdown();
});

test('a static member that is silent keeps its slot through a rebalance until its session expires', async () => {
  const { gc, clock } = await startCoordinator();
  const j1 = track(join(gc, { instanceId: 'i-1', rebalance: 2000, session: 5000 }));
  const j2 = track(join(gc, { instanceId: 'i-2', rebalance: 2000, session: 5000 }));
  clock.advance(200);
  await flush();
  const [m1, m2] = [j1.value().memberId, j2.value().memberId];
  const gen = j1.value().generationId ?? -1;
  const s2 = sync(gc, m2, gen, [], 'g', 'i-2');
  await sync(gc, m1, gen, [], 'g', 'i-1');
  await s2;
  const r = track(join(gc, { memberId: m1, instanceId: 'i-1', rebalance: 2000, session: 5000 }));
  clock.advance(2000);
  await flush();
  // The rebalance timed out but i-2 is static: it stays a member of the new generation.
  assert.equal(r.value().generationId, gen + 1);
  assert.deepEqual(r.value().members.map((m) => m.memberId).sort(), [m1, m2].sort());
  await gc.shutdown();
});

test('group.max.size: joins beyond the limit get GROUP_MAX_SIZE_REACHED', async () => {
  const { gc, clock } = await startCoordinator({ groupMaxSize: 2 });
  const a = track(join(gc, { version: 3 }));
  const b = track(join(gc, { version: 3 }));
  const c = await join(gc, { version: 3 });
  assert.equal(c.errorCode, E.GROUP_MAX_SIZE_REACHED);
  clock.advance(200);
  await flush();
  assert.equal(a.value().errorCode, E.NONE);
  assert.equal(b.value().errorCode, E.NONE);
  assert.equal((await join(gc, { version: 3 })).errorCode, E.GROUP_MAX_SIZE_REACHED);
  await gc.shutdown();
});

test('pending member ids expire after the session timeout if the member never comes back', async () => {
  const { gc, clock } = await startCoordinator();
  const a = await joinWithId(gc, { clientId: 'a' });
  const ghost = await join(gc, { clientId: 'ghost', session: 5000 });
  assert.equal(ghost.errorCode, E.MEMBER_ID_REQUIRED);
  clock.advance(100);
  await flush();
  // Initial delay over: the group completes with a alone (pending members are not awaited in the first join).
  assert.equal(a.pending.value().errorCode, E.NONE);
  clock.advance(5000);
  assert.equal((await join(gc, { memberId: ghost.memberId })).errorCode, E.UNKNOWN_MEMBER_ID);
  await gc.shutdown();
});

test('a follower that changes its subscription triggers a rebalance; an unchanged one gets the current generation', async () => {
  const { gc, clock } = await startCoordinator();
  const { a, b, gen } = await stableGroupOfTwo(gc, clock);
  const same = await join(gc, { memberId: b });
  assert.equal(same.generationId, gen);
  assert.equal(state(gc), 'Stable');
  const changed = track(join(gc, { memberId: b, protocols: [{ name: 'range', metadata: subscription(['t', 'u']) }] }));
  await flush();
  assert.equal(state(gc), 'PreparingRebalance');
  const ja = await join(gc, { memberId: a });
  await flush();
  assert.equal(ja.generationId, gen + 1);
  assert.equal(changed.value().generationId, gen + 1);
  assert.deepEqual(gc.core.getGroup('g')?.subscribedTopics, new Set(['t', 'u']));
  await gc.shutdown();
});

test('the leader leaving during CompletingRebalance: waiting followers get REBALANCE_IN_PROGRESS and a new leader is elected', async () => {
  const { gc, clock } = await startCoordinator();
  const a = await joinWithId(gc, { clientId: 'a' });
  const b = await joinWithId(gc, { clientId: 'b' });
  clock.advance(200);
  await flush();
  const gen = a.pending.value().generationId ?? -1;
  assert.equal(a.pending.value().leader, a.memberId);
  const sb = track(sync(gc, b.memberId, gen));
  await flush();
  assert.equal(sb.done(), false);
  await gc.handleLeaveGroup({ groupId: 'g', members: [{ memberId: a.memberId, groupInstanceId: null }] }, { apiVersion: 3, clientId: 'a', clientHost: 'h' });
  await flush();
  assert.equal(sb.value().errorCode, E.REBALANCE_IN_PROGRESS);
  const jb = await join(gc, { memberId: b.memberId });
  assert.equal(jb.generationId, gen + 1);
  assert.equal(jb.leader, b.memberId);
  await gc.shutdown();
});

test('a failed GroupMetadata append during SyncGroup answers every waiting member and restarts the rebalance', async () => {
  const { gc, clock, topic } = await startCoordinator();
  const a = await joinWithId(gc, { clientId: 'a' });
  const b = await joinWithId(gc, { clientId: 'b' });
  clock.advance(200);
  await flush();
  const gen = a.pending.value().generationId ?? -1;
  const sb = track(sync(gc, b.memberId, gen));
  topic.failWith = 56; // KAFKA_STORAGE_ERROR
  const sa = await sync(gc, a.memberId, gen, [{ memberId: a.memberId, assignment: Buffer.from('a') }, { memberId: b.memberId, assignment: Buffer.from('b') }]);
  await flush();
  assert.equal(sa.errorCode, 16); // NOT_COORDINATOR
  assert.equal(sb.value().errorCode, 16);
  assert.equal(state(gc), 'PreparingRebalance');
  topic.failWith = null;
  await gc.shutdown();
});

test('shutdown answers parked JoinGroup and SyncGroup with NOT_COORDINATOR', async () => {
  const { gc, clock } = await startCoordinator();
  const a = await joinWithId(gc, { clientId: 'a' });
  await flush();
  assert.equal(a.pending.done(), false);
  await gc.shutdown();
  await flush();
  assert.equal(a.pending.value().errorCode, 16);
  const again = await startCoordinator();
  const x = await joinWithId(again.gc, { clientId: 'x' });
  const y = await joinWithId(again.gc, { clientId: 'y' });
  again.clock.advance(200);
  await flush();
  const sy = track(sync(again.gc, y.memberId, y.pending.value().generationId ?? -1));
  await flush();
  await again.gc.shutdown();
  await flush();
  assert.equal(sy.value().errorCode, 16);
  assert.equal(x.pending.value().errorCode, E.NONE);
  void clock;
});

test('a repeated JoinGroup from a parked member answers the older request and keeps the newer one', async () => {
  const { gc, clock } = await startCoordinator();
  const first = await join(gc);
  const older = track(join(gc, { memberId: first.memberId }));
  const newer = track(join(gc, { memberId: first.memberId }));
  await flush();
  assert.equal(older.value().errorCode, E.REBALANCE_IN_PROGRESS);
  assert.equal(newer.done(), false);
  clock.advance(100);
  await flush();
  assert.equal(newer.value().errorCode, E.NONE);
  assert.equal(newer.value().generationId, 1);
  // Heartbeats while completing the rebalance are fine (clients may start before SyncGroup).
  assert.equal(await heartbeat(gc, first.memberId, 1), E.NONE);
  await gc.shutdown();
});
