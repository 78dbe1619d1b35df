import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RangeAssignor, RoundRobinAssignor, StickyAssignor, CooperativeStickyAssignor, resolveAssignors, type MemberSubscription } from '../../src/client/assignors.js';
import { encodeSubscription, decodeSubscription, encodeAssignment, decodeAssignment, encodeStickyUserData } from '../../src/client/consumer-protocol.js';
import type { TopicPartition } from '../../src/client/types.js';

const member = (memberId: string, topics: string[], owned: TopicPartition[] = [], generationId = -1): MemberSubscription => ({
  memberId,
  groupInstanceId: null,
  topics,
  ownedPartitions: owned,
  generationId,
  userData: null,
});
const fmt = (tps: TopicPartition[] | undefined) => (tps ?? []).map((t) => `${t.topic}-${t.partition}`).join(',');

test('range: the Java example (2 consumers, 2 topics x 3 partitions)', () => {
  const counts = new Map([['t0', 3], ['t1', 3]]);
  const r = RangeAssignor.assign(counts, [member('C1', ['t0', 't1']), member('C0', ['t0', 't1'])]);
  assert.equal(fmt(r.get('C0')), 't0-0,t0-1,t1-0,t1-1');
  assert.equal(fmt(r.get('C1')), 't0-2,t1-2');
});

test('roundrobin: the Java example (C0 t0; C1 t0,t1; C2 t0,t1,t2)', () => {
  const counts = new Map([['t0', 1], ['t1', 2], ['t2', 3]]);
  const r = RoundRobinAssignor.assign(counts, [member('C0', ['t0']), member('C1', ['t0', 't1']), member('C2', ['t0', 't1', 't2'])]);
  assert.equal(fmt(r.get('C0')), 't0-0');
  assert.equal(fmt(r.get('C1')), 't1-0');
  assert.equal(fmt(r.get('C2')), 't1-1,t2-0,t2-1,t2-2');
});

test('sticky keeps owned partitions and balances', () => {
  const counts = new Map([['t', 6]]);
  const first = StickyAssignor.assign(counts, [member('a', ['t']), member('b', ['t'])]);
  assert.equal(first.get('a')!.length + first.get('b')!.length, 6);
  assert.equal(first.get('a')!.length, 3);
  // a third member joins: a and b keep 2 of their 3 each
  const second = StickyAssignor.assign(counts, [member('a', ['t'], first.get('a')!, 1), member('b', ['t'], first.get('b')!, 1), member('c', ['t'])]);
  for (const id of ['a', 'b']) {
    assert.equal(second.get(id)!.length, 2);
    for (const tp of second.get(id)!) assert.ok(first.get(id)!.some((x) => x.partition === tp.partition));
  }
  assert.equal(second.get('c')!.length, 2);
  // owned partitions given through the StickyAssignor user data (librdkafka/Java v0 subscriptions) are honoured
  const viaUserData = StickyAssignor.assign(counts, [
    { ...member('a', ['t']), userData: encodeStickyUserData(first.get('a')!, 1) },
    member('b', ['t']),
  ]);
  assert.equal(fmt(viaUserData.get('a')), fmt(first.get('a')));
});

test('cooperative-sticky withholds partitions that change owner', () => {
  const counts = new Map([['t', 4]]);
  const all = [0, 1, 2, 3].map((p) => ({ topic: 't', partition: p }));
  const r = CooperativeStickyAssignor.assign(counts, [member('a', ['t'], all, 1), member('b', ['t'])]);
  assert.equal(r.get('a')!.length, 2); // a keeps two, revokes two
  assert.equal(r.get('b')!.length, 0); // b gets them in the next round
  const r2 = CooperativeStickyAssignor.assign(counts, [member('a', ['t'], r.get('a')!, 2), member('b', ['t'], [], 2)]);
  assert.equal(r2.get('b')!.length, 2);
  assert.equal(CooperativeStickyAssignor.rebalanceProtocol, 'cooperative');
});

test('assignor names resolve from Kafka names and Java class names', () => {
  assert.deepEqual(
    resolveAssignors(['range', 'org.apache.kafka.clients.consumer.RoundRobinAssignor', 'cooperative-sticky']).map((a) => a.name),
    ['range', 'roundrobin', 'cooperative-sticky'],
  );
  assert.throws(() => resolveAssignors(['nope']));
});

test('ConsumerProtocol subscription/assignment bytes', () => {
  const sub = { topics: ['a', 'b'], userData: Buffer.from([1, 2]), ownedPartitions: [{ topic: 'a', partition: 1 }], generationId: 5, rackId: null };
  const bytes = encodeSubscription(sub, 1);
  // version 1: int16 version, [topics], userData bytes, owned partitions
  assert.deepEqual(bytes.subarray(0, 2), Buffer.from([0, 1]));
  const back = decodeSubscription(bytes);
  assert.deepEqual(back.topics, ['a', 'b']);
  assert.deepEqual(back.userData, Buffer.from([1, 2]));
  assert.deepEqual(back.ownedPartitions, [{ topic: 'a', partition: 1 }]);
  assert.deepEqual(decodeSubscription(encodeSubscription(sub, 3)), sub);
  // v0 (what librdkafka may send) has no owned partitions
  assert.deepEqual(decodeSubscription(encodeSubscription(sub, 0)).ownedPartitions, []);
  const asg = encodeAssignment({ partitions: [{ topic: 'x', partition: 2 }, { topic: 'x', partition: 0 }], userData: null }, 0);
  assert.deepEqual(
    asg,
    Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 1, 0, 1]), Buffer.from('x'), Buffer.from([0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff])]),
  );
  assert.deepEqual(decodeAssignment(asg).partitions, [{ topic: 'x', partition: 0 }, { topic: 'x', partition: 2 }]);
  assert.deepEqual(decodeAssignment(Buffer.alloc(0)).partitions, []);
});
