import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResolvedConfig, parseProperties, loadProperties, camelName, parseBootstrap } from '../../src/client/config.js';
import { ConfigError } from '../../src/client/errors.js';

test('camelCase names derive from dotted names', () => {
  assert.equal(camelName('max.in.flight.requests.per.connection'), 'maxInFlightRequestsPerConnection');
  assert.equal(camelName('acks'), 'acks');
});

test('defaults are the Java client defaults', () => {
  const c = new ResolvedConfig('producer', { bootstrapServers: 'h:1' });
  assert.equal(c.str('acks'), 'all');
  assert.equal(c.int('batch.size'), 16384);
  assert.equal(c.int('buffer.memory'), 33554432);
  assert.equal(c.int('max.block.ms'), 60000);
  assert.equal(c.int('delivery.timeout.ms'), 120000);
  assert.equal(c.bool('enable.idempotence'), true);
  const k = new ResolvedConfig('consumer', {});
  assert.deepEqual(k.list('partition.assignment.strategy'), ['range']);
  assert.equal(k.str('auto.offset.reset'), 'latest');
  assert.equal(k.int('max.poll.records'), 500);
});

test('dotted and camel names are one mapping; strings coerce', () => {
  const c = new ResolvedConfig('producer', { 'linger.ms': '5', batchSize: 100, acks: -1, 'enable.idempotence': 'false', bootstrapServers: ['a:1', 'b:2'] });
  assert.equal(c.int('linger.ms'), 5);
  assert.equal(c.int('batch.size'), 100);
  assert.equal(c.str('acks'), '-1');
  assert.equal(c.bool('enable.idempotence'), false);
  assert.deepEqual(c.list('bootstrap.servers'), ['a:1', 'b:2']);
  assert.throws(() => new ResolvedConfig('producer', { 'linger.ms': 'soon' }), ConfigError);
  assert.throws(() => new ResolvedConfig('producer', { acks: '2' }), ConfigError);
  assert.throws(() => new ResolvedConfig('producer', { compressionType: 'brotli' }), ConfigError);
});

test('the seeds newProducer.properties loads as is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gregor-props-'));
  try {
    const file = join(dir, 'newProducer.properties');
    writeFileSync(
      file,
      `# 指定连接的kafka集群，broker-list
bootstrap.servers=hexo.lvzhiqiang.top:9093,hexo.lvzhiqiang.top:9094
# ack应答级别
acks=-1
retries=3
batch.size=16384
linger.ms=1
buffer.memory=33554432
key.serializer=org.apache.kafka.common.serialization.StringSerializer
value.serializer=org.apache.kafka.common.serialization.StringSerializer
`,
    );
    const props = loadProperties(file);
    const c = new ResolvedConfig('producer', props);
    assert.deepEqual(c.list('bootstrap.servers'), ['hexo.lvzhiqiang.top:9093', 'hexo.lvzhiqiang.top:9094']);
    assert.equal(c.str('acks'), '-1');
    assert.equal(c.int('retries'), 3);
    assert.equal(c.int('linger.ms'), 1);
    assert.equal(c.get('key.serializer'), 'org.apache.kafka.common.serialization.StringSerializer');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('properties syntax: separators, continuation, escapes, comments', () => {
  const p = parseProperties('a = 1\n! c\nb:2\nc 3\nlong=x,\\\n   y\nesc=tab\\there\\u0041\n  sp\\ key=v\n');
  assert.deepEqual(p, { a: '1', b: '2', c: '3', long: 'x,y', esc: 'tab\thereA', 'sp key': 'v' });
});

test('bootstrap parsing', () => {
  assert.deepEqual(parseBootstrap(['localhost:9092', 'h', '[::1]:9093']), [
    { host: 'localhost', port: 9092 },
    { host: 'h', port: 9092 },
    { host: '::1', port: 9093 },
  ]);
  assert.throws(() => parseBootstrap([]), ConfigError);
  assert.throws(() => parseBootstrap(['h:x']), ConfigError);
});

test('Kafka factory: shared settings, role options override', async () => {
  const { Kafka } = await import('../../src/client/index.js');
  const kafka = new Kafka({ bootstrapServers: 'h:1', clientId: 'shared', 'linger.ms': 7 });
  const p = kafka.producer({ clientId: 'mine' });
  assert.equal(p.config.str('client.id'), 'mine');
  assert.equal(p.config.int('linger.ms'), 7);
  const c = kafka.consumer({ groupId: 'g' });
  assert.equal(c.config.str('client.id'), 'shared');
  assert.equal(c.config.str('group.id'), 'g');
  await p.close();
  await c.close();
  await kafka.admin().close();
});
