// The client against Gregor's own broker (test/helpers/broker.ts): the admin API end to end, a consumer group
// with commits, and the producer's delivery guarantee across a broker restart (acks=all + idempotence: every
// record exactly once, in order).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGregor, type GregorBroker } from '../helpers/broker.js';
import { Admin, Producer, Consumer, KafkaError, UnsupportedFeatureError } from '../../src/client/index.js';

let broker: GregorBroker;
let admin: Admin;

before(async () => {
  broker = await startGregor({});
  admin = new Admin({ bootstrapServers: broker.bootstrap });
});

after(async () => {
  await admin?.close();
  await broker?.close();
});

test('admin: topics, partitions, configs, cluster', async () => {
  const created = await admin.createTopics([{ name: 'adm', numPartitions: 3, replicationFactor: 1, configs: { 'retention.ms': '100000' } }]);
  assert.equal(created[0]!.name, 'adm');
  await assert.rejects(admin.createTopics([{ name: 'adm', numPartitions: 1 }]), (e: unknown) => e instanceof KafkaError && e.name === 'TOPIC_ALREADY_EXISTS');
  await assert.rejects(
    admin.createTopics([{ name: 'adm3', numPartitions: 1, replicationFactor: 3 }]),
    (e: unknown) => e instanceof KafkaError && e.name === 'INVALID_REPLICATION_FACTOR' && /larger than available brokers/.test(e.brokerMessage ?? ''),
  );
  assert.ok((await admin.listTopics()).includes('adm'));
  const [desc] = await admin.describeTopics(['adm']);
  assert.equal(desc!.partitions.length, 3);
  assert.equal(desc!.topicId.length, 22);
  assert.deepEqual(desc!.partitions[0]!.replicas, [0]);
  await admin.createPartitions({ adm: 5 });
  assert.equal((await admin.describeTopics(['adm']))[0]!.partitions.length, 5);
  await admin.incrementalAlterConfigs([{ type: 'topic', name: 'adm', ops: [{ name: 'retention.ms', value: '5000' }] }]);
  const [cfg] = await admin.describeConfigs([{ type: 'topic', name: 'adm', keys: ['retention.ms'] }]);
  assert.equal(cfg!.entries[0]!.value, '5000');
  assert.equal(cfg!.entries[0]!.source, 'DYNAMIC_TOPIC_CONFIG');
  const cluster = await admin.describeCluster();
  assert.equal(cluster.brokers.length, 1);
  assert.equal(cluster.brokers[0]!.port, broker.port);
  const versions = await admin.brokerApiVersions();
  assert.ok(versions[0]!.apiVersions.some((v) => v.apiKey === 0));
  await admin.deleteTopics(['adm']);
  assert.ok(!(await admin.listTopics()).includes('adm'));
});

test('produce, list offsets, delete records, consumer group offsets', async () => {
  await admin.createTopics([{ name: 'offs', numPartitions: 2 }]);
  const p = new Producer<string, string>({ bootstrapServers: broker.bootstrap, keySerializer: 'string', valueSerializer: 'string' });
  const t0 = Date.now();
  const md = await Promise.all(Array.from({ length: 10 }, (_, i) => p.send({ topic: 'offs', partition: 0, value: `v${i}`, timestamp: t0 + i * 10 })));
  await p.close();
  assert.deepEqual(
    md.map((m) => m.offset),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  const offs = await admin.listOffsets([
    { topic: 'offs', partition: 0, spec: 'earliest' },
    { topic: 'offs', partition: 0, spec: 'latest' },
    { topic: 'offs', partition: 0, spec: { timestamp: t0 + 45 } },
  ]);
  assert.deepEqual(
    offs.map((o) => o.offset),
    [0, 10, 5],
  );
  const [low] = await admin.deleteRecords([{ topic: 'offs', partition: 0, offset: 3 }]);
  assert.equal(low!.lowWatermark, 3);

  const c = new Consumer<string, string>({ bootstrapServers: broker.bootstrap, groupId: 'g-offs', autoOffsetReset: 'earliest', valueDeserializer: 'string', enableAutoCommit: false });
  const assigned: number[] = [];
  c.subscribe(['offs'], { onPartitionsAssigned: (tps) => void assigned.push(...tps.map((t) => t.partition)) });
  const values: string[] = [];
  for (let i = 0; i < 20 && values.length < 7; i++) for (const r of await c.poll(500)) values.push(r.value!);
  assert.deepEqual(values, ['v3', 'v4', 'v5', 'v6', 'v7', 'v8', 'v9']);
  assert.deepEqual(assigned.sort(), [0, 1]);
  const [group] = await admin.describeConsumerGroups(['g-offs']);
  assert.equal(group!.state, 'Stable');
  assert.equal(group!.protocol, 'range');
  assert.equal(group!.members.length, 1);
  assert.equal(group!.members[0]!.assignment.length, 2);
  await c.commitSync();
  await c.close();
  assert.deepEqual(
    (await admin.listConsumerGroupOffsets('g-offs')).map((o) => [o.partition, o.offset]),
    [
      [0, 10],
      [1, 0],
    ],
  );
  await admin.alterConsumerGroupOffsets('g-offs', [{ topic: 'offs', partition: 0, offset: 5 }]);
  assert.equal((await admin.listConsumerGroupOffsets('g-offs', [{ topic: 'offs', partition: 0 }]))[0]!.offset, 5);
  assert.ok((await admin.listConsumerGroups()).some((g) => g.groupId === 'g-offs' && g.protocolType === 'consumer'));
  await admin.deleteConsumerGroupOffsets('g-offs', [{ topic: 'offs', partition: 1 }]);
  const del = await admin.deleteConsumerGroups(['g-offs']);
  assert.equal(del[0]!.error, null);
});

test('broker restart mid-send: acks=all + idempotence delivers every record exactly once, in order', async () => {
  await admin.createTopics([{ name: 'restart', numPartitions: 2 }]);
  const p = new Producer<string, string>({
    bootstrapServers: broker.bootstrap,
    valueSerializer: 'string',
    lingerMs: 2,
    retryBackoffMs: 50,
    reconnectBackoffMs: 50,
    reconnectBackoffMaxMs: 200,
    requestTimeoutMs: 5000,
  });
  const N = 2000;
  const failures: Error[] = [];
  const sends: Promise<unknown>[] = [];
  let restarted: Promise<void> | null = null;
  for (let i = 0; i < N; i++) {
    sends.push(p.send({ topic: 'restart', partition: i % 2, value: String(i) }).catch((e: Error) => void failures.push(e)));
    if (i === N / 4) restarted = broker.restart();
    // spread the sends so that some are in flight while the broker stops, is down, and comes back
    if (i % 20 === 0) await new Promise((r) => setTimeout(r, 2));
    if (i === N / 2) await restarted;
  }
  await Promise.all(sends);
  await p.close();
  assert.deepEqual(failures, []);
  const c = new Consumer<string, string>({ bootstrapServers: broker.bootstrap, valueDeserializer: 'string' });
  c.assign([
    { topic: 'restart', partition: 0 },
    { topic: 'restart', partition: 1 },
  ]);
  await c.seekToBeginning();
  const got: number[][] = [[], []];
  const deadline = Date.now() + 20000;
  while (got[0]!.length + got[1]!.length < N && Date.now() < deadline) for (const r of await c.poll(500)) got[r.partition]!.push(Number(r.value));
  await c.close();
  for (const part of [0, 1]) {
    const expected = Array.from({ length: N / 2 }, (_, i) => i * 2 + part);
    assert.deepEqual(got[part], expected, `partition ${part}: no loss, no duplicates, in order`);
  }
});

test('transactions: a clear UnsupportedFeatureError while the broker lacks them, else a committed transaction', async () => {
  await admin.createTopics([{ name: 'txn', numPartitions: 1 }]);
  const p = new Producer<string, string>({ bootstrapServers: broker.bootstrap, valueSerializer: 'string', transactionalId: 'gregor-tx' });
  try {
    const apis = (await admin.brokerApiVersions())[0]!.apiVersions.map((v) => v.apiKey);
    if (!apis.includes(24) || !apis.includes(26)) {
      await assert.rejects(p.initTransactions(), (e: unknown) => e instanceof UnsupportedFeatureError && /not supported by this broker yet/.test(e.message));
    } else {
      await p.initTransactions();
      await p.beginTransaction();
      await p.send({ topic: 'txn', value: 'in-txn' });
      await p.commitTransaction();
      const c = new Consumer<string, string>({ bootstrapServers: broker.bootstrap, valueDeserializer: 'string', isolationLevel: 'read_committed' });
      c.assign([{ topic: 'txn', partition: 0 }]);
      await c.seekToBeginning();
      const got: string[] = [];
      for (let i = 0; i < 20 && got.length === 0; i++) for (const r of await c.poll(300)) got.push(r.value!);
      await c.close();
      assert.deepEqual(got, ['in-txn']);
    }
  } finally {
    await p.close();
  }
});
