// Exact output of the admin-side tools (byte for byte where Kafka's layout is fixed), against an in-memory cluster.
// The same commands run end to end against Gregor's broker in broker.test.ts.
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setAdminFactory } from '../../src/cli/lib/connect.js';
import { tpKey } from '../../src/cli/lib/cluster.js';
import { FakeCluster } from './fake-cluster.js';
import { withTempDir } from '../helpers/tmp.js';
import { runCli } from './run-cli.js';

let fake: FakeCluster;
let restore: () => void;
const BS = ['--bootstrap-server', 'localhost:9092'];

beforeEach(() => {
  fake = new FakeCluster();
  restore = setAdminFactory(async () => fake);
});
afterEach(() => restore());

test('topics --create prints "Created topic x." and --describe prints Kafka\'s tab-separated lines', async () => {
  let r = await runCli('topics', [...BS, '--create', '--topic', 'test', '--partitions', '3', '--replication-factor', '1', '--config', 'retention.ms=1000']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Created topic test.\n');
  r = await runCli('topics', [...BS, '--describe', '--topic', 'test']);
  assert.equal(r.code, 0, r.stderr);
  const id = fake.topics.get('test')!.info.topicId;
  assert.equal(
    r.stdout,
    `Topic: test\tTopicId: ${id}\tPartitionCount: 3\tReplicationFactor: 1\tConfigs: retention.ms=1000,segment.bytes=1073741824\n` +
      '\tTopic: test\tPartition: 0\tLeader: 0\tReplicas: 0\tIsr: 0\n' +
      '\tTopic: test\tPartition: 1\tLeader: 0\tReplicas: 0\tIsr: 0\n' +
      '\tTopic: test\tPartition: 2\tLeader: 0\tReplicas: 0\tIsr: 0\n',
  );
  assert.equal(fake.closed, 2, 'admin client closed after each command');
});

test('topics: existing topic, --if-not-exists, unknown topic, replication factor above the brokers', async () => {
  fake.addTopic('test', 1);
  let r = await runCli('topics', [...BS, '--create', '--topic', 'test']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "Error while executing topic command : Topic 'test' already exists.\n");
  r = await runCli('topics', [...BS, '--create', '--topic', 'test', '--if-not-exists']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  r = await runCli('topics', [...BS, '--describe', '--topic', 'nope']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "Error while executing topic command : Topic 'nope' does not exist as expected\n");
  r = await runCli('topics', [...BS, '--delete', '--topic', 'nope']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Topic 'nope' does not exist as expected/);
  // Seed 000 warns: the replication factor cannot exceed the live brokers.
  r = await runCli('topics', [...BS, '--create', '--replication-factor', '2', '--partitions', '2', '--topic', 'test2']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'Error while executing topic command : Replication factor: 2 larger than available brokers: 1.\n');
});

test('topics --list (with and without internal topics), --alter, --delete, regex --topic', async () => {
  fake.addTopic('b', 1);
  fake.addTopic('a', 1);
  fake.addTopic('__consumer_offsets', 50);
  let r = await runCli('topics', [...BS, '--list']);
  assert.equal(r.stdout, '__consumer_offsets\na\nb\n');
  r = await runCli('topics', [...BS, '--list', '--exclude-internal']);
  assert.equal(r.stdout, 'a\nb\n');
  r = await runCli('topics', [...BS, '--list', '--topic', 'a|b']);
  assert.equal(r.stdout, 'a\nb\n');
  r = await runCli('topics', [...BS, '--alter', '--topic', 'a', '--partitions', '3']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(fake.topics.get('a')!.info.partitions.length, 3);
  r = await runCli('topics', [...BS, '--alter', '--topic', 'a', '--partitions', '2']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'Error while executing topic command : Topic currently has 3 partitions, which is higher than the requested 2.\n');
  r = await runCli('topics', [...BS, '--delete', '--topic', 'b']);
  assert.equal(r.code, 0);
  assert.ok(!fake.topics.has('b'));
});

test('topics --describe --under-replicated-partitions / --unavailable-partitions show only matching partitions', async () => {
  fake.brokers.push({ id: 1, host: 'localhost', port: 9093, rack: null });
  fake.addTopic('t', 2, 2);
  fake.topics.get('t')!.info.partitions[1]!.isr = [0];
  fake.topics.get('t')!.info.partitions[0]!.leader = -1;
  let r = await runCli('topics', [...BS, '--describe', '--under-replicated-partitions']);
  assert.equal(r.stdout, '\tTopic: t\tPartition: 1\tLeader: 0\tReplicas: 0,1\tIsr: 0\n');
  r = await runCli('topics', [...BS, '--describe', '--unavailable-partitions']);
  assert.equal(r.stdout, '\tTopic: t\tPartition: 0\tLeader: none\tReplicas: 0,1\tIsr: 0,1\n');
});

test('seed 001: kafka-topics.sh --new-consumer ... --list is forwarded to kafka-consumer-groups.sh', async () => {
  fake.groups.set('g1', { groupId: 'g1', state: 'Empty', protocolType: 'consumer', protocol: '', coordinator: fake.brokers[0]!, members: [] });
  const r = await runCli('topics', ['--new-consumer', ...BS, '--list']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'g1\n');
  assert.match(r.stderr, /kafka-consumer-groups\.sh/);
});

function stableGroup(): void {
  fake.addTopic('test', 2, 1, [10, 7]);
  fake.groups.set('my-group', {
    groupId: 'my-group',
    state: 'Stable',
    protocolType: 'consumer',
    protocol: 'range',
    coordinator: fake.brokers[0]!,
    members: [{ memberId: 'consumer-1-abc', groupInstanceId: null, clientId: 'consumer-1', host: '/127.0.0.1', assignment: [{ topic: 'test', partition: 0 }, { topic: 'test', partition: 1 }] }],
  });
  fake.offsets.set('my-group', new Map([[tpKey('test', 0), 4], [tpKey('test', 1), 7]]));
}

test('consumer-groups --describe: Kafka\'s columns, lag = log end - committed', async () => {
  stableGroup();
  const r = await runCli('consumer-groups', [...BS, '--describe', '--group', 'my-group']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout,
    '\n' +
      'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n' +
      'my-group        test            0          4               10              6               consumer-1-abc  /127.0.0.1      consumer-1\n' +
      'my-group        test            1          7               7               0               consumer-1-abc  /127.0.0.1      consumer-1\n',
  );
});

test('consumer-groups --describe --members [--verbose] and --state', async () => {
  stableGroup();
  let r = await runCli('consumer-groups', [...BS, '--describe', '--group', 'my-group', '--members', '--verbose']);
  assert.equal(
    r.stdout,
    '\nGROUP           CONSUMER-ID     HOST            CLIENT-ID       #PARTITIONS     ASSIGNMENT\n' +
      'my-group        consumer-1-abc  /127.0.0.1      consumer-1      2               test(0,1)\n',
  );
  r = await runCli('consumer-groups', [...BS, '--describe', '--group', 'my-group', '--state']);
  assert.equal(
    r.stdout,
    '\nGROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS\n' +
      'my-group                  localhost:9092  (0)       range                Stable          1\n',
  );
});

test('consumer-groups: unknown group, empty group, list and delete', async () => {
  let r = await runCli('consumer-groups', [...BS, '--describe', '--group', 'nope']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "\nError: Consumer group 'nope' does not exist.\n");
  fake.addTopic('test', 1, 1, [5]);
  fake.groups.set('idle', { groupId: 'idle', state: 'Empty', protocolType: 'consumer', protocol: '', coordinator: fake.brokers[0]!, members: [] });
  fake.offsets.set('idle', new Map([[tpKey('test', 0), 2]]));
  r = await runCli('consumer-groups', [...BS, '--describe', '--group', 'idle']);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "\nConsumer group 'idle' has no active members.\n");
  assert.match(r.stdout, /\nidle\s+test\s+0\s+2\s+5\s+3\s+-\s+-\s+-\n$/);
  r = await runCli('consumer-groups', [...BS, '--list']);
  assert.equal(r.stdout, 'idle\n');
  r = await runCli('consumer-groups', [...BS, '--list', '--state']);
  assert.match(r.stdout, /^GROUP\s+STATE\s+\nidle\s+Empty\s+\n$/);
  r = await runCli('consumer-groups', [...BS, '--delete', '--group', 'idle']);
  assert.equal(r.stdout, "Deletion of requested consumer groups ('idle') was successful.\n");
});

test('consumer-groups --reset-offsets: dry run by default, --execute applies, scenarios and active-group refusal', async () => {
  fake.addTopic('test', 2, 1, [10, 20]);
  fake.groups.set('g', { groupId: 'g', state: 'Empty', protocolType: 'consumer', protocol: '', coordinator: fake.brokers[0]!, members: [] });
  fake.offsets.set('g', new Map([[tpKey('test', 0), 5], [tpKey('test', 1), 5]]));
  let r = await runCli('consumer-groups', [...BS, '--reset-offsets', '--group', 'g', '--topic', 'test', '--to-earliest']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /WARN: No action will be performed as the --execute option is missing/);
  assert.equal(
    r.stdout,
    '\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET     \n' +
      'g                              test                           0          0              \n' +
      'g                              test                           1          0              \n',
  );
  assert.equal(fake.altered.length, 0);
  r = await runCli('consumer-groups', [...BS, '--reset-offsets', '--group', 'g', '--all-topics', '--shift-by', '-2', '--execute']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(fake.altered.at(-1)!.offsets, [{ topic: 'test', partition: 0, offset: 3 }, { topic: 'test', partition: 1, offset: 3 }]);
  r = await runCli('consumer-groups', [...BS, '--reset-offsets', '--group', 'g', '--topic', 'test:1', '--to-offset', '99', '--execute']);
  assert.match(r.stderr, /New offset \(99\) is higher than latest offset for topic partition test-1\. Value will be set to 20/);
  assert.deepEqual(fake.altered.at(-1)!.offsets, [{ topic: 'test', partition: 1, offset: 20 }]);
  r = await runCli('consumer-groups', [...BS, '--reset-offsets', '--group', 'g', '--topic', 'test', '--to-latest', '--dry-run', '--export']);
  assert.equal(r.stdout, 'test,0,10\ntest,1,20\n');
  fake.topics.get('test')!.logs[0]!.times = [[1000, 0], [2000, 4]];
  fake.topics.get('test')!.logs[1]!.times = [[1500, 0]];
  r = await runCli('consumer-groups', [...BS, '--reset-offsets', '--group', 'g', '--topic', 'test', '--to-datetime', '1970-01-01T00:00:01.800Z', '--dry-run', '--export']);
  assert.equal(r.stdout, '\nWarn: Partition 1 from topic test is empty. Falling back to latest known offset.\ntest,0,4\ntest,1,20\n');
  r = await runCli('consumer-groups', [...BS, '--reset-offsets', '--group', 'g', '--topic', 'test', '--by-duration', 'PT1H', '--dry-run', '--export']);
  assert.equal(r.code, 0, r.stderr);
  fake.groups.get('g')!.state = 'Stable';
  r = await runCli('consumer-groups', [...BS, '--reset-offsets', '--group', 'g', '--topic', 'test', '--to-earliest', '--execute']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Error: Assignments can only be reset if the group 'g' is inactive, but the current state is Stable\./);
});

test('configs --describe/--alter for topics', async () => {
  fake.addTopic('test', 1);
  let r = await runCli('configs', [...BS, '--entity-type', 'topics', '--entity-name', 'test', '--alter', '--add-config', 'retention.ms=1000,cleanup.policy=[compact,delete]']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Completed updating config for topic test.\n');
  r = await runCli('configs', [...BS, '--entity-type', 'topics', '--entity-name', 'test', '--describe']);
  assert.equal(
    r.stdout,
    'Dynamic configs for topic test are:\n' +
      '  cleanup.policy=compact,delete sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:cleanup.policy=compact,delete}\n' +
      '  retention.ms=1000 sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=1000}\n',
  );
  r = await runCli('configs', [...BS, '--topic', 'test', '--alter', '--delete-config', 'retention.ms']);
  assert.equal(r.code, 0, r.stderr);
  r = await runCli('configs', [...BS, '--entity-type', 'topics', '--entity-name', 'test', '--alter', '--delete-config', 'nope']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'Invalid config(s): nope\n');
  r = await runCli('configs', [...BS, '--entity-type', 'brokers', '--entity-name', '0', '--describe', '--all']);
  assert.match(r.stdout, /^All configs for broker 0 are:\n {2}log\.retention\.hours=168 sensitive=false synonyms=\{\}\n$/);
});

test('get-offsets, delete-records and broker-api-versions output', async () => {
  fake.addTopic('test', 2, 1, [10, 3]);
  let r = await runCli('get-offsets', [...BS, '--topic', 'test']);
  assert.equal(r.stdout, 'test:0:10\ntest:1:3\n');
  r = await runCli('get-offsets', [...BS, '--topic-partitions', 'test:1', '--time', '-2']);
  assert.equal(r.stdout, 'test:1:0\n');
  r = await runCli('get-offsets', [...BS, '--topic', 'nope']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Could not match any topic-partitions with the specified filters/);

  r = await withTempDir(async (dir) => {
    const file = join(dir, 'offsets.json');
    writeFileSync(file, JSON.stringify({ partitions: [{ topic: 'test', partition: 0, offset: 4 }, { topic: 'test', partition: 1, offset: 9 }], version: 1 }));
    return runCli('delete-records', [...BS, '--offset-json-file', file]);
  });
  assert.equal(
    r.stdout,
    'Executing records delete operation\nRecords delete operation completed:\n' +
      'partition: test-0\tlow_watermark: 4\n' +
      'partition: test-1\terror: The requested offset is not within the range of offsets maintained by the server.\n',
  );
  assert.equal(r.code, 1);

  r = await runCli('broker-api-versions', BS);
  assert.equal(r.code, 0);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'localhost:9092 (id: 0 rack: null) -> (');
  assert.equal(lines[1], '\tProduce(0): 0 to 9 [usable: 9],');
  assert.ok(lines.includes('\tFetch(1): UNSUPPORTED,'));
  assert.ok(lines.includes('\tApiVersions(18): 0 to 3 [usable: 3],'));
  assert.ok(lines.includes('\tUNKNOWN(1000): 0'));
  assert.equal(lines.at(-2), ')');
});
