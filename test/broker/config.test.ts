import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerConfig, ConfigError, ConfigSource } from '../../src/broker/config/broker-config.js';
import { parseProperties } from '../../src/broker/config/values.js';

test('parses a Kafka server.properties from the seeds, with comments and continuation lines', () => {
  const props = parseProperties(
    '#broker的全局唯一编号\nbroker.id=1\nlisteners=PLAINTEXT://:9093\n! comment\nlog.dirs = /tmp/a,\\\n  /tmp/b\nnum.io.threads: 8\n',
  );
  assert.equal(props.get('broker.id'), '1');
  assert.equal(props.get('listeners'), 'PLAINTEXT://:9093');
  assert.equal(props.get('log.dirs'), '/tmp/a,/tmp/b');
  assert.equal(props.get('num.io.threads'), '8');
});

test('defaults are Kafka defaults; overrides win over the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gregor-cfg-'));
  try {
    const file = join(dir, 'server.properties');
    await writeFile(file, 'broker.id=3\nnum.partitions=2\nlog.retention.hours=1\n');
    const cfg = await BrokerConfig.fromArgs(file, ['num.partitions=4']);
    assert.equal(cfg.brokerId(), 3);
    assert.equal(cfg.int('num.partitions'), 4);
    assert.equal(cfg.int('message.max.bytes'), 1048588);
    assert.equal(cfg.int('socket.request.max.bytes'), 104857600);
    assert.equal(cfg.bool('auto.create.topics.enable'), true);
    assert.equal(cfg.retentionMs(), 3_600_000);
    assert.deepEqual(cfg.topicDefaultRaw('retention.ms'), {
      value: '3600000',
      source: ConfigSource.STATIC_BROKER_CONFIG,
      synonym: 'log.retention.hours',
    });
    assert.equal(cfg.topicDefaultRaw('segment.bytes').value, '1073741824');
    assert.deepEqual(cfg.listeners(), [{ name: 'PLAINTEXT', host: '', port: 9092 }]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('log.retention.ms beats minutes and hours', () => {
  const cfg = new BrokerConfig([
    ['log.retention.hours', '5'],
    ['log.retention.minutes', '7'],
    ['log.retention.ms', '1234'],
  ]);
  assert.equal(cfg.retentionMs(), 1234);
});

test('unknown keys warn, invalid values stop start-up with the key named', () => {
  const cfg = new BrokerConfig([['log.retentiion.ms', '5']]);
  assert.match(cfg.warnings.join('\n'), /log\.retentiion\.ms/);
  assert.throws(() => new BrokerConfig([['num.partitions', 'abc']]), (e: unknown) => e instanceof ConfigError && /num\.partitions/.test(e.message));
  assert.throws(() => new BrokerConfig([['num.partitions', '0']]), /at least 1/);
  assert.throws(() => new BrokerConfig([['auto.create.topics.enable', 'yes']]), /true or false/);
  assert.throws(() => new BrokerConfig([['listeners', 'localhost:9092']]), /listeners/);
  assert.throws(() => new BrokerConfig([['compression.type', 'brotli']]), /compression\.type/);
});

test('dynamic configs validate and only apply to dynamic keys', () => {
  const cfg = new BrokerConfig();
  cfg.setDynamic('log.retention.ms', '1000', false);
  assert.equal(cfg.retentionMs(), 1000);
  assert.equal(cfg.resolve('log.retention.ms').source, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
  assert.throws(() => cfg.setDynamic('broker.id', '5', true), /dynamically/);
  assert.throws(() => cfg.setDynamic('log.retention.ms', 'x', true), /log\.retention\.ms/);
});

test('listeners: KRaft controller listeners are skipped, non-PLAINTEXT protocols refused', () => {
  const cfg = new BrokerConfig([
    ['listeners', 'CONTROLLER://:9093,PLAINTEXT://:9092'],
    ['controller.listener.names', 'CONTROLLER'],
  ]);
  assert.deepEqual(cfg.servedListener(), { name: 'PLAINTEXT', host: '', port: 9092 });
  assert.throws(() => new BrokerConfig([['listeners', 'SSL://:9093']]), /PLAINTEXT listeners only/);
  const custom = new BrokerConfig([['listeners', 'CLIENT://:9092'], ['listener.security.protocol.map', 'CLIENT:PLAINTEXT']]);
  assert.equal(custom.servedListener().name, 'CLIENT');
});

test('a single listener produces no warning', () => {
  assert.deepEqual(new BrokerConfig([['listeners', 'PLAINTEXT://127.0.0.1:9092']]).warnings, []);
});

test('the sample config/server.properties parses without warnings', async () => {
  const cfg = await BrokerConfig.fromArgs(new URL('../../config/server.properties', import.meta.url).pathname, []);
  assert.deepEqual(cfg.warnings, []);
  assert.equal(cfg.int('num.partitions'), 1);
  assert.deepEqual(cfg.logDirs(), ['./data']);
});

test('a Kafka 3.x/4.x server.properties (KRaft keys, ZooKeeper keys) starts without errors', () => {
  const props = parseProperties(`
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@localhost:9093
listeners=PLAINTEXT://:9092,CONTROLLER://:9093
inter.broker.listener.name=PLAINTEXT
advertised.listeners=PLAINTEXT://localhost:9092
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL
num.network.threads=3
num.io.threads=8
log.dirs=/tmp/kraft-combined-logs
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
log.retention.hours=168
log.retention.check.interval.ms=300000
zookeeper.connect=localhost:2181
zookeeper.connection.timeout.ms=18000
`);
  const cfg = new BrokerConfig(props);
  assert.deepEqual(cfg.warnings, []);
  assert.equal(cfg.brokerId(), 1, 'node.id when broker.id is unset');
  assert.equal(cfg.servedListener().port, 9092);
});
