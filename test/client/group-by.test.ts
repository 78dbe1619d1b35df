// groupBy (src/client/types.ts): the grouping behind every request that lists topics and partitions. Keys keep
// first-seen order and items input order, so requests list topics and partitions in the order callers gave them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupBy } from '../../src/client/types.js';

test('groupBy keeps first-seen key order and input order, and maps values', () => {
  const tps = [
    { topic: 'b', partition: 2 },
    { topic: 'a', partition: 1 },
    { topic: 'b', partition: 0 },
  ];
  assert.deepEqual([...groupBy(tps, (tp) => tp.topic, (tp) => tp.partition)], [
    ['b', [2, 0]],
    ['a', [1]],
  ]);
  const same = groupBy(tps, (tp) => tp.partition % 2);
  assert.deepEqual([...same.keys()], [0, 1]);
  assert.equal(same.get(0)![0], tps[0], 'without valueOf the items themselves are grouped');
  assert.equal(groupBy([], (x: number) => x).size, 0);
});
