// kafkajs 2.2 (pure JS, in-process): gzip producer, group consumer with commits, admin topics / configs /
// offsets / groups.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs, { type Kafka } from 'kafkajs';
import { kafkajsConsume } from '../helpers/real-clients.js';
import { withTimeout } from '../helpers/process.js';
import { startTarget, type InteropTarget } from './target.js';

let target: InteropTarget;
// kafkajs is CommonJS; not every export is visible as an ESM named export.
const { Kafka: KafkaClient, logLevel, ConfigResourceTypes, CompressionTypes } = kafkajs;
let kafka: Kafka;

before(async () => {
  target = await startTarget(['kjs-data'], 2);
  kafka = new KafkaClient({ clientId: 'gregor-interop-kafkajs', brokers: [target.bootstrap], logLevel: logLevel.NOTHING });
});
after(async () => {
  await target?.close();
});

test('gzip producer (acks=all), group consumer, committed offsets visible to admin.fetchOffsets', async () => {
  const producer = kafka.producer();
  await withTimeout(producer.connect(), 20_000, 'connect');
  try {
    const messages = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2, headers: { i: String(i) } }));
    const res = await withTimeout(
      producer.send({ topic: 'kjs-data', compression: CompressionTypes.GZIP, acks: -1, messages }),
      20_000,
      'send',
    );
    assert.deepEqual(res.map((r) => [r.partition, r.errorCode, r.baseOffset]).sort(), [
      [0, 0, '0'],
      [1, 0, '0'],
    ]);
  } finally {
    await producer.disconnect();
  }
  const got = await kafkajsConsume({ bootstrap: target.bootstrap, topic: 'kjs-data', groupId: 'kjs-group', count: 40, timeoutMs: 40_000 });
  assert.equal(got.length, 40);
  for (const m of got) {
    const i = Number(m.headers.find((h) => h.key === 'i')?.value?.toString());
    assert.equal(m.key?.toString(), `k${i}`);
    assert.equal(m.value?.toString(), `v${i}`);
    assert.equal(m.partition, i % 2);
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    // kafkajs commits after eachMessage on its own schedule; disconnect (in kafkajsConsume) flushed them.
    const offsets = await admin.fetchOffsets({ groupId: 'kjs-group', topics: ['kjs-data'] });
    assert.deepEqual(
      offsets[0]!.partitions.map((p) => [p.partition, p.offset]).sort(),
      [
        [0, '20'],
        [1, '20'],
      ],
    );
    const groups = await admin.listGroups();
    assert.ok(groups.groups.some((g) => g.groupId === 'kjs-group' && g.protocolType === 'consumer'));
  } finally {
    await admin.disconnect();
  }
});

test('admin: createTopics (validateOnly and real), fetchTopicMetadata, describeConfigs, deleteTopics', async () => {
  const admin = kafka.admin();
  await withTimeout(admin.connect(), 20_000, 'admin connect');
  try {
    // waitForLeaders would make kafkajs poll Metadata for the (never created) topic.
    await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'kjs-dry', numPartitions: 2 }] });
    assert.equal((await admin.listTopics()).includes('kjs-dry'), false, 'validateOnly must not create');
    const created = await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic: 'kjs-admin', numPartitions: 4, configEntries: [{ name: 'retention.ms', value: '86400000' }] }],
    });
    assert.equal(created, true);
    assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs-admin', numPartitions: 1 }] }), false, 'exists already');
    const md = await admin.fetchTopicMetadata({ topics: ['kjs-admin'] });
    assert.equal(md.topics[0]!.partitions.length, 4);
    const cfg = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: 'kjs-admin', configNames: ['retention.ms', 'cleanup.policy'] }],
    });
    const entries = Object.fromEntries(cfg.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    assert.deepEqual(entries, { 'retention.ms': '86400000', 'cleanup.policy': 'delete' });
    await admin.deleteTopics({ topics: ['kjs-admin'] });
    assert.equal((await admin.listTopics()).includes('kjs-admin'), false);
  } finally {
    await admin.disconnect();
  }
});
