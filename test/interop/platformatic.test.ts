// @platformatic/kafka (targets Kafka 3.5+, flexible protocol versions throughout): admin topics and configs,
// producer and group consumer. Needs Gregor: librdkafka 2.0.2's mock lacks ApiVersions v3.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Admin, ConfigResourceTypes } from '@platformatic/kafka';
import { platformaticConsume, platformaticProduce } from '../helpers/real-clients.js';
import { withTimeout } from '../helpers/process.js';
import { startTarget, type InteropTarget } from './target.js';

let target: InteropTarget;

before(async () => {
  target = await startTarget(['pf-data'], 2);
});
after(async () => {
  await target?.close();
});

function skipOnMock(t: { skip(msg: string): void }): boolean {
  if (target.clients.includes('platformatic')) return false;
  t.skip(`${target.kind} cannot serve @platformatic/kafka`);
  return true;
}

test('admin: createTopics with configs, metadata, describeConfigs, deleteTopics', async (t) => {
  if (skipOnMock(t)) return;
  const admin = new Admin({ clientId: 'gregor-interop-pf', bootstrapBrokers: [target.bootstrap] });
  try {
    const created = await withTimeout(
      admin.createTopics({ topics: ['pf-admin'], partitions: 3, replicas: 1, configs: [{ name: 'retention.ms', value: '3600000' }] }),
      20_000,
      'createTopics',
    );
    assert.equal(created[0]?.name, 'pf-admin');
    assert.equal(created[0]?.partitions, 3);
    assert.match(created[0]?.id ?? '', /^[0-9a-f-]{36}$|^[A-Za-z0-9_-]{22}$/, 'topic id');
    await assert.rejects(admin.createTopics({ topics: ['pf-admin'], partitions: 1, replicas: 1 }));
    const md = await admin.metadata({ topics: ['pf-admin'] });
    assert.equal(md.topics.get('pf-admin')?.partitionsCount, 3);
    const described = await admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: 'pf-admin', configurationKeys: ['retention.ms', 'cleanup.policy'] }],
    });
    const byName = Object.fromEntries(described[0]!.configs.map((c) => [c.name, c.value]));
    assert.deepEqual(byName, { 'retention.ms': '3600000', 'cleanup.policy': 'delete' });
    await admin.deleteTopics({ topics: ['pf-admin'] });
    const after = await admin.listTopics();
    assert.equal(after.includes('pf-admin'), false);
  } finally {
    await new Promise<void>((resolve) => admin.close(() => resolve()));
  }
});

test('producer and group consumer round-trip keys, values and headers', async (t) => {
  if (skipOnMock(t)) return;
  const messages = Array.from({ length: 20 }, (_, i) => ({
    key: Buffer.from(`k${i}`),
    value: Buffer.from(`v${i}`),
    headers: [{ key: 'n', value: Buffer.from(String(i)) }],
    partition: i % 2,
  }));
  await platformaticProduce({ bootstrap: target.bootstrap, topic: 'pf-data', messages, compression: 'lz4', timeoutMs: 20_000 });
  const got = await platformaticConsume({ bootstrap: target.bootstrap, topic: 'pf-data', count: 20, timeoutMs: 30_000 });
  const seen = got
    .map((m) => `${m.partition}:${m.key?.toString()}=${m.value?.toString()};${m.headers.map((h) => `${h.key}=${h.value?.toString()}`).join(',')}`)
    .sort();
  const want = messages.map((m) => `${m.partition}:${m.key.toString()}=${m.value.toString()};n=${m.headers[0]!.value.toString()}`).sort();
  assert.deepEqual(seen, want);
});
