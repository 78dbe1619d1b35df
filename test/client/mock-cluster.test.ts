// The client against a real Kafka peer (librdkafka's mock cluster, 3 brokers) and cross-client with librdkafka
// (kcat, confluent-kafka-python): byte-exact records both ways, Java-compatible key partitioning, shared consumer
// groups, and the producer's failure modes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMockCluster, type MockCluster } from '../helpers/mock-cluster.js';
import { kcatConsume, kcatProduce, confluentConsume, type Codec } from '../helpers/real-clients.js';
import { Producer, Consumer, partitionForKey, BufferExhaustedError, RecordTooLargeError, type RecordMetadata } from '../../src/client/index.js';

let mc: MockCluster;

before(async () => {
  mc = await startMockCluster({
    brokers: 3,
    topics: [
      { name: 'bytes', partitions: 1 },
      { name: 'fromkcat', partitions: 2 },
      { name: 'keyed', partitions: 7 },
      { name: 'shared', partitions: 6 },
      { name: 'manual', partitions: 2 },
      { name: 'full', partitions: 4 },
      ...(['gzip', 'snappy', 'lz4', 'zstd'] as const).map((c) => ({ name: `codec-${c}`, partitions: 1 })),
    ],
  });
});

after(async () => {
  await mc?.stop();
});

function sample(n: number): { key: Buffer | null; value: Buffer | null; headers: { key: string; value: Buffer }[] }[] {
  return Array.from({ length: n }, (_, i) => ({
    key: i % 3 === 0 ? null : Buffer.from([i, 0, 255, 0x80, i]),
    value: Buffer.from(`välue-${i}-`.repeat((i % 5) + 1) + '\u0000\u00ff', 'utf8'),
    headers: i % 2 === 0 ? [{ key: 'h1', value: Buffer.from(`hv${i}`) }, { key: 'empty', value: Buffer.alloc(0) }] : [],
  }));
}

test('what Gregor produces, kcat reads byte-exact (uncompressed and every codec)', async () => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as Codec[]) {
    const topic = codec === 'none' ? 'bytes' : `codec-${codec}`;
    const p = new Producer<Buffer, Buffer>({ bootstrapServers: mc.bootstrap, compressionType: codec, lingerMs: 5 });
    const msgs = sample(25);
    const metas = await Promise.all(msgs.map((m) => p.send({ topic, key: m.key, value: m.value, headers: m.headers })));
    await p.close();
    assert.deepEqual(
      metas.map((m) => m.offset),
      msgs.map((_, i) => i),
      `${codec}: offsets in send order`,
    );
    const got = await kcatConsume({ bootstrap: mc.bootstrap, topic, count: msgs.length, timeoutMs: 20000 });
    got.sort((a, b) => Number(a.offset - b.offset));
    assert.equal(got.length, msgs.length);
    for (let i = 0; i < msgs.length; i++) {
      assert.deepEqual(got[i]!.key, msgs[i]!.key, `${codec} key ${i}`);
      assert.deepEqual(got[i]!.value, msgs[i]!.value, `${codec} value ${i}`);
      assert.deepEqual(got[i]!.headers, msgs[i]!.headers, `${codec} headers ${i}`);
    }
  }
});

test('what kcat produces, the Gregor consumer reads byte-exact', async () => {
  const msgs = Array.from({ length: 20 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from([i, 0, 1, 2, 0xfe]), partition: i % 2, headers: [{ key: 'a', value: Buffer.from('b') }] }));
  await kcatProduce({ bootstrap: mc.bootstrap, topic: 'fromkcat', messages: msgs, compression: 'lz4' });
  const c = new Consumer<Buffer, Buffer>({ bootstrapServers: mc.bootstrap });
  c.assign([
    { topic: 'fromkcat', partition: 0 },
    { topic: 'fromkcat', partition: 1 },
  ]);
  await c.seekToBeginning();
  const got: { partition: number; offset: number; key: Buffer | null; value: Buffer | null; headers: { key: string; value: Buffer | null }[] }[] = [];
  const deadline = Date.now() + 15000;
  while (got.length < msgs.length && Date.now() < deadline) for (const r of await c.poll(500)) got.push(r);
  await c.close();
  assert.equal(got.length, msgs.length);
  for (const p of [0, 1]) {
    const sent = msgs.filter((m) => m.partition === p);
    const recv = got.filter((r) => r.partition === p).sort((a, b) => a.offset - b.offset);
    assert.deepEqual(
      recv.map((r) => [r.key, r.value, r.headers]),
      sent.map((m) => [m.key, m.value, m.headers]),
    );
  }
});

test('keyed records land where librdkafka murmur2 (= Java default partitioner) puts them', async () => {
  const keys = Array.from({ length: 30 }, (_, i) => `user-${i * 7919}`);
  // kcat with librdkafka's Java-compatible partitioner
  await kcatProduce({
    bootstrap: mc.bootstrap,
    topic: 'keyed',
    messages: keys.map((k) => ({ key: Buffer.from(k), value: Buffer.from('kcat:' + k) })),
    config: { partitioner: 'murmur2_random' },
  });
  const p = new Producer<string, string>({ bootstrapServers: mc.bootstrap, keySerializer: 'string', valueSerializer: 'string' });
  const metas = await Promise.all(keys.map((k) => p.send({ topic: 'keyed', key: k, value: 'gregor:' + k })));
  await p.close();
  const all = await kcatConsume({ bootstrap: mc.bootstrap, topic: 'keyed', count: keys.length * 2, timeoutMs: 20000 });
  for (const [i, k] of keys.entries()) {
    const expected = partitionForKey(Buffer.from(k), 7);
    assert.equal(metas[i]!.partition, expected, `gregor partition for ${k}`);
    const fromKcat = all.find((m) => m.value?.toString() === 'kcat:' + k)!;
    assert.equal(fromKcat.partition, expected, `kcat partition for ${k}`);
  }
});

test('a Gregor consumer and a librdkafka consumer share one group (range assignor, ConsumerProtocol bytes)', async () => {
  const p = new Producer<string, string>({ bootstrapServers: mc.bootstrap, keySerializer: 'string', valueSerializer: 'string' });
  const sends: Promise<RecordMetadata>[] = [];
  for (let part = 0; part < 6; part++) for (let i = 0; i < 10; i++) sends.push(p.send({ topic: 'shared', partition: part, value: `p${part}-${i}` }));
  await Promise.all(sends);
  await p.close();
  const assigned: string[][] = [];
  const c = new Consumer<string, string>({
    bootstrapServers: mc.bootstrap,
    groupId: 'mixed-group',
    autoOffsetReset: 'earliest',
    enableAutoCommit: false,
    valueDeserializer: 'string',
    sessionTimeoutMs: 10000,
    heartbeatIntervalMs: 500,
  });
  c.subscribe(['shared'], { onPartitionsAssigned: (tps) => void assigned.push(tps.map((t) => `${t.topic}-${t.partition}`)) });
  // Gregor joins first and owns all six partitions
  const deadline = Date.now() + 15000;
  while (c.assignment().length < 6 && Date.now() < deadline) await c.poll(200);
  assert.equal(c.assignment().length, 6);
  // keep polling (heartbeats + rejoin) while the librdkafka consumer joins and reads its half
  let stop = false;
  const loop = (async () => {
    while (!stop) await c.poll(100);
  })();
  const theirs = await confluentConsume({ bootstrap: mc.bootstrap, topic: 'shared', count: 30, groupId: 'mixed-group', config: { 'session.timeout.ms': 10000 }, timeoutMs: 40000 });
  const mine = c.assignment().map((t) => t.partition);
  stop = true;
  await loop;
  await c.close();
  const theirPartitions = [...new Set(theirs.map((m) => m.partition))].sort();
  assert.equal(theirs.length, 30);
  assert.equal(theirPartitions.length, 3, `librdkafka consumer got ${theirPartitions.join(',')}`);
  assert.deepEqual([...mine, ...theirPartitions].sort(), [0, 1, 2, 3, 4, 5]);
  assert.ok(assigned.length >= 2, 'Gregor saw a rebalance');
});

test('manual assignment: seek, position, pause/resume, commitSync and committed', async () => {
  const p = new Producer<string, string>({ bootstrapServers: mc.bootstrap, keySerializer: 'string', valueSerializer: 'string' });
  await Promise.all(Array.from({ length: 10 }, (_, i) => p.send({ topic: 'manual', partition: 0, value: `m${i}` })));
  await p.close();
  const c = new Consumer<string, string>({ bootstrapServers: mc.bootstrap, groupId: 'manual-g', valueDeserializer: 'string', enableAutoCommit: false, maxPollRecords: 4 });
  const tp = { topic: 'manual', partition: 0 };
  c.assign([tp]);
  await c.seek(tp, 3);
  assert.equal(await c.position(tp), 3);
  let recs = await c.poll(5000);
  assert.deepEqual(
    [...recs].map((r) => r.value),
    ['m3', 'm4', 'm5', 'm6'],
  );
  assert.equal(await c.position(tp), 7);
  await c.commitSync();
  assert.deepEqual((await c.committed([tp]))[0]?.offset, 7);
  c.pause([tp]);
  assert.equal((await c.poll(300)).count, 0);
  c.resume([tp]);
  recs = await c.poll(5000);
  assert.deepEqual(
    [...recs].map((r) => r.offset),
    [7, 8, 9],
  );
  await c.seekToEnd([tp]);
  assert.equal(await c.position(tp), 10);
  await c.seekToBeginning([tp]);
  assert.equal(await c.position(tp), 0);
  await c.close();
  // a new consumer of the group resumes from the committed offset
  const c2 = new Consumer<string, string>({ bootstrapServers: mc.bootstrap, groupId: 'manual-g', valueDeserializer: 'string' });
  c2.assign([tp]);
  assert.equal(await c2.position(tp), 7);
  await c2.close();
});

test('buffer.memory full -> BufferExhaustedError after max.block.ms; oversize -> RecordTooLargeError', async () => {
  const p = new Producer<Buffer, Buffer>({ bootstrapServers: mc.bootstrap, batchSize: 1024, bufferMemory: 2048, lingerMs: 60000, maxBlockMs: 300, maxRequestSize: 4096 });
  const first = p.send({ topic: 'full', partition: 0, value: Buffer.alloc(100) });
  const second = p.send({ topic: 'full', partition: 1, value: Buffer.alloc(100) });
  const t0 = Date.now();
  await assert.rejects(p.send({ topic: 'full', partition: 2, value: Buffer.alloc(100) }), BufferExhaustedError);
  const waited = Date.now() - t0;
  assert.ok(waited >= 250 && waited < 3000, `blocked ${waited} ms`);
  await assert.rejects(p.send({ topic: 'full', partition: 0, value: Buffer.alloc(5000) }), (e: unknown) => e instanceof RecordTooLargeError && !e.retriable && /max.request.size/.test(e.message));
  await p.flush();
  assert.equal((await first).offset >= 0, true);
  assert.equal((await second).offset >= 0, true);
  await p.close();
});

test('callback form and fire-and-forget', async () => {
  const p = new Producer<string, string>({ bootstrapServers: mc.bootstrap, keySerializer: 'string', valueSerializer: 'string' });
  const results: (RecordMetadata | null)[] = [];
  await new Promise<void>((resolve, reject) => {
    let left = 3;
    for (let i = 0; i < 3; i++) {
      p.send({ topic: 'manual', partition: 1, value: `cb${i}` }, (err, md) => {
        if (err) return reject(err);
        results.push(md);
        if (--left === 0) resolve();
      });
    }
  });
  assert.equal(results.length, 3);
  assert.ok(results.every((r) => r!.partition === 1 && r!.offset >= 0 && r!.topic === 'manual'));
  void p.send({ topic: 'manual', partition: 1, value: 'forgotten' }); // must not cause an unhandled rejection
  await p.close(); // delivers what is buffered
});

test('transactions: init, commit, abort, offsets in a transaction; state checks', async () => {
  const p = new Producer<string, string>({ bootstrapServers: mc.bootstrap, valueSerializer: 'string', transactionalId: 'tx-test' });
  await assert.rejects(p.send({ topic: 'manual', partition: 0, value: 'early' }), /beginTransaction/);
  await assert.rejects(p.commitTransaction(), /Invalid transition/);
  await p.initTransactions();
  await p.beginTransaction();
  const md = await Promise.all([0, 1, 2].map((i) => p.send({ topic: 'fromkcat', partition: i % 2, value: `c${i}` })));
  assert.ok(md.every((m) => m.offset >= 0));
  await p.commitTransaction();
  await p.beginTransaction();
  await p.send({ topic: 'fromkcat', partition: 0, value: 'aborted' });
  await p.abortTransaction();
  await p.beginTransaction();
  await p.send({ topic: 'fromkcat', partition: 1, value: 'c3' });
  await p.sendOffsetsToTransaction([{ topic: 'fromkcat', partition: 0, offset: 1 }], 'tx-group');
  await p.commitTransaction();
  await p.close();
  // the batches are transactional and carry the producer id (the mock cluster does not write commit markers,
  // so visibility under read_committed is covered by the decoder unit test)
  const c = new Consumer<string, string>({ bootstrapServers: mc.bootstrap, valueDeserializer: 'string' });
  c.assign([{ topic: 'fromkcat', partition: 1 }]);
  await c.seekToBeginning();
  const values: string[] = [];
  // the mock returns one batch per fetch, and partition 1 holds ten single-record kcat batches first
  const deadline = Date.now() + 10000;
  while (!values.includes('c3') && Date.now() < deadline) for (const r of await c.poll(300)) values.push(r.value!);
  await c.close();
  assert.ok(values.includes('c1') && values.includes('c3'), values.join(','));
});

test('flush() and close() cover sends still waiting for a new topic metadata', async () => {
  const p = new Producer<string, string>({ bootstrapServers: mc.bootstrap, valueSerializer: 'string' });
  const first = Array.from({ length: 500 }, (_, i) => p.send({ topic: 'brand-new-1', value: `v${i}` }));
  await p.flush();
  const settled = await Promise.allSettled(first);
  assert.ok(settled.every((r) => r.status === 'fulfilled'));
  const second = Array.from({ length: 500 }, (_, i) => p.send({ topic: 'brand-new-2', value: `w${i}` }));
  await p.close(); // delivers what was sent before close, including sends still waiting for metadata
  const settled2 = await Promise.allSettled(second);
  assert.deepEqual(
    settled2.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason)),
    [],
  );
});

test('acks=0: no response expected, offset -1, records still arrive', async () => {
  const p = new Producer<string, string>({ bootstrapServers: mc.bootstrap, valueSerializer: 'string', acks: 0 });
  const md = await Promise.all(Array.from({ length: 5 }, (_, i) => p.send({ topic: 'acks0', value: `z${i}` })));
  assert.ok(md.every((m) => m.offset === -1));
  await p.close();
  const got = await kcatConsume({ bootstrap: mc.bootstrap, topic: 'acks0', count: 5, timeoutMs: 15000 });
  assert.deepEqual(got.map((g) => g.value?.toString()).sort(), ['z0', 'z1', 'z2', 'z3', 'z4']);
});

test('null keys: sticky partitioning fills a batch on one partition, then moves on (KIP-480)', async () => {
  const p = new Producer<string, Buffer>({ bootstrapServers: mc.bootstrap, batchSize: 1024, lingerMs: 50 });
  await p.partitionsFor('keyed'); // 7 partitions
  const md = await Promise.all(Array.from({ length: 200 }, () => p.send({ topic: 'keyed', value: Buffer.alloc(100) })));
  await p.close();
  const parts = md.map((m) => m.partition);
  let runs = 1;
  for (let i = 1; i < parts.length; i++) if (parts[i] !== parts[i - 1]) runs++;
  assert.ok(new Set(parts).size > 1, 'uses more than one partition');
  // ~8 records of 100 B fill a 1 KiB batch: about 25 runs, never per-record round robin
  assert.ok(runs >= 10 && runs <= 40, `${runs} runs`);
});

test('buffer.memory full: records that fit an open batch go in at once; others wait for memory, in order', async () => {
  const p = new Producer<Buffer, Buffer>({ bootstrapServers: mc.bootstrap, batchSize: 1024, bufferMemory: 2048, lingerMs: 60000, maxBlockMs: 5000 });
  await p.partitionsFor('full');
  const a = p.send({ topic: 'full', partition: 0, value: Buffer.alloc(100) });
  const b = p.send({ topic: 'full', partition: 1, value: Buffer.alloc(100) });
  // memory is now fully reserved by two open batches
  const c = p.send({ topic: 'full', partition: 0, value: Buffer.alloc(100) }); // fits partition 0's open batch
  const d1 = p.send({ topic: 'full', partition: 2, value: Buffer.alloc(100) }); // needs a new batch: waits
  const d2 = p.send({ topic: 'full', partition: 2, value: Buffer.alloc(10) }); // behind d1, same partition
  await p.flush(); // sends the open batches, frees memory, d1/d2 get in
  const [ma, mb, mc2, md1, md2] = await Promise.all([a, b, c, d1, d2]);
  assert.equal(mc2.offset, ma.offset + 1, 'c went into the same batch as a');
  assert.ok(mb.offset >= 0);
  assert.equal(md2.offset, md1.offset + 1, 'order kept on partition 2');
  await p.close();
});

test('a record the deserializer rejects: poll throws until the application seeks past it', async () => {
  const p = new Producer<string, string>({ bootstrapServers: mc.bootstrap, valueSerializer: 'string', lingerMs: 20 });
  await Promise.all(['ok1', 'bad', 'ok2'].map((value) => p.send({ topic: 'poison', partition: 0, value })));
  await p.close();
  const strict = {
    deserialize: (_t: string, d: Buffer | null): string | null => {
      const v = d?.toString() ?? null;
      if (v === 'bad') throw new Error('cannot parse');
      return v;
    },
  };
  const c = new Consumer<Buffer, string>({ bootstrapServers: mc.bootstrap, valueDeserializer: strict });
  const tp = { topic: 'poison', partition: 0 };
  c.assign([tp]);
  await c.seekToBeginning();
  const first: string[] = [];
  let error: Error | null = null;
  const deadline = Date.now() + 10000;
  while (!error && Date.now() < deadline) {
    try {
      for (const r of await c.poll(300)) first.push(r.value!);
    } catch (e) {
      error = e as Error;
    }
  }
  assert.deepEqual(first, ['ok1']);
  assert.match(error!.message, /poison-0 at or after offset 1: cannot parse/);
  await c.seek(tp, 2);
  const rest: string[] = [];
  while (rest.length === 0 && Date.now() < deadline) for (const r of await c.poll(300)) rest.push(r.value!);
  assert.deepEqual(rest, ['ok2']);
  await c.close();
});

test('producer and consumer interceptors', async () => {
  const acked: (number | null)[] = [];
  const p = new Producer<string, string>({
    bootstrapServers: mc.bootstrap,
    valueSerializer: 'string',
    interceptors: [
      {
        onSend: (r) => ({ ...r, value: `${r.value}!`, headers: { intercepted: 'yes' } }),
        onAcknowledgement: (md, err) => void acked.push(err ? null : md!.offset),
      },
    ],
  });
  await Promise.all(['x', 'y'].map((value) => p.send({ topic: 'intercept', partition: 0, value })));
  await p.close();
  assert.deepEqual(acked.sort(), [0, 1]);
  const commits: number[] = [];
  const c = new Consumer<Buffer, string>({
    bootstrapServers: mc.bootstrap,
    groupId: 'intercept-g',
    enableAutoCommit: false,
    valueDeserializer: 'string',
    interceptors: [
      {
        onConsume: (records) => records, // pass-through, counted below
        onCommit: (offsets) => void commits.push(...offsets.map((o) => o.offset)),
      },
    ],
  });
  c.assign([{ topic: 'intercept', partition: 0 }]);
  await c.seekToBeginning();
  const got: { value: string | null; header: string | undefined }[] = [];
  const deadline = Date.now() + 10000;
  while (got.length < 2 && Date.now() < deadline) for (const r of await c.poll(300)) got.push({ value: r.value, header: r.headers.find((h) => h.key === 'intercepted')?.value?.toString() });
  await c.commitSync();
  await c.close();
  assert.deepEqual(got, [
    { value: 'x!', header: 'yes' },
    { value: 'y!', header: 'yes' },
  ]);
  assert.deepEqual(commits, [2]);
});
