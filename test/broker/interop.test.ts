// Real Kafka clients against a Gregor broker (child process on a free port): every client produces, every client
// reads back what every other produced, byte-exact; kcat with each codec, headers, keys, -o beginning and -L.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitBatches } from '../../src/protocol/records/batch-view.js';
import { compressionTypeFromName } from '../../src/protocol/compression/index.js';
import { startGregor, type GregorBroker } from '../helpers/broker.js';
import {
  CONSUMERS,
  PRODUCERS,
  messageContent,
  sampleMessages,
  kcat,
  kcatConsume,
  kcatMetadata,
  kcatProduce,
  type ClientName,
  type TestMessage,
} from '../helpers/real-clients.js';

const CLIENTS: ClientName[] = ['kcat', 'confluent', 'kafka-python', 'kafkajs', 'platformatic'];

let broker: GregorBroker;
before(async () => {
  broker = await startGregor({ env: { GREGOR_LOG_LEVEL: 'warn' } });
});
after(async () => {
  await broker?.close();
});

test('kcat -L lists the broker and an auto-created topic', async () => {
  await kcatProduce({ bootstrap: broker.bootstrap, topic: 'meta-topic', messages: [{ key: Buffer.from('a'), value: Buffer.from('b') }] });
  const md = (await kcatMetadata(broker.bootstrap, 'meta-topic')) as { brokers: { id: number; name: string }[]; topics: { topic: string; partitions: unknown[] }[] };
  assert.equal(md.brokers.length, 1);
  assert.equal(md.brokers[0]!.name, broker.bootstrap);
  assert.equal(md.topics[0]!.topic, 'meta-topic');
  assert.equal(md.topics[0]!.partitions.length, 1);
});

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
  test(`kcat produce/consume with -z ${codec}, keys and headers, -o beginning`, async () => {
    const topic = `kcat-${codec}`;
    const messages: TestMessage[] = Array.from({ length: 50 }, (_, i) => ({
      key: Buffer.from(`key-${i}`),
      value: Buffer.from(`value-${i % 3}-`.repeat(40)),
      headers: [{ key: 'codec', value: Buffer.from(codec) }],
    }));
    await kcatProduce({ bootstrap: broker.bootstrap, topic, messages, compression: codec });
    const got = await kcatConsume({ bootstrap: broker.bootstrap, topic, count: messages.length });
    assert.deepEqual(got.map(messageContent), messages.map(messageContent));
    assert.deepEqual(got.map((m) => m.offset), messages.map((_, i) => BigInt(i)));
    // librdkafka really compressed (it only does when the broker advertises Produce v0), and the broker kept it.
    const stored = readdirSync(join(broker.dataDir, `${topic}-0`))
      .filter((f) => f.endsWith('.log'))
      .flatMap((f) => splitBatches(readFileSync(join(broker.dataDir, `${topic}-0`, f))).batches.map((b) => b.compression));
    // (librdkafka sends a batch uncompressed when compressing would not shrink it.)
    const expected = compressionTypeFromName(codec)!;
    assert.ok(stored.includes(expected), `stored codecs ${stored.join(',')} for ${codec}`);
    assert.ok(stored.every((c) => c === expected || c === 0), `stored codecs ${stored.join(',')} for ${codec}`);
  });
}

test('every client reads back what every other client produced, byte-exact', async () => {
  const topic = 'matrix';
  // One partition per producer so the expected order per partition is known.
  const r = await kcat(broker.bootstrap, ['-L', '-t', 'bootstrap-only']);
  assert.equal(r.code, 0);
  const created = await import('kafkajs').then(async ({ Kafka, logLevel }) => {
    const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      return await admin.createTopics({ topics: [{ topic, numPartitions: CLIENTS.length }] });
    } finally {
      await admin.disconnect();
    }
  });
  assert.equal(created, true);
  for (const [i, client] of CLIENTS.entries()) {
    const messages = sampleMessages(client).map((m) => ({ ...m, partition: i }));
    await PRODUCERS[client]({ bootstrap: broker.bootstrap, topic, messages, compression: client === 'platformatic' ? 'none' : 'gzip', timeoutMs: 30_000 });
  }
  const total = CLIENTS.length * 4;
  for (const consumer of CLIENTS) {
    const got = await CONSUMERS[consumer]({ bootstrap: broker.bootstrap, topic, count: total, timeoutMs: 30_000 });
    assert.equal(got.length, total, `${consumer} read ${got.length} of ${total}`);
    for (const [i, producer] of CLIENTS.entries()) {
      const part = got.filter((m) => m.partition === i).sort((a, b) => Number(a.offset - b.offset));
      assert.deepEqual(part.map(messageContent), sampleMessages(producer).map(messageContent), `${consumer} reading ${producer}'s messages`);
    }
  }
});

test('consumer groups: kafkajs and confluent-kafka-python consume through groups', async () => {
  const topic = 'group-topic';
  const messages: TestMessage[] = Array.from({ length: 20 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`) }));
  await kcatProduce({ bootstrap: broker.bootstrap, topic, messages });
  const got = await CONSUMERS.kafkajs({ bootstrap: broker.bootstrap, topic, count: 20, groupId: 'g1' });
  assert.equal(got.length, 20);
  const again = await CONSUMERS.confluent({ bootstrap: broker.bootstrap, topic, count: 20, groupId: 'g2' });
  assert.equal(again.length, 20);
});

test('kafkajs admin: create, metadata, describe configs, offsets, delete', async () => {
  const { Kafka, logLevel } = await import('kafkajs');
  const TOPIC_RESOURCE = 2; // kafkajs ConfigResourceTypes.TOPIC (not exported under ESM named imports)
  const admin = new Kafka({ brokers: [broker.bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic: 'kjs-admin', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '100000' }] }] }), true);
    const md = await admin.fetchTopicMetadata({ topics: ['kjs-admin'] });
    assert.equal(md.topics[0]!.partitions.length, 2);
    const cfg = await admin.describeConfigs({ resources: [{ type: TOPIC_RESOURCE, name: 'kjs-admin', configNames: ['retention.ms'] }], includeSynonyms: false });
    assert.equal(cfg.resources[0]!.configEntries[0]!.configValue, '100000');
    await kcatProduce({ bootstrap: broker.bootstrap, topic: 'kjs-admin', messages: [{ key: Buffer.from('a'), value: Buffer.from('1'), partition: 1 }] });
    const offsets = await admin.fetchTopicOffsets('kjs-admin');
    assert.deepEqual(offsets.map((o) => [o.partition, o.high]).sort(), [[0, '0'], [1, '1']]);
    await admin.createPartitions({ topicPartitions: [{ topic: 'kjs-admin', count: 4 }] });
    assert.equal((await admin.fetchTopicMetadata({ topics: ['kjs-admin'] })).topics[0]!.partitions.length, 4);
    await admin.deleteTopics({ topics: ['kjs-admin'] });
    assert.ok(!(await admin.listTopics()).includes('kjs-admin'));
  } finally {
    await admin.disconnect();
  }
});
