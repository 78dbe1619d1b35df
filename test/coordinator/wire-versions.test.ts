// Every version of every group API through the same path the broker uses: the request is encoded and decoded with
// the generated codecs, handled by GroupCoordinator, and the response encoded for that version and decoded again.
// Catches responses that cannot be encoded in an old or flexible version (nullable fields, missing fields).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GroupCoordinator } from '../../src/coordinator/index.js';
import { ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { decodeRequest, decodeResponse, encodeRequest, encodeResponse, type RequestBodies, type ResponseBodies } from '../../src/protocol/messages.js';
import { flush, startCoordinator, subscription } from './helpers.js';

type Key = keyof RequestBodies & keyof ResponseBodies;

async function call<K extends Key>(gc: GroupCoordinator, apiKey: K, version: number, body: RequestBodies[K], advance?: () => void): Promise<ResponseBodies[K]> {
  const frame = encodeRequest(apiKey, version, 7, 'wire-client', body);
  const { header, body: decoded } = decodeRequest(frame.subarray(4));
  const ctx = { apiVersion: header.apiVersion, clientId: header.clientId, clientHost: '127.0.0.1' };
  const handlers: Record<number, (b: never, c: typeof ctx) => Promise<unknown>> = {
    [ApiKeys.FindCoordinator]: (b, c) => gc.handleFindCoordinator(b, c),
    [ApiKeys.JoinGroup]: (b, c) => gc.handleJoinGroup(b, c),
    [ApiKeys.SyncGroup]: (b, c) => gc.handleSyncGroup(b, c),
    [ApiKeys.Heartbeat]: (b, c) => gc.handleHeartbeat(b, c),
    [ApiKeys.LeaveGroup]: (b, c) => gc.handleLeaveGroup(b, c),
    [ApiKeys.OffsetCommit]: (b, c) => gc.handleOffsetCommit(b, c),
    [ApiKeys.OffsetFetch]: (b, c) => gc.handleOffsetFetch(b, c),
    [ApiKeys.ListGroups]: (b, c) => gc.handleListGroups(b, c),
    [ApiKeys.DescribeGroups]: (b, c) => gc.handleDescribeGroups(b, c),
    [ApiKeys.DeleteGroups]: (b, c) => gc.handleDeleteGroups(b, c),
    [ApiKeys.OffsetDelete]: (b, c) => gc.handleOffsetDelete(b, c),
    [ApiKeys.ConsumerGroupHeartbeat]: (b, c) => gc.handleConsumerGroupHeartbeat(b, c),
    [ApiKeys.ConsumerGroupDescribe]: (b, c) => gc.handleConsumerGroupDescribe(b, c),
  };
  const pending = handlers[apiKey](decoded as never, ctx);
  if (advance) {
    await flush();
    advance();
  }
  const response = (await pending) as ResponseBodies[K];
  const out = encodeResponse(apiKey, version, 7, response);
  const back = decodeResponse(apiKey, version, out.subarray(4));
  assert.equal(back.correlationId, 7);
  return back.body;
}

test('FindCoordinator v0-v6 (single and batched keys)', async () => {
  const { gc } = await startCoordinator();
  for (let v = 0; v <= 3; v++) {
    const r = await call(gc, ApiKeys.FindCoordinator, v, { key: 'g', keyType: 0 });
    assert.deepEqual([r.errorCode, r.nodeId, r.host, r.port], [0, 1, 'localhost', 9092], `v${v}`);
    if (v >= 1) assert.equal(r.errorMessage, 'NONE');
  }
  for (let v = 4; v <= 6; v++) {
    const r = await call(gc, ApiKeys.FindCoordinator, v, { keyType: 0, coordinatorKeys: ['a', 'b'] });
    assert.deepEqual(r.coordinators?.map((c) => [c.key, c.errorCode, c.nodeId, c.host, c.port]), [
      ['a', 0, 1, 'localhost', 9092],
      ['b', 0, 1, 'localhost', 9092],
    ]);
  }
  const txn = await call(gc, ApiKeys.FindCoordinator, 3, { key: 'txn-id', keyType: 1 });
  assert.equal(txn.errorCode, 0);
  const bad = await call(gc, ApiKeys.FindCoordinator, 4, { keyType: 9, coordinatorKeys: ['x'] });
  assert.equal(bad.coordinators?.[0].errorCode, 42); // INVALID_REQUEST
  await gc.shutdown();
});

test('a full group life cycle in every JoinGroup version (0-9), with matching Sync/Heartbeat/Commit/Fetch/Leave versions', async () => {
  const { gc, clock } = await startCoordinator();
  const sub = subscription(['t']);
  for (let jv = 0; jv <= 9; jv++) {
    const group = `g-v${jv}`;
    const sv = Math.min(jv, 5); // SyncGroup 0-5
    const hv = Math.min(jv, 4); // Heartbeat 0-4
    const lv = Math.min(jv, 5); // LeaveGroup 0-5
    const cv = Math.min(jv + 1, 9); // OffsetCommit 0-9 (v0 has no generation: exercised separately)
    const fv = Math.min(jv, 9);
    const joinBody = (memberId: string) => ({
      groupId: group,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: sub }],
      reason: null,
    });
    let memberId = '';
    if (jv >= 4) {
      const first = await call(gc, ApiKeys.JoinGroup, jv, joinBody(''));
      assert.equal(first.errorCode, 79, `v${jv} MEMBER_ID_REQUIRED`);
      assert.equal(first.generationId, -1);
      assert.equal(first.protocolName, jv >= 7 ? null : '');
      memberId = first.memberId;
    }
    const joined = await call(gc, ApiKeys.JoinGroup, jv, joinBody(memberId), () => clock.advance(100));
    assert.equal(joined.errorCode, 0, `join v${jv}`);
    assert.equal(joined.generationId, 1);
    assert.equal(joined.protocolName, 'range');
    if (jv >= 7) assert.equal(joined.protocolType, 'consumer');
    memberId = joined.memberId;
    assert.equal(joined.leader, memberId);
    assert.equal(joined.members[0].metadata.equals(sub), true);

    const synced = await call(gc, ApiKeys.SyncGroup, sv, {
      groupId: group,
      generationId: 1,
      memberId,
      groupInstanceId: null,
      protocolType: sv >= 5 ? 'consumer' : null,
      protocolName: sv >= 5 ? 'range' : null,
      assignments: [{ memberId, assignment: Buffer.from('assigned') }],
    });
    assert.equal(synced.errorCode, 0, `sync v${sv}`);
    assert.equal(synced.assignment.toString(), 'assigned');
    if (sv >= 5) assert.deepEqual([synced.protocolType, synced.protocolName], ['consumer', 'range']);

    const hb = await call(gc, ApiKeys.Heartbeat, hv, { groupId: group, generationId: 1, memberId, groupInstanceId: null });
    assert.equal(hb.errorCode, 0, `heartbeat v${hv}`);

    const committed = await call(gc, ApiKeys.OffsetCommit, cv, {
      groupId: group,
      generationIdOrMemberEpoch: 1,
      memberId,
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: BigInt(100 + jv), committedLeaderEpoch: 2, committedMetadata: 'm' }] }],
    });
    assert.equal(committed.topics[0].partitions[0].errorCode, 0, `commit v${cv}`);

    if (fv >= 8) {
      const f = await call(gc, ApiKeys.OffsetFetch, fv, { groups: [{ groupId: group, topics: [{ name: 't', partitionIndexes: [0] }] }], requireStable: false });
      const p = f.groups?.[0].topics[0].partitions[0];
      assert.deepEqual([p?.committedOffset, p?.committedLeaderEpoch, p?.metadata], [BigInt(100 + jv), cv >= 6 ? 2 : -1, 'm']);
    } else {
      const f = await call(gc, ApiKeys.OffsetFetch, fv, { groupId: group, topics: [{ name: 't', partitionIndexes: [0] }] });
      assert.equal(f.topics?.[0].partitions[0].committedOffset, BigInt(100 + jv), `fetch v${fv}`);
      if (fv >= 5) assert.equal(f.topics?.[0].partitions[0].committedLeaderEpoch, cv >= 6 ? 2 : -1);
    }

    const left =
      lv >= 3
        ? await call(gc, ApiKeys.LeaveGroup, lv, { groupId: group, members: [{ memberId, groupInstanceId: null, reason: 'done' }] })
        : await call(gc, ApiKeys.LeaveGroup, lv, { groupId: group, memberId });
    assert.equal(left.errorCode, 0, `leave v${lv}`);
    if (lv >= 3) assert.equal(left.members?.[0].errorCode, 0);
  }
  // OffsetCommit v0: no generation or member, a simple commit.
  const c0 = await call(gc, ApiKeys.OffsetCommit, 0, { groupId: 'simple', topics: [{ name: 't', partitions: [{ partitionIndex: 1, committedOffset: 5n, committedMetadata: null }] }] });
  assert.equal(c0.topics[0].partitions[0].errorCode, 0);

  for (let v = 0; v <= 5; v++) {
    const list = await call(gc, ApiKeys.ListGroups, v, { statesFilter: [], typesFilter: [] });
    assert.equal(list.groups.length, 11, `list v${v}`);
    if (v >= 4) assert.ok(list.groups.every((g) => g.groupState === 'Empty'));
    const d = await call(gc, ApiKeys.DescribeGroups, v, { groups: ['g-v9', 'missing'], includeAuthorizedOperations: v >= 3 });
    assert.deepEqual(d.groups.map((g) => [g.groupId, g.groupState, g.errorCode]), [
      ['g-v9', 'Empty', 0],
      ['missing', 'Dead', 0],
    ]);
  }
  const od = await call(gc, ApiKeys.OffsetDelete, 0, { groupId: 'g-v0', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] });
  assert.equal(od.topics[0].partitions[0].errorCode, 0);
  for (let v = 0; v <= 2; v++) {
    const del = await call(gc, ApiKeys.DeleteGroups, v, { groupsNames: [`g-v${v + 1}`] });
    assert.equal(del.results[0].errorCode, 0, `delete v${v}`);
  }
  await gc.shutdown();
});

test('OffsetFetch errors per version: partition-level before v2, top-level v2-7, per group from v8', async () => {
  const { gc } = await startCoordinator();
  await gc.shutdown(); // an inactive coordinator answers COORDINATOR_NOT_AVAILABLE
  const v1 = await call(gc, ApiKeys.OffsetFetch, 1, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }] });
  assert.deepEqual(v1.topics?.[0].partitions.map((p) => p.errorCode), [15, 15]);
  const v3 = await call(gc, ApiKeys.OffsetFetch, 3, { groupId: 'g', topics: null });
  assert.equal(v3.errorCode, 15);
  const v8 = await call(gc, ApiKeys.OffsetFetch, 8, { groups: [{ groupId: 'g', topics: null }] });
  assert.equal(v8.groups?.[0].errorCode, 15);
  const join = await call(gc, ApiKeys.JoinGroup, 5, { groupId: 'g', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [] });
  assert.equal(join.errorCode, 15);
});

test('ConsumerGroupHeartbeat v0 (server-made member id) and v1 (client-made), ConsumerGroupDescribe', async () => {
  const { gc } = await startCoordinator();
  for (const v of [0, 1]) {
    const group = `kip848-v${v}`;
    const body = {
      groupId: group,
      memberId: v === 1 ? 'client-made-id' : '',
      memberEpoch: 0,
      instanceId: null,
      rackId: null,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ['t'],
      subscribedTopicRegex: null,
      serverAssignor: 'uniform',
      topicPartitions: [],
    };
    const r = await call(gc, ApiKeys.ConsumerGroupHeartbeat, v, body);
    assert.equal(r.errorCode, 0, r.errorMessage ?? '');
    assert.equal(r.memberEpoch, 1);
    if (v === 1) assert.equal(r.memberId, 'client-made-id');
    else assert.ok(r.memberId && r.memberId.length > 0);
    assert.equal(r.heartbeatIntervalMs, 5000);
    assert.deepEqual(r.assignment?.topicPartitions, [], 'no topic metadata view: nothing to assign');
    const d = await call(gc, ApiKeys.ConsumerGroupDescribe, 0, { groupIds: [group, 'nope'], includeAuthorizedOperations: true });
    assert.deepEqual(d.groups.map((g) => [g.groupId, g.errorCode, g.groupState]), [
      [group, 0, 'stable'],
      ['nope', 69, ''],
    ]);
  }
  await gc.shutdown();
});
