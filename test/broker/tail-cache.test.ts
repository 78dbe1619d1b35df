import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TailCache } from '../../src/broker/tail-cache.js';
import { ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { RawClient, startTestBroker } from './harness.js';

const buf = (n: number, fill: number) => Buffer.alloc(n, fill);

test('partition tail cache: contiguous ranges, whole batches, bounds, limits', () => {
  const cache = new TailCache(10_000, 1000, 4);
  const p = cache.forPartition();
  assert.equal(p.read(0, 100, 10, true), undefined, 'empty cache answers nothing');
  p.add(10, 12, buf(100, 1));
  p.add(13, 13, buf(100, 2));
  p.add(14, 19, buf(100, 3));
  assert.equal(p.read(9, 1000, 100, true), undefined, 'below the cached range');
  assert.equal(p.read(20, 1000, 100, true), undefined, 'at/after the end goes to storage');
  const r = p.read(11, 1000, 100, true)!;
  assert.equal(r.data.length, 300);
  assert.equal(r.data[0], 1, 'starts with the batch containing the offset');
  assert.equal(r.nextOffset, 20);
  assert.equal(p.read(11, 150, 100, true)!.data.length, 100, 'max bytes in whole batches');
  assert.equal(p.read(11, 50, 100, true)!.data.length, 100, 'minOneMessage');
  assert.equal(p.read(11, 50, 100, false)!.data.length, 0);
  assert.equal(p.read(11, 1000, 14, true)!.data.length, 200, 'never past the bound (HW/LSO)');
  p.add(30, 30, buf(10, 4));
  assert.equal(p.startOffset, 30, 'a gap resets the partition cache');
  for (let i = 31; i < 40; i++) p.add(i, i, buf(10, i));
  assert.equal(p.entries.length, 4, 'entry limit');
  assert.equal(p.startOffset, 36);
  const q = cache.forPartition();
  for (let i = 0; i < 20; i++) q.add(i, i, buf(900, 1));
  assert.ok(q.bytes <= 1000, 'per-partition byte limit keeps at least one entry');
  const many = Array.from({ length: 30 }, () => cache.forPartition());
  many.forEach((m, i) => m.add(0, 0, buf(900, i)));
  assert.ok(cache.bytes <= 10_000, `global limit (${cache.bytes})`);
  assert.ok(cache.queueLength < 100);
});

test('fetches served from the tail cache equal what storage returns', async () => {
  const tb = await startTestBroker();
  try {
    const c = await RawClient.connect(tb.port);
    await c.send(ApiKeys.CreateTopics, 7, { topics: [{ name: 'tc', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 200; i++) {
      const records = Array.from({ length: 1 + rand(5) }, (_, j) => ({ key: Buffer.from(`k${i}-${j}`), value: Buffer.alloc(rand(3000), i) }));
      const r = await c.send(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'tc', partitionData: [{ index: 0, records: encodeRecordBatch({ records }) }] }] });
      assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, 0);
    }
    const p = tb.broker.services.topics.partition('tc', 0)!;
    const replicas = tb.broker.services.replicas;
    const leo = p.logEndOffset;
    for (let i = 0; i < 300; i++) {
      const offset = rand(leo + 1);
      const maxBytes = 1 + rand(20000);
      const minOne = rand(2) === 0;
      const viaBroker = await replicas.read({ partition: p, fetchOffset: offset, maxBytes, isolationLevel: 0, minOneMessage: minOne });
      const viaLog = await p.log.read(offset, maxBytes, p.highWatermark, minOne);
      assert.deepEqual(viaBroker.records, viaLog.data, `offset ${offset} maxBytes ${maxBytes} minOne ${minOne}`);
    }
    assert.ok(replicas.tailCache.bytes > 0, 'the cache was used');
    c.close();
  } finally {
    await tb.stop();
  }
});
