// Cross-client on Gregor's broker: what Gregor's client produces (every codec), kcat and confluent-kafka-python read
// byte-exact; what they produce, Gregor's consumer reads byte-exact; a consumer keeps consuming across a broker
// restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGregor, type GregorBroker } from '../helpers/broker.js';
import { kcatConsume, confluentConsume, confluentProduce, kcatProduce, type Codec } from '../helpers/real-clients.js';
import { Admin, Producer, Consumer } from '../../src/client/index.js';

let broker: GregorBroker;

before(async () => {
  broker = await startGregor({});
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  await admin.createTopics(['none', 'gzip', 'snappy', 'lz4', 'zstd', 'from-confluent', 'from-kcat', 'restart-consume'].map((name) => ({ name, numPartitions: 1 })));
  await admin.close();
});

after(async () => {
  await broker?.close();
});

const sample = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    key: i % 4 === 0 ? null : Buffer.from(`key-${i}-\u00e9`),
    value: Buffer.from(Array.from({ length: 20 + i }, (_, j) => (i * 7 + j) & 0xff)),
    headers: i % 2 ? [{ key: 'trace', value: Buffer.from(`t${i}`) }] : [],
  }));

test('Gregor producer -> kcat and confluent-kafka-python, byte-exact, every codec', async () => {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as Codec[]) {
    const msgs = sample(20);
    const p = new Producer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap, compressionType: codec, lingerMs: 5 });
    await Promise.all(msgs.map((m) => p.send({ topic: codec, key: m.key, value: m.value, headers: m.headers })));
    await p.close();
    for (const [name, consume] of [
      ['kcat', kcatConsume],
      ['confluent', confluentConsume],
    ] as const) {
      const got = (await consume({ bootstrap: broker.bootstrap, topic: codec, count: msgs.length, timeoutMs: 30000 })).sort((a, b) => Number(a.offset - b.offset));
      assert.deepEqual(
        got.map((g) => [g.key, g.value, g.headers]),
        msgs.map((m) => [m.key, m.value, m.headers]),
        `${name} reading ${codec}`,
      );
    }
  }
});

test('kcat and confluent-kafka-python producers -> Gregor consumer, byte-exact', async () => {
  const msgs = sample(15).map((m) => ({ ...m, key: m.key ?? Buffer.from('k') }));
  await confluentProduce({ bootstrap: broker.bootstrap, topic: 'from-confluent', messages: msgs });
  await kcatProduce({ bootstrap: broker.bootstrap, topic: 'from-kcat', messages: msgs });
  for (const topic of ['from-confluent', 'from-kcat']) {
    const c = new Consumer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap });
    c.assign([{ topic, partition: 0 }]);
    await c.seekToBeginning();
    const got: { key: Buffer | null; value: Buffer | null; headers: { key: string; value: Buffer | null }[] }[] = [];
    const deadline = Date.now() + 15000;
    while (got.length < msgs.length && Date.now() < deadline) for (const r of await c.poll(300)) got.push({ key: r.key, value: r.value, headers: r.headers });
    await c.close();
    assert.deepEqual(
      got.map((g) => [g.key, g.value, g.headers]),
      msgs.map((m) => [m.key, m.value, m.headers]),
      topic,
    );
  }
});

test('a consumer keeps consuming across a broker restart', async () => {
  const p = new Producer<string, string>({ bootstrapServers: broker.bootstrap, valueSerializer: 'string', reconnectBackoffMaxMs: 200 });
  await Promise.all(Array.from({ length: 50 }, (_, i) => p.send({ topic: 'restart-consume', value: `a${i}` })));
  const c = new Consumer<string, string>({ bootstrapServers: broker.bootstrap, groupId: 'restart-g', autoOffsetReset: 'earliest', valueDeserializer: 'string', reconnectBackoffMaxMs: 200, sessionTimeoutMs: 10000, heartbeatIntervalMs: 500 });
  c.subscribe(['restart-consume']);
  const seen: string[] = [];
  let deadline = Date.now() + 15000;
  while (seen.length < 50 && Date.now() < deadline) for (const r of await c.poll(300)) seen.push(r.value!);
  await c.commitSync();
  await broker.restart();
  await Promise.all(Array.from({ length: 50 }, (_, i) => p.send({ topic: 'restart-consume', value: `b${i}` })));
  await p.close();
  deadline = Date.now() + 30000;
  while (seen.length < 100 && Date.now() < deadline) {
    try {
      for (const r of await c.poll(300)) seen.push(r.value!);
    } catch {
      /* transient errors while the coordinator reloads are retried by polling again */
    }
  }
  await c.close();
  assert.deepEqual(seen, [...Array.from({ length: 50 }, (_, i) => `a${i}`), ...Array.from({ length: 50 }, (_, i) => `b${i}`)]);
});
