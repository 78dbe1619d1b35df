// Old message formats: kafka-python told to speak to Kafka 0.10.1 (magic 1 message sets in Produce v2) or 0.9
// (magic 0 in Produce v1). The broker up-converts them to v2 batches; every modern client must read them back
// byte-exact (keys, null keys, binary and empty values; these formats have no headers).
//
// Layout: one topic per codec; partition 0 = the 0.10.1 producer, partition 1 = the 0.9 producer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONSUMERS, kafkaPythonProduce, type ClientName, type Codec, type TestMessage } from '../helpers/real-clients.js';
import { splitBatches } from '../../src/protocol/records/batch-view.js';
import { startTarget, type InteropTarget } from './target.js';

const PRODUCERS: { apiVersion: number[]; partition: number; codecs: Codec[] }[] = [
  { apiVersion: [0, 10, 1], partition: 0, codecs: ['none', 'gzip', 'snappy', 'lz4'] },
  // kafka-python's magic-0 lz4 writer (pre-KIP-57 framing) fails inside the client with python3-lz4 4.x.
  { apiVersion: [0, 9], partition: 1, codecs: ['none', 'gzip', 'snappy'] },
];
const CODECS: Codec[] = ['none', 'gzip', 'snappy', 'lz4'];
/** What each consumer can decompress; kafka-python writes xerial snappy, which @platformatic/kafka cannot read. */
const READS: Record<ClientName, Codec[]> = {
  kcat: CODECS,
  confluent: CODECS,
  'kafka-python': CODECS,
  kafkajs: ['none', 'gzip'],
  platformatic: ['none', 'gzip', 'lz4'],
};
const topicFor = (codec: Codec) => `legacy-${codec}`;

function messagesOf(apiVersion: number[], codec: Codec): TestMessage[] {
  const tag = `${apiVersion.join('.')}/${codec}`;
  const binary = Buffer.alloc(200);
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 13 + apiVersion.length) & 0xff;
  return [
    { key: Buffer.from(`key ${tag}`), value: Buffer.from(`value ${tag}`) },
    { key: null, value: binary },
    { key: Buffer.from('empty'), value: Buffer.alloc(0) },
    { key: Buffer.from([0xff, 0, 1]), value: Buffer.from(`compressible ${tag} `.repeat(60)) },
  ];
}

let target: InteropTarget;

before(async () => {
  target = await startTarget(CODECS.map(topicFor), 2);
});
after(async () => {
  await target?.close();
});

test('kafka-python with api_version 0.10.1 and 0.9 produces magic 1 / magic 0 message sets with each codec', async () => {
  for (const p of PRODUCERS) {
    for (const codec of p.codecs) {
      const messages = messagesOf(p.apiVersion, codec).map((m) => ({ ...m, partition: p.partition }));
      await kafkaPythonProduce({
        bootstrap: target.bootstrap,
        topic: topicFor(codec),
        messages,
        compression: codec,
        config: { api_version: p.apiVersion },
        timeoutMs: 30_000,
      });
    }
  }
});

test('the broker stores them as magic 2 batches', (t) => {
  if (target.dataDir === undefined) {
    t.skip(`${target.kind} has no inspectable log`);
    return;
  }
  for (const p of PRODUCERS) {
    for (const codec of p.codecs) {
      const dir = join(target.dataDir, `${topicFor(codec)}-${p.partition}`);
      const magics = readdirSync(dir)
        .filter((f) => f.endsWith('.log'))
        .flatMap((f) => splitBatches(readFileSync(join(dir, f))).batches.map((b) => b.magic));
      assert.ok(magics.length > 0, `${dir}: batches`);
      assert.deepEqual([...new Set(magics)], [2], `${dir}: magic`);
    }
  }
});

for (const consumer of Object.keys(READS) as ClientName[]) {
  test(`${consumer} reads the old-format records back byte-exact`, async (t) => {
    if (!target.clients.includes(consumer)) {
      t.skip(`${target.kind} cannot serve ${consumer}`);
      return;
    }
    for (const codec of READS[consumer]) {
      const writers = PRODUCERS.filter((p) => p.codecs.includes(codec));
      const got = await CONSUMERS[consumer]({ bootstrap: target.bootstrap, topic: topicFor(codec), count: writers.length * 4, timeoutMs: 40_000 });
      for (const p of writers) {
        const mine = got.filter((m) => m.partition === p.partition).sort((a, b) => (a.offset < b.offset ? -1 : 1));
        assert.deepEqual(
          mine.map((m) => ({ key: m.key, value: m.value, headers: m.headers })),
          messagesOf(p.apiVersion, codec).map((m) => ({ key: m.key, value: m.value, headers: [] })),
          `kafka-python ${p.apiVersion.join('.')} --${codec}--> ${consumer}`,
        );
        assert.deepEqual(mine.map((m) => m.offset), [0n, 1n, 2n, 3n]);
      }
    }
  });
}
