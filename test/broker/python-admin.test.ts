// confluent-kafka-python and kafka-python admin clients and confluent's idempotent producer against Gregor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGregor, type GregorBroker } from '../helpers/broker.js';
import { confluentProduce, kafkaPythonProduce, kcatConsume, runSystemPython } from '../helpers/real-clients.js';

let broker: GregorBroker;
before(async () => {
  broker = await startGregor({ env: { GREGOR_LOG_LEVEL: 'warn' }, overrides: { 'log.retention.hours': '24' } });
});
after(async () => {
  await broker?.close();
});

const CONFLUENT_ADMIN = `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource
req = json.load(sys.stdin)
a = AdminClient({'bootstrap.servers': req['bootstrap']})
out = {}
fs = a.create_topics([NewTopic('py-admin', num_partitions=3, replication_factor=1, config={'retention.ms': '3600000'}),
                      NewTopic('py-bad', num_partitions=1, replication_factor=3)], operation_timeout=10)
res = {}
for t, f in fs.items():
    try:
        f.result(); res[t] = 'ok'
    except Exception as e:
        res[t] = e.args[0].name()
out['create'] = res
md = a.list_topics(timeout=10)
out['partitions'] = len(md.topics['py-admin'].partitions)
r = ConfigResource('topic', 'py-admin')
cfg = a.describe_configs([r])[r].result()
out['retention'] = [cfg['retention.ms'].value, cfg['retention.ms'].source]
out['segment'] = [cfg['segment.bytes'].value, cfg['segment.bytes'].source, cfg['segment.bytes'].is_default]
b = ConfigResource('broker', '0')
bcfg = a.describe_configs([b])[b].result()
out['broker_retention_hours'] = bcfg['log.retention.hours'].value
r2 = ConfigResource('topic', 'py-admin', set_config={'retention.ms': '7200000'})
a.alter_configs([r2])[r2].result()
cfg = a.describe_configs([r])[r].result()
out['retention_after'] = cfg['retention.ms'].value
a.delete_topics(['py-admin'], operation_timeout=10)['py-admin'].result()
out['after_delete'] = 'py-admin' in a.list_topics(timeout=10).topics
print(json.dumps(out))
`;

test('confluent-kafka-python admin: create (and refused RF), describe/alter configs, delete', async () => {
  const r = await runSystemPython<Record<string, unknown>>(CONFLUENT_ADMIN, { bootstrap: broker.bootstrap });
  assert.deepEqual(r.create, { 'py-admin': 'ok', 'py-bad': 'INVALID_REPLICATION_FACTOR' });
  assert.equal(r.partitions, 3);
  assert.deepEqual(r.retention, ['3600000', 1]); // DYNAMIC_TOPIC_CONFIG
  assert.deepEqual(r.segment, ['1073741824', 5, true]); // DEFAULT_CONFIG
  assert.equal(r.broker_retention_hours, '24');
  assert.equal(r.retention_after, '7200000');
  assert.equal(r.after_delete, false);
});

const KAFKA_PYTHON_ADMIN = `
import sys, json
from kafka.admin import KafkaAdminClient, NewTopic, ConfigResource, ConfigResourceType
req = json.load(sys.stdin)
a = KafkaAdminClient(bootstrap_servers=req['bootstrap'])
out = {}
a.create_topics([NewTopic('kp-admin', 2, 1, topic_configs={'cleanup.policy': 'compact'})])
out['topics'] = sorted(t for t in a.list_topics() if not t.startswith('__'))
res = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 'kp-admin')])
entries = {c[0]: c[1] for c in res[0].resources[0][4]}
out['cleanup'] = entries['cleanup.policy']
a.delete_topics(['kp-admin'])
out['after'] = sorted(t for t in a.list_topics() if not t.startswith('__'))
a.close()
print(json.dumps(out))
`;

test('kafka-python admin: create, list, describe configs, delete', async () => {
  const r = await runSystemPython<{ topics: string[]; cleanup: string; after: string[] }>(KAFKA_PYTHON_ADMIN, { bootstrap: broker.bootstrap });
  assert.ok(r.topics.includes('kp-admin'));
  assert.equal(r.cleanup, 'compact');
  assert.ok(!r.after.includes('kp-admin'));
});

test('confluent-kafka-python idempotent producer and kafka-python producer, read back by kcat', async () => {
  const messages = Array.from({ length: 200 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`idempotent-${i}`) }));
  await confluentProduce({ bootstrap: broker.bootstrap, topic: 'idem-py', messages, config: { 'enable.idempotence': true, acks: 'all' }, compression: 'lz4' });
  const got = await kcatConsume({ bootstrap: broker.bootstrap, topic: 'idem-py', count: 200 });
  assert.deepEqual(got.map((m) => m.value!.toString()), messages.map((m) => m.value.toString()));
  await kafkaPythonProduce({ bootstrap: broker.bootstrap, topic: 'kp-prod', messages: messages.slice(0, 10), compression: 'gzip' });
  const got2 = await kcatConsume({ bootstrap: broker.bootstrap, topic: 'kp-prod', count: 10 });
  assert.equal(got2.length, 10);
});
