import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPartitioner, DefaultPartitioner, RoundRobinPartitioner } from '../../src/client/partitioner.js';
import { partitionForKey } from '../../src/client/murmur2.js';
import { ConfigError } from '../../src/client/errors.js';

const ctx = (n: number) => ({ numPartitions: n, availablePartitions: Array.from({ length: n }, (_, i) => i) });

test('default partitioner hashes keys with murmur2', () => {
  const p = new DefaultPartitioner();
  for (const k of ['a', 'b', 'user-1', 'user-2']) {
    const kb = Buffer.from(k);
    assert.equal(p.partition('t', k, kb, 'v', null, ctx(12)), partitionForKey(kb, 12));
  }
});

test('null key: sticky until a new batch, then switches (KIP-480)', () => {
  const p = new DefaultPartitioner();
  const c = ctx(6);
  const first = p.partition('t', null, null, 'v', null, c);
  for (let i = 0; i < 20; i++) assert.equal(p.partition('t', null, null, 'v', null, c), first);
  p.onNewBatch('t', c, first);
  const second = p.partition('t', null, null, 'v', null, c);
  assert.notEqual(second, first);
  // a stale onNewBatch for a partition that is no longer sticky does not switch again
  p.onNewBatch('t', c, first);
  assert.equal(p.partition('t', null, null, 'v', null, c), second);
});

test('sticky uses only available partitions', () => {
  const p = new DefaultPartitioner();
  const c = { numPartitions: 4, availablePartitions: [2] };
  assert.equal(p.partition('t', null, null, null, null, c), 2);
});

test('partitioner.ignore.keys makes keyed records sticky', () => {
  const p = createPartitioner(null, true);
  const c = ctx(8);
  const seen = new Set<number>();
  for (let i = 0; i < 50; i++) seen.add(p.partition('t', `k${i}`, Buffer.from(`k${i}`), null, null, c));
  assert.equal(seen.size, 1);
});

test('round robin cycles over available partitions', () => {
  const p = new RoundRobinPartitioner();
  const got = Array.from({ length: 6 }, () => p.partition('t', 'k', Buffer.from('k'), null, null, ctx(3)));
  assert.deepEqual(got, [0, 1, 2, 0, 1, 2]);
  const q = createPartitioner('org.apache.kafka.clients.producer.RoundRobinPartitioner', false);
  assert.equal(q.partition('x', null, null, null, null, { numPartitions: 5, availablePartitions: [1, 3] }), 1);
  assert.equal(q.partition('x', null, null, null, null, { numPartitions: 5, availablePartitions: [1, 3] }), 3);
});

test('custom function partitioner and unknown names', () => {
  const p = createPartitioner(({ numPartitions }: { numPartitions: number }) => numPartitions - 1, false);
  assert.equal(p.partition('t', null, null, null, null, ctx(4)), 3);
  assert.throws(() => createPartitioner('com.example.Nope', false), ConfigError);
});
