// confluent-kafka-python 1.7 (librdkafka 2.0.2) through Debian's /usr/bin/python3: idempotent producer,
// consumer group with commits, and AdminClient create (incl. validate_only) / describe configs / delete.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { confluentConsume, confluentProduce, runSystemPython } from '../helpers/real-clients.js';
import { startTarget, type InteropTarget } from './target.js';

let target: InteropTarget;

before(async () => {
  target = await startTarget(['cf-idempotent', 'cf-group'], 2);
});
after(async () => {
  await target?.close();
});

test('idempotent producer (enable.idempotence) writes each record exactly once, in order', async () => {
  const messages = Array.from({ length: 300 }, (_, i) => ({ key: Buffer.from(`k${i % 7}`), value: Buffer.from(`v${i}`), partition: i % 2 }));
  await confluentProduce({
    bootstrap: target.bootstrap,
    topic: 'cf-idempotent',
    messages,
    config: { 'enable.idempotence': true, acks: 'all', 'linger.ms': 5 },
    timeoutMs: 30_000,
  });
  const got = await confluentConsume({ bootstrap: target.bootstrap, topic: 'cf-idempotent', count: 300, timeoutMs: 30_000 });
  for (const p of [0, 1]) {
    const inP = got.filter((m) => m.partition === p).sort((a, b) => (a.offset < b.offset ? -1 : 1));
    assert.deepEqual(
      inP.map((m) => m.value?.toString()),
      messages.filter((m) => m.partition === p).map((m) => m.value.toString()),
    );
    assert.deepEqual(inP.map((m) => m.offset), inP.map((_, i) => BigInt(i)));
  }
});

test('a consumer group commits offsets and a second member of the group resumes after them', async () => {
  const first = Array.from({ length: 10 }, (_, i) => ({ key: null, value: Buffer.from(`first-${i}`), partition: 0 }));
  const second = Array.from({ length: 5 }, (_, i) => ({ key: null, value: Buffer.from(`second-${i}`), partition: 0 }));
  await confluentProduce({ bootstrap: target.bootstrap, topic: 'cf-group', messages: first, timeoutMs: 20_000 });
  // A short session timeout bounds the wait should the broker only notice the first member leaving by expiry.
  const config = { 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500 };
  const a = await confluentConsume({ bootstrap: target.bootstrap, topic: 'cf-group', groupId: 'cf-g1', count: 10, config, timeoutMs: 30_000 });
  assert.deepEqual(a.map((m) => m.value?.toString()), first.map((m) => m.value.toString()));
  await confluentProduce({ bootstrap: target.bootstrap, topic: 'cf-group', messages: second, timeoutMs: 20_000 });
  const b = await confluentConsume({ bootstrap: target.bootstrap, topic: 'cf-group', groupId: 'cf-g1', count: 5, config, timeoutMs: 30_000 });
  assert.deepEqual(b.map((m) => m.value?.toString()), second.map((m) => m.value.toString()));
});

const ADMIN = `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource
req = json.load(sys.stdin)
a = AdminClient({'bootstrap.servers': req['bootstrap']})
out = {}
def wait(futs):
    res = {}
    for k, f in futs.items():
        try:
            f.result(timeout=20); res[str(k)] = None
        except Exception as e:
            res[str(k)] = str(e)
    return res
out['validate_only'] = wait(a.create_topics([NewTopic('cf-admin-dry', 4, 1)], validate_only=True))
out['after_validate_only'] = 'cf-admin-dry' in a.list_topics(timeout=20).topics
out['create'] = wait(a.create_topics([NewTopic('cf-admin', 3, 1, config={'retention.ms': '123456'})]))
md = a.list_topics(timeout=20)
out['partitions'] = len(md.topics['cf-admin'].partitions) if 'cf-admin' in md.topics else -1
out['duplicate'] = wait(a.create_topics([NewTopic('cf-admin', 1, 1)]))
res = ConfigResource(ConfigResource.Type.TOPIC, 'cf-admin')
cfg = list(a.describe_configs([res]).values())[0].result(timeout=20)
out['configs'] = {k: {'value': v.value, 'source': v.source, 'is_default': v.is_default} for k, v in cfg.items()}
out['delete'] = wait(a.delete_topics(['cf-admin']))
import time
gone = False
for _ in range(50):
    if 'cf-admin' not in a.list_topics(timeout=20).topics:
        gone = True; break
    time.sleep(0.1)
out['gone'] = gone
print(json.dumps(out))
`;

interface AdminResult {
  validate_only: Record<string, string | null>;
  after_validate_only: boolean;
  create: Record<string, string | null>;
  partitions: number;
  duplicate: Record<string, string | null>;
  configs: Record<string, { value: string | null; source: number; is_default: boolean }>;
  delete: Record<string, string | null>;
  gone: boolean;
}

test('AdminClient: create_topics (validate_only and real), describe_configs, delete_topics', async () => {
  const r = await runSystemPython<AdminResult>(ADMIN, { bootstrap: target.bootstrap }, 60_000);
  assert.deepEqual(r.validate_only, { 'cf-admin-dry': null });
  assert.equal(r.after_validate_only, false, 'validate_only must not create the topic');
  assert.deepEqual(r.create, { 'cf-admin': null });
  assert.equal(r.partitions, 3);
  assert.match(r.duplicate['cf-admin'] ?? '', /TOPIC_ALREADY_EXISTS|already exists/i);
  assert.equal(r.configs['retention.ms']?.value, '123456');
  assert.equal(r.configs['retention.ms']?.source, 1, 'DYNAMIC_TOPIC_CONFIG');
  assert.equal(r.configs['cleanup.policy']?.value, 'delete');
  assert.equal(r.configs['cleanup.policy']?.is_default, true);
  assert.deepEqual(r.delete, { 'cf-admin': null });
  assert.equal(r.gone, true);
});
