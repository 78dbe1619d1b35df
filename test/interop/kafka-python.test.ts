// kafka-python 2.0.2 (pure Python, its own protocol code and version probing) through /usr/bin/python3:
// producer with acks=all, group consumer with commits, KafkaAdminClient topics / configs / groups.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { kafkaPythonConsume, kafkaPythonProduce, runSystemPython } from '../helpers/real-clients.js';
import { startTarget, type InteropTarget } from './target.js';

let target: InteropTarget;

before(async () => {
  target = await startTarget(['kp-data'], 2);
});
after(async () => {
  await target?.close();
});

test('producer (acks=all) and group consumer with commits; admin sees the committed offsets', async () => {
  const messages = Array.from({ length: 50 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), partition: i % 2 }));
  await kafkaPythonProduce({ bootstrap: target.bootstrap, topic: 'kp-data', messages, config: { acks: 'all' }, timeoutMs: 30_000 });
  const got = await kafkaPythonConsume({
    bootstrap: target.bootstrap,
    topic: 'kp-data',
    groupId: 'kp-group',
    count: 50,
    config: { session_timeout_ms: 6000, heartbeat_interval_ms: 500 },
    timeoutMs: 40_000,
  });
  assert.deepEqual(got.map((m) => m.value?.toString()).sort(), messages.map((m) => m.value.toString()).sort());
  const offsets = await runSystemPython<{ offsets: Record<string, number> }>(
    `
import sys, json
from kafka.admin import KafkaAdminClient
req = json.load(sys.stdin)
a = KafkaAdminClient(bootstrap_servers=req['bootstrap'])
res = a.list_consumer_group_offsets('kp-group')
print(json.dumps({'offsets': {'%s-%d' % (tp.topic, tp.partition): om.offset for tp, om in res.items()}}))
a.close()
`,
    { bootstrap: target.bootstrap },
    30_000,
  );
  assert.deepEqual(offsets.offsets, { 'kp-data-0': 25, 'kp-data-1': 25 });
});

interface AdminResult {
  created: string | null;
  duplicate: string | null;
  listed: boolean;
  configs: Record<string, string | null>;
  deleted: string | null;
  listedAfterDelete: boolean;
}

test('KafkaAdminClient: create_topics, list_topics, describe_configs, delete_topics', async () => {
  const r = await runSystemPython<AdminResult>(
    `
import sys, json, time
from kafka.admin import KafkaAdminClient, NewTopic, ConfigResource, ConfigResourceType
req = json.load(sys.stdin)
a = KafkaAdminClient(bootstrap_servers=req['bootstrap'], request_timeout_ms=20000)
out = {}
def attempt(fn):
    try:
        fn(); return None
    except Exception as e:
        return type(e).__name__
out['created'] = attempt(lambda: a.create_topics([NewTopic('kp-admin', 3, 1, topic_configs={'retention.ms': '7654321'})]))
out['duplicate'] = attempt(lambda: a.create_topics([NewTopic('kp-admin', 1, 1)]))
out['listed'] = 'kp-admin' in a.list_topics()
resp = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 'kp-admin')])
entries = resp[0].resources[0][4]
out['configs'] = {e[0]: e[1] for e in entries}
out['deleted'] = attempt(lambda: a.delete_topics(['kp-admin']))
listed = True
for _ in range(50):
    listed = 'kp-admin' in a.list_topics()
    if not listed: break
    time.sleep(0.1)
out['listedAfterDelete'] = listed
a.close()
print(json.dumps(out))
`,
    { bootstrap: target.bootstrap },
    60_000,
  );
  assert.equal(r.created, null);
  assert.equal(r.duplicate, 'TopicAlreadyExistsError');
  assert.equal(r.listed, true);
  assert.equal(r.configs['retention.ms'], '7654321');
  assert.equal(r.configs['cleanup.policy'], 'delete');
  assert.equal(r.deleted, null);
  assert.equal(r.listedAfterDelete, false);
});
