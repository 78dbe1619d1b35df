// Every kafka-* tool end to end against Gregor's broker: the seeds' command lines (with --bootstrap-server), error
// cases, and consumer-groups --describe lag matching what was produced and committed. A few commands run as child
// processes (exactly as a user types them), the rest in-process to keep the suite fast.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startGregor, type GregorBroker } from '../helpers/broker.js';
import { REPO_ROOT } from '../helpers/build-cache.js';
import { once } from 'node:events';
import { runProcess, spawnTracked, stopProcess, withTimeout } from '../helpers/process.js';
import { makeTempDir } from '../helpers/tmp.js';
import { runCli } from './run-cli.js';
import { partitionForKey } from '../../src/client/murmur2.js';

const MAIN = join(REPO_ROOT, 'src', 'cli', 'main.ts');
let broker: GregorBroker;
let bs: string[];

before(async () => {
  broker = await startGregor({ overrides: { 'num.partitions': '1', 'offsets.topic.num.partitions': '3', 'group.initial.rebalance.delay.ms': '0' } });
  bs = ['--bootstrap-server', broker.bootstrap];
});
after(async () => {
  await broker?.close();
});

async function cli(argv: string[], stdin?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const r = await runProcess(process.execPath, ['--import', 'tsx', MAIN, ...argv], { stdin, timeoutMs: 60_000 });
  return { code: r.code, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

test('seed 000 command lines with --bootstrap-server (child processes)', async () => {
  // "副本数不能大于当前可用broker数量": a replication factor above the live brokers is refused with Kafka's message.
  let r = await cli(['topics', ...bs, '--create', '--replication-factor', '2', '--partitions', '2', '--topic', 'test']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'Error while executing topic command : Replication factor: 2 larger than available brokers: 1.\n');
  r = await cli(['topics', ...bs, '--create', '--replication-factor', '1', '--partitions', '2', '--topic', 'test']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.equal(r.stdout, 'Created topic test.\n');
  r = await cli(['topics', ...bs, '--list']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.split('\n').includes('test'), r.stdout);
  r = await cli(['topics', ...bs, '--describe', '--topic', 'test']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^Topic: test\tTopicId: [A-Za-z0-9_-]{22}\tPartitionCount: 2\tReplicationFactor: 1\tConfigs: /);
  assert.match(lines[1]!, /^\tTopic: test\tPartition: 0\tLeader: \d+\tReplicas: \d+\tIsr: \d+$/);
  assert.match(lines[2]!, /^\tTopic: test\tPartition: 1\t/);
  r = await cli(['topics', ...bs, '--alter', '--topic', 'test', '--partitions', '3']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  r = await cli(['console-producer', '--broker-list', broker.bootstrap, '--topic', 'test'], 'hello\nworld\n');
  assert.equal(r.code, 0, r.stderr);
  r = await cli(['console-consumer', ...bs, '--topic', 'test', '--from-beginning', '--max-messages', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n').sort(), ['hello', 'world']);
  assert.match(r.stderr, /Processed a total of 2 messages/);
  r = await cli(['topics', ...bs, '--delete', '--topic', 'test']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  r = await cli(['topics', ...bs, '--describe', '--topic', 'test']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "Error while executing topic command : Topic 'test' does not exist as expected\n");
});

test('seed 001/002 lines: 8 partitions, alter to 16, existing topic, --if-not-exists', async () => {
  let r = await runCli('topics', [...bs, '--create', '--topic', 'my-topic', '--replication-factor', '1', '--partitions', '8']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await runCli('topics', [...bs, '--create', '--topic', 'my-topic', '--replication-factor', '1', '--partitions', '8']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "Error while executing topic command : Topic 'my-topic' already exists.\n");
  r = await runCli('topics', [...bs, '--create', '--topic', 'my-topic', '--if-not-exists']);
  assert.equal(r.code, 0);
  r = await runCli('topics', [...bs, '--alter', '--topic', 'my-topic', '--partitions', '16']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await runCli('topics', [...bs, '--describe', '--topic', 'my-topic']);
  assert.match(r.stdout, /PartitionCount: 16\t/);
  assert.equal(r.stdout.trim().split('\n').length, 17);
  r = await runCli('topics', [...bs, '--alter', '--topic', 'my-topic', '--partitions', '4']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^Error while executing topic command : /);
});

test('consumer-groups --describe: lag matches what was produced and committed', async () => {
  let r = await runCli('topics', [...bs, '--create', '--topic', 'lagged', '--partitions', '2', '--replication-factor', '1']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // 10 records to partition 0 and 6 to partition 1 (keys pin the partitions through --property parse.key).
  const keyFor = (p: number): string => {
    for (let i = 0; ; i++) if (partitionForKey(Buffer.from(`k${i}`), 2) === p) return `k${i}`;
  };
  const input = [...Array.from({ length: 10 }, (_, i) => `${keyFor(0)}\tp0-${i}`), ...Array.from({ length: 6 }, (_, i) => `${keyFor(1)}\tp1-${i}`)];
  r = await runCli('console-producer', [...bs, '--topic', 'lagged', '--property', 'parse.key=true'], input.join('\n') + '\n');
  assert.equal(r.code, 0, r.stderr);
  const ends = await runCli('get-offsets', [...bs, '--topic', 'lagged']);
  const leo = new Map(ends.stdout.trim().split('\n').map((l) => [Number(l.split(':')[1]), Number(l.split(':')[2])] as [number, number]));
  assert.deepEqual([leo.get(0), leo.get(1)], [10, 6]);
  // Consume 5 records in group g1 (auto-commit on close), leaving the rest as lag.
  r = await runCli('console-consumer', [...bs, '--topic', 'lagged', '--group', 'g1', '--from-beginning', '--max-messages', '5']);
  assert.equal(r.code, 0, r.stderr);
  r = await runCli('consumer-groups', [...bs, '--describe', '--group', 'g1']);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stderr, /Consumer group 'g1' has no active members\./);
  const rows = r.stdout.split('\n').filter((l) => l.startsWith('g1 '));
  const header = r.stdout.split('\n')[1]!;
  assert.match(header, /^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID$/);
  let committedTotal = 0;
  for (const row of rows) {
    const [group, topic, partition, current, end, lag, consumer, host, client] = row.trim().split(/\s+/);
    assert.equal(group, 'g1');
    assert.equal(topic, 'lagged');
    assert.equal(Number(end), leo.get(Number(partition)));
    assert.equal(Number(lag), Number(end) - Number(current));
    assert.deepEqual([consumer, host, client], ['-', '-', '-']);
    committedTotal += Number(current);
  }
  assert.equal(committedTotal, 5, 'committed offsets add up to the 5 records consumed');
  // Reset to earliest and check the lag becomes the whole log.
  r = await runCli('consumer-groups', [...bs, '--reset-offsets', '--group', 'g1', '--all-topics', '--to-earliest', '--execute']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await runCli('consumer-groups', [...bs, '--describe', '--group', 'g1', '--offsets']);
  const lags = r.stdout.split('\n').filter((l) => l.startsWith('g1 ')).map((l) => Number(l.trim().split(/\s+/)[5]));
  assert.equal(lags.reduce((a, b) => a + b, 0), 16);
  // Time-based resets go through ListOffsets by timestamp: a day ago -> the first offsets; the future -> the end.
  r = await runCli('consumer-groups', [...bs, '--reset-offsets', '--group', 'g1', '--topic', 'lagged', '--by-duration', 'P1D', '--dry-run', '--export']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  // (an empty partition has no offset for any timestamp: Kafka warns and falls back to its end, 0)
  const csv = r.stdout.trim().split('\n').filter((l) => l && !l.startsWith('Warn: '));
  assert.deepEqual(csv.sort(), ['lagged,0,0', 'lagged,1,0']);
  for (const [p, end] of leo) if (end === 0) assert.match(r.stdout, new RegExp(`Warn: Partition ${p} from topic lagged is empty\\.`));
  r = await runCli('consumer-groups', [...bs, '--reset-offsets', '--group', 'g1', '--topic', 'lagged:0', '--to-datetime', '2999-01-01T00:00:00.000Z', '--dry-run', '--export']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, `\nWarn: Partition 0 from topic lagged is empty. Falling back to latest known offset.\nlagged,0,${leo.get(0)}\n`);
  r = await runCli('consumer-groups', [...bs, '--list']);
  assert.ok(r.stdout.split('\n').includes('g1'));
  // The offsets topic as seed 000 reads it (with --bootstrap-server instead of --zookeeper).
  r = await runCli('console-consumer', [
    ...bs, '--topic', '__consumer_offsets', '--formatter', 'kafka.coordinator.group.GroupMetadataManager$OffsetsMessageFormatter',
    '--from-beginning', '--timeout-ms', '5000',
  ]);
  assert.match(r.stdout, /^\[g1,lagged-[01]\]::OffsetAndMetadata\(offset=\d+, leaderEpoch=Optional(\[\d+\]|\.empty), metadata=, commitTimestamp=\d+, expireTimestamp=None\)$/m);
  // dump-log --offsets-decoder reads the same commits from the broker's __consumer_offsets segments.
  const offsetsDirs = readdirSync(broker.dataDir).filter((d) => d.startsWith('__consumer_offsets-'));
  assert.ok(offsetsDirs.length > 0);
  const segs = offsetsDirs.flatMap((d) => readdirSync(join(broker.dataDir, d)).filter((f) => f.endsWith('.log')).map((f) => join(broker.dataDir, d, f)));
  r = await runCli('dump-log', ['--files', segs.join(','), '--offsets-decoder']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\| offset: \d+ CreateTime: \d+ keySize: \d+ valueSize: \d+ sequence: -?\d+ headerKeys: \[\] key: offset_commit::group=g1,partition=lagged-[01] payload: offset=\d+\n/);
  assert.match(r.stdout, /key: group_metadata::group=g1 payload: \{"protocolType":"consumer","protocol":"range","generationId":\d+,"assignment":"\{console-consumer-\S+=\[lagged-0, lagged-1\]\}"\}/);
  r = await runCli('consumer-groups', [...bs, '--delete', '--group', 'g1']);
  assert.equal(r.stdout, "Deletion of requested consumer groups ('g1') was successful.\n");
  r = await runCli('consumer-groups', [...bs, '--describe', '--group', 'g1']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Error: Consumer group 'g1' does not exist\./);
});

test('configs, get-offsets, delete-records, broker-api-versions, dump-log against the broker', async () => {
  let r = await runCli('topics', [...bs, '--create', '--topic', 'cfg', '--partitions', '1', '--replication-factor', '1', '--config', 'retention.ms=86400000']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await runCli('configs', [...bs, '--entity-type', 'topics', '--entity-name', 'cfg', '--alter', '--add-config', 'max.message.bytes=2000000']);
  assert.equal(r.stdout, 'Completed updating config for topic cfg.\n');
  r = await runCli('configs', [...bs, '--entity-type', 'topics', '--entity-name', 'cfg', '--describe']);
  assert.match(r.stdout, /^Dynamic configs for topic cfg are:\n/);
  assert.match(r.stdout, /\n {2}max\.message\.bytes=2000000 sensitive=false synonyms=\{DYNAMIC_TOPIC_CONFIG:max\.message\.bytes=2000000/);
  assert.match(r.stdout, /\n {2}retention\.ms=86400000 sensitive=false/);
  r = await runCli('topics', [...bs, '--describe', '--topic', 'cfg']);
  assert.match(r.stdout, /Configs: .*max\.message\.bytes=2000000/);
  r = await runCli('configs', [...bs, '--entity-type', 'topics', '--entity-name', 'cfg', '--alter', '--delete-config', 'max.message.bytes']);
  assert.equal(r.code, 0, r.stderr);

  // Broker configs: the cluster-wide dynamic default, shown under "Default configs for brokers in the cluster are:".
  r = await runCli('configs', [...bs, '--entity-type', 'brokers', '--entity-default', '--alter', '--add-config', 'log.retention.ms=604800000']);
  assert.equal(r.stdout, 'Completed updating default config for brokers in the cluster.\n', r.stderr);
  r = await runCli('configs', [...bs, '--entity-type', 'brokers', '--describe']);
  assert.match(r.stdout, /^Dynamic configs for broker \d+ are:\nDefault configs for brokers in the cluster are:\n {2}log\.retention\.ms=604800000 sensitive=false synonyms=\{DYNAMIC_DEFAULT_BROKER_CONFIG:log\.retention\.ms=604800000\}\n$/);
  r = await runCli('configs', [...bs, '--entity-type', 'brokers', '--entity-default', '--alter', '--delete-config', 'log.retention.ms']);
  assert.equal(r.code, 0, r.stderr);

  r = await runCli('console-producer', [...bs, '--topic', 'cfg'], Array.from({ length: 10 }, (_, i) => `m${i}`).join('\n') + '\n');
  assert.equal(r.code, 0, r.stderr);
  r = await runCli('get-offsets', [...bs, '--topic', 'cfg']);
  assert.equal(r.stdout, 'cfg:0:10\n');
  const dir = await makeTempDir('gregor-cli-');
  try {
    const file = join(dir.path, 'offsets.json');
    writeFileSync(file, JSON.stringify({ partitions: [{ topic: 'cfg', partition: 0, offset: 4 }], version: 1 }));
    r = await runCli('delete-records', [...bs, '--offset-json-file', file]);
    assert.equal(r.stdout, 'Executing records delete operation\nRecords delete operation completed:\npartition: cfg-0\tlow_watermark: 4\n');
  } finally {
    await dir.cleanup();
  }
  r = await runCli('get-offsets', [...bs, '--topic', 'cfg', '--time', 'earliest']);
  assert.equal(r.stdout, 'cfg:0:4\n');

  r = await runCli('broker-api-versions', bs);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^127\.0\.0\.1:\d+ \(id: \d+ rack: null\) -> \(\n\tProduce\(0\): \d+ to \d+ \[usable: \d+\],\n/);
  assert.match(r.stdout, /\n\tApiVersions\(18\): 0 to \d+ \[usable: \d+\],\n/);

  // dump-log reads the segment the broker wrote for cfg-0.
  const partDir = join(broker.dataDir, 'cfg-0');
  const log = readdirSync(partDir).find((f) => f.endsWith('.log'))!;
  r = await runCli('dump-log', ['--files', join(partDir, log), '--print-data-log']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\| offset: 9 CreateTime: \d+ keySize: -1 valueSize: 2 sequence: -?\d+ headerKeys: \[\] payload: m9\n/);
});

test('perf tests against the broker print Kafka\'s summary lines', async () => {
  let r = await runCli('producer-perf-test', ['--topic', 'perf', '--num-records', '2000', '--record-size', '100', '--throughput', '-1', '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'acks=1']);
  assert.equal(r.code, 0, r.stderr);
  // (progress lines "N records sent, ... ms max latency." may precede the summary when the run exceeds 5 s)
  const perfLines = r.stdout.trim().split('\n');
  for (const l of perfLines.slice(0, -1)) assert.match(l, /^\d+ records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency\.$/);
  assert.match(perfLines.at(-1)!, /^2000 records sent, [\d.]+ records\/sec \([\d.]+ MB\/sec\), [\d.]+ ms avg latency, [\d.]+ ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$/);
  r = await runCli('consumer-perf-test', [...bs, '--topic', 'perf', '--messages', '2000', '--timeout', '20000']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const [header, line] = r.stdout.trim().split('\n');
  assert.equal(header, 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
  assert.match(line!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, 0\.1907, [\d.]+, 2000, /);
  r = await runCli('consumer-perf-test', [...bs, '--topic', 'perf', '--messages', '2000', '--group', 'perf-detailed', '--show-detailed-stats', '--reporting-interval', '1', '--timeout', '20000']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const detailed = r.stdout.trim().split('\n');
  assert.equal(detailed[0], 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec');
  for (const l of detailed.slice(1)) assert.match(l, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, 0, [\d.]+, [\d.]+, \d+, [\d.]+, \d+, -?\d+, [\d.]+, [\d.]+$/);
});

test('more seed lines: --describe of all topics, rf 3 on one broker (seed 002), --new-consumer --describe --group (seed 001), offsets topic with --consumer.config (seed 000)', async () => {
  let r = await runCli('topics', [...bs, '--create', '--replication-factor', '3', '--partitions', '1', '--topic', 'first']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'Error while executing topic command : Replication factor: 3 larger than available brokers: 1.\n');
  r = await runCli('topics', [...bs, '--create', '--topic', 'hello-kafka', '--replication-factor', '1', '--partitions', '4']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await runCli('topics', [...bs, '--describe']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Topic: hello-kafka\tTopicId: \S+\tPartitionCount: 4\tReplicationFactor: 1\tConfigs: /m);
  assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('\tTopic: hello-kafka\t')).length, 4);
  r = await runCli('topics', ['--new-consumer', ...bs, '--describe', '--group', '群组名']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, "\nError: Consumer group '群组名' does not exist.\n");

  // Seed 000 reads __consumer_offsets with the pre-0.11 formatter name and a consumer.properties file.
  r = await runCli('console-producer', [...bs, '--topic', 'hello-kafka'], 'x\ny\n');
  assert.equal(r.code, 0, r.stderr);
  r = await runCli('console-consumer', [...bs, '--topic', 'hello-kafka', '--group', 'seed-group', '--from-beginning', '--max-messages', '2']);
  assert.equal(r.code, 0, r.stderr);
  const dir = await makeTempDir('gregor-cli-');
  try {
    const props = join(dir.path, 'consumer.properties');
    writeFileSync(props, '# as in seed 000\nexclude.internal.topics=false\n');
    r = await runCli('console-consumer', [
      '--topic', '__consumer_offsets', ...bs, '--formatter', 'kafka.coordinator.GroupMetadataManager$OffsetsMessageFormatter',
      '--consumer.config', props, '--from-beginning', '--timeout-ms', '5000',
    ]);
  } finally {
    await dir.cleanup();
  }
  assert.match(r.stdout, /^\[seed-group,hello-kafka-\d\]::OffsetAndMetadata\(offset=\d+, /m);
  assert.match(r.stderr, /Processed a total of \d+ messages/);
});

test('a second run in the same group continues after the committed offsets (no record printed twice)', async () => {
  let r = await runCli('topics', [...bs, '--create', '--topic', 'resume', '--partitions', '1', '--replication-factor', '1']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await runCli('console-producer', [...bs, '--topic', 'resume'], Array.from({ length: 9 }, (_, i) => `r${i}`).join('\n') + '\n');
  assert.equal(r.code, 0, r.stderr);
  const seen: string[] = [];
  for (let i = 0; i < 3; i++) {
    r = await runCli('console-consumer', [...bs, '--topic', 'resume', '--group', 'resumer', '--from-beginning', '--max-messages', '3']);
    assert.equal(r.code, 0, r.stderr);
    seen.push(...r.stdout.trim().split('\n'));
  }
  assert.deepEqual(seen, Array.from({ length: 9 }, (_, i) => `r${i}`));
  r = await runCli('consumer-groups', [...bs, '--describe', '--group', 'resumer']);
  assert.match(r.stdout, /\nresumer\s+resume\s+0\s+9\s+9\s+0\s+-\s+-\s+-\n/);
});

test('consumer-groups on an active group: members, state, and reset-offsets refused while it runs', async () => {
  let r = await runCli('topics', [...bs, '--create', '--topic', 'active', '--partitions', '2', '--replication-factor', '1']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await runCli('console-producer', [...bs, '--topic', 'active', '--property', 'parse.key=true'], 'a\t1\nb\t2\nc\t3\n');
  assert.equal(r.code, 0, r.stderr);
  const child = spawnTracked(process.execPath, ['--import', 'tsx', MAIN, 'console-consumer', ...bs, '--topic', 'active', '--group', 'live', '--from-beginning'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await withTimeout(
      (async () => {
        while (out.split('\n').filter(Boolean).length < 3) await new Promise((res) => setTimeout(res, 100));
      })(),
      30_000,
      'the live consumer reading 3 records',
    );
    r = await runCli('consumer-groups', [...bs, '--describe', '--group', 'live']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('live '));
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const cols = row.trim().split(/\s+/);
      assert.equal(cols[1], 'active');
      assert.match(cols[6]!, /^console-consumer-/, 'CONSUMER-ID');
      assert.match(cols[7]!, /^\/127\.0\.0\.1$/, 'HOST');
      assert.equal(cols[8], 'console-consumer', 'CLIENT-ID');
    }
    r = await runCli('consumer-groups', [...bs, '--describe', '--group', 'live', '--members']);
    assert.match(r.stdout, /^\nGROUP\s+CONSUMER-ID\s+HOST\s+CLIENT-ID\s+#PARTITIONS\s+\nlive\s+console-consumer-\S+\s+\/127\.0\.0\.1\s+console-consumer\s+2\s+\n$/);
    r = await runCli('consumer-groups', [...bs, '--describe', '--group', 'live', '--state']);
    assert.match(r.stdout, /\nlive\s+127\.0\.0\.1:\d+ {2}\(\d+\)\s+range\s+Stable\s+1\n$/);
    r = await runCli('consumer-groups', [...bs, '--reset-offsets', '--group', 'live', '--all-topics', '--to-earliest', '--execute']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Error: Assignments can only be reset if the group 'live' is inactive, but the current state is Stable\./);
    r = await runCli('consumer-groups', [...bs, '--delete', '--group', 'live']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /\* Group 'live' could not be deleted due to: org\.apache\.kafka\.common\.errors\.GroupNotEmptyException: /);
  } finally {
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    await withTimeout(exited, 15_000, 'live consumer exit').finally(() => stopProcess(child, 'SIGKILL', 100));
  }
});

test('producer codecs and acks, consumer isolation level, --command-config', async () => {
  const expected: string[] = [];
  for (const [codec, acks] of [['gzip', '1'], ['snappy', 'all'], ['lz4', '0'], ['zstd', '-1'], ['none', '1']] as const) {
    const lines = [`${codec}-a`, `${codec}-b`];
    expected.push(...lines);
    const r = await runCli('console-producer', [...bs, '--topic', 'codecs', '--compression-codec', codec, '--request-required-acks', acks, '--sync', '--timeout', '0'], lines.join('\n') + '\n');
    assert.equal(r.code, 0, `${codec}: ${r.stderr}`);
  }
  let r = await runCli('console-consumer', [...bs, '--topic', 'codecs', '--partition', '0', '--offset', 'earliest', '--max-messages', String(expected.length), '--isolation-level', 'read_committed']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trim().split('\n'), expected);
  r = await runCli('console-consumer', [...bs, '--topic', 'codecs', '--isolation-level', 'read_nothing']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Invalid value read_nothing for configuration isolation\.level/);
  const dir = await makeTempDir('gregor-cli-');
  try {
    const cfg = join(dir.path, 'admin.properties');
    writeFileSync(cfg, 'client.id=cli-test-admin\nrequest.timeout.ms=10000\n');
    r = await runCli('topics', [...bs, '--list', '--command-config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.split('\n').includes('codecs'));
    r = await runCli('topics', [...bs, '--list', '--command-config', join(dir.path, 'missing.properties')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read properties file .*missing\.properties: ENOENT/);
  } finally {
    await dir.cleanup();
  }
});

test('consumer-groups describes a group of another client (kcat / librdkafka)', async () => {
  let r = await runCli('topics', [...bs, '--create', '--topic', 'kc', '--partitions', '2', '--replication-factor', '1']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const kcat = spawnTracked('kcat', ['-b', broker.bootstrap, '-G', 'kgroup', 'kc', '-q'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await withTimeout(
      (async () => {
        for (;;) {
          r = await runCli('consumer-groups', [...bs, '--describe', '--group', 'kgroup', '--state']);
          if (/\sStable\s+1\n$/.test(r.stdout)) return;
          await new Promise((res) => setTimeout(res, 200));
        }
      })(),
      30_000,
      'kcat joining kgroup',
    );
    r = await runCli('consumer-groups', [...bs, '--describe', '--group', 'kgroup', '--members', '--verbose']);
    assert.match(r.stdout, /\nkgroup\s+rdkafka-\S+\s+\/127\.0\.0\.1\s+rdkafka\s+2\s+kc\(0,1\)\n$/);
    r = await runCli('consumer-groups', [...bs, '--describe', '--group', 'kgroup']);
    const rows = r.stdout.split('\n').filter((l) => l.startsWith('kgroup '));
    assert.deepEqual(rows.map((l) => l.trim().split(/\s+/).slice(1, 3).join(':')), ['kc:0', 'kc:1']);
  } finally {
    await stopProcess(kcat);
  }
});

test('consumer-groups --delete-offsets and --all-groups; get-offsets --time max-timestamp', async () => {
  let r = await runCli('topics', [...bs, '--create', '--topic', 'offs', '--partitions', '1', '--replication-factor', '1']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  r = await runCli('console-producer', [...bs, '--topic', 'offs'], 'a\nb\nc\n');
  assert.equal(r.code, 0, r.stderr);
  r = await runCli('console-consumer', [...bs, '--topic', 'offs', '--group', 'og', '--from-beginning', '--max-messages', '2']);
  assert.equal(r.code, 0, r.stderr);
  r = await runCli('get-offsets', [...bs, '--topic', 'offs', '--time', 'max-timestamp']);
  assert.equal(r.code, 0, r.stderr);
  // the offset of the (first) record with the largest timestamp; records of one batch may share a millisecond
  assert.match(r.stdout, /^offs:0:[012]\n$/);
  r = await runCli('consumer-groups', [...bs, '--describe', '--all-groups']);
  assert.match(r.stdout, /\nog\s+offs\s+0\s+2\s+3\s+1\s+-\s+-\s+-\n/);
  r = await runCli('consumer-groups', [...bs, '--delete-offsets', '--group', 'og', '--topic', 'offs']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stdout, `Request succeed for deleting offsets with topic offs group og\n\n${'TOPIC'.padEnd(30)} ${'PARTITION'.padEnd(15)} ${'STATUS'.padEnd(15)}\n${'offs'.padEnd(30)} ${'0'.padEnd(15)} ${'Successful'.padEnd(15)}\n`);
  r = await runCli('consumer-groups', [...bs, '--describe', '--group', 'og']);
  assert.ok(!/\nog\s+offs\s/.test(r.stdout), r.stdout);
});

test('Ctrl-C in an interactive console producer still delivers what was typed', async () => {
  const child = spawnTracked(process.execPath, ['--import', 'tsx', MAIN, 'console-producer', ...bs, '--topic', 'typed', '--timeout', '5000'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(child, 'exit');
  // Wait until the producer runs (its first metadata request creates the topic), then type and interrupt
  // well within linger.ms (--timeout 5000): only the shutdown path can have sent the line.
  await new Promise((res) => setTimeout(res, 3000));
  child.stdin!.write('typed-before-ctrl-c\n');
  await new Promise((res) => setTimeout(res, 300));
  child.kill('SIGINT');
  const [code] = (await withTimeout(exited, 20_000, 'producer exit after SIGINT')) as [number | null];
  assert.equal(code, 0, err);
  const r = await runCli('console-consumer', [...bs, '--topic', 'typed', '--partition', '0', '--offset', 'earliest', '--max-messages', '1', '--timeout-ms', '10000']);
  assert.equal(r.stdout, 'typed-before-ctrl-c\n', r.stderr);
});
