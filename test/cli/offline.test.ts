// Command behaviour that needs no broker: --help for every command, the --zookeeper explanation for the seeds'
// command lines, flag validation errors (one line, non-zero exit), and dump-log on a segment written by Kafka.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ALL_COMMANDS, runCli } from './run-cli.js';
import { REPO_ROOT } from '../helpers/build-cache.js';

// ../shared sits beside the repository (CI clones it that way).
const FIXTURE = join(REPO_ROOT, '..', 'shared', 'kafka-fixtures', 'segment-written-by-kafka', 'test-0');

for (const name of ALL_COMMANDS) {
  test(`kafka-${name}.sh --help prints the option table and exits 0`, async () => {
    const r = await runCli(name, ['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\nOption\s+Description\n/);
    assert.match(r.stdout, /--help/);
  });
}

test('no arguments prints usage on stderr and exits 1 (as Kafka)', async () => {
  const r = await runCli('topics', []);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /create, delete, describe, or change a topic/);
});

// The seeds' own --zookeeper command lines (000, 001, 002): each must explain the replacement, not fail silently.
const ZK_LINES: [string, string[]][] = [
  ['topics', ['--zookeeper', '127.0.0.1:2181', '--list']],
  ['topics', ['--zookeeper', '127.0.0.1:2181', '--create', '--replication-factor', '2', '--partitions', '2', '--topic', 'test']],
  ['topics', ['--zookeeper', '127.0.0.1:2181', '--describe', '--topic', 'test']],
  ['topics', ['--zookeeper', '127.0.0.1:2181', '--delete', '--topic', 'test']],
  ['topics', ['--zookeeper', '127.0.0.1:2181', '--alter', '--topic', 'test', '--partitions', '3']],
  ['topics', ['--zookeeper', 'localhost:2181/kafka', '--create', '--topic', 'hello-kafka', '--replication-factor', '1', '--partitions', '4']],
  ['topics', ['--zookeeper', 'mayi101:2181/kafka', '--alter', '--topic', 'first', '--partitions', '6']],
  ['console-consumer', ['--zookeeper', '127.0.0.1:2181', '--topic', 'test', '--from-beginning']],
  ['console-consumer', ['--topic', '__consumer_offsets', '--zookeeper', 'localhost:2181', '--formatter', 'kafka.coordinator.group.GroupMetadataManager$OffsetsMessageFormatter', '--consumer.config', 'config/consumer.properties', '--from-beginning']],
];
for (const [name, argv] of ZK_LINES) {
  test(`seed line kafka-${name}.sh ${argv.join(' ')} explains --bootstrap-server`, async () => {
    const r = await runCli(name, argv);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one clear line');
    assert.match(r.stderr, /--zookeeper is not supported.*--bootstrap-server/);
  });
}

test('bad flags: one line naming the option, exit 1', async () => {
  const r = await runCli('console-consumer', ['--bootstrap-server', 'x:1', '--topic', 't', '--frombeginning']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /^frombeginning is not a recognized option/);
});

test('topics: exactly one action, and --bootstrap-server required', async () => {
  let r = await runCli('topics', ['--bootstrap-server', 'x:1', '--list', '--describe']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Command must include exactly one action: --list, --describe, --create, --alter or --delete/);
  r = await runCli('topics', ['--list']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--bootstrap-server must be specified/);
  r = await runCli('topics', ['--bootstrap-server', 'x:1', '--create']);
  assert.match(r.stderr, /Missing required argument "\[topic\]"/);
  r = await runCli('topics', ['--bootstrap-server', 'x:1', '--alter', '--topic', 't']);
  assert.match(r.stderr, /Missing required argument "\[partitions\]"/);
  r = await runCli('topics', ['--bootstrap-server', 'x:1', '--list', '--partitions', '3']);
  assert.match(r.stderr, /Option "\[partitions\]" can't be used with option "\[list\]"/);
});

test('console-consumer validation messages are Kafka\'s', async () => {
  let r = await runCli('console-consumer', ['--bootstrap-server', 'x:1', '--topic', 't', '--offset', '5']);
  assert.match(r.stderr, /The partition is required when offset is specified\./);
  r = await runCli('console-consumer', ['--bootstrap-server', 'x:1', '--topic', 't', '--partition', '0', '--offset', 'abc']);
  assert.match(r.stderr, /The provided offset value 'abc' is incorrect/);
  r = await runCli('console-consumer', ['--bootstrap-server', 'x:1']);
  assert.match(r.stderr, /Exactly one of --include\/--topic is required/);
  r = await runCli('console-consumer', ['--bootstrap-server', 'x:1', '--topic', 't', '--formatter', 'com.example.Nope']);
  assert.match(r.stderr, /Unknown formatter class com\.example\.Nope/);
});

test('consumer-groups validation messages are Kafka\'s', async () => {
  let r = await runCli('consumer-groups', ['--bootstrap-server', 'x:1', '--describe']);
  assert.match(r.stderr, /Option \[describe\] takes one of these options: \[group\], \[all-groups\]/);
  r = await runCli('consumer-groups', ['--bootstrap-server', 'x:1', '--reset-offsets', '--group', 'g']);
  assert.match(r.stderr, /requires one of the following scenarios/);
  r = await runCli('consumer-groups', ['--bootstrap-server', 'x:1', '--reset-offsets', '--group', 'g', '--to-earliest', '--to-latest']);
  assert.match(r.stderr, /can't be used with option/);
  r = await runCli('consumer-groups', ['--bootstrap-server', 'x:1', '--reset-offsets', '--group', 'g', '--to-earliest', '--dry-run', '--execute']);
  assert.match(r.stderr, /only accepts one of \[execute\] and \[dry-run\]/);
});

test('dump-log reads the segment Kafka wrote: 28 batches, offsets 0-96, all CRCs valid', async () => {
  const r = await runCli('dump-log', ['--files', `${FIXTURE}/00000000000000000000.log`]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines[0], `Dumping ${FIXTURE}/00000000000000000000.log`);
  assert.equal(lines[1], 'Log starting offset: 0');
  const batches = lines.filter((l) => l.startsWith('baseOffset: '));
  assert.equal(batches.length, 28);
  assert.ok(batches.every((l) => l.includes('magic: 2') && l.endsWith('isvalid: true')));
  assert.match(batches[0]!, /^baseOffset: 0 lastOffset: 0 count: 1 baseSequence: 0 lastSequence: 0 producerId: 0 producerEpoch: 0 partitionLeaderEpoch: 0 isTransactional: false isControl: false deleteHorizonMs: OptionalLong\.empty position: 0 CreateTime: \d+ size: 68 magic: 2 compresscodec: none crc: \d+ isvalid: true$/);
  assert.match(batches[27]!, /lastOffset: 96 /);
  assert.ok(!lines.some((l) => l.startsWith('| ')), 'shallow iteration without --deep-iteration');
});

test('dump-log --print-data-log prints every record with its payload', async () => {
  const r = await runCli('dump-log', ['--files', `${FIXTURE}/00000000000000000000.log`, '--print-data-log']);
  assert.equal(r.code, 0, r.stderr);
  const recs = r.stdout.split('\n').filter((l) => l.startsWith('| offset: '));
  assert.equal(recs.length, 97);
  assert.match(recs[2]!, /^\| offset: 2 CreateTime: \d+ keySize: -1 valueSize: 1 sequence: 2 headerKeys: \[\] payload: f$/);
  assert.equal(r.stderr, '', 'offsets are consecutive');
});

test('dump-log on a missing file and an unknown suffix', async () => {
  let r = await runCli('dump-log', ['--files', '/nonexistent/00000000000000000000.log']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no such file/);
  r = await runCli('dump-log', ['--files', `${FIXTURE}/leader-epoch-checkpoint`]);
  assert.match(r.stderr, /Ignoring unknown file/);
});

test('bin/kafka-<name>.sh shims exist, are executable and dispatch to their command', async () => {
  const { statSync, readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  for (const name of ALL_COMMANDS) {
    const path = join(import.meta.dirname, '..', '..', 'bin', `kafka-${name}.sh`);
    const st = statSync(path);
    assert.ok(st.mode & 0o111, `${path} is executable`);
    const text = readFileSync(path, 'utf8');
    assert.match(text, /^#!\/bin\/sh\n/);
    assert.ok(text.includes(`gregor.js" ${name} "$@"`), `${path} runs gregor.js ${name}`);
  }
});

test('gregor dispatch strips kafka- and .sh (gregor kafka-topics.sh --help)', async () => {
  const { main } = await import('../../src/cli/main.js');
  const write = process.stdout.write.bind(process.stdout);
  let captured = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    captured += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    assert.equal(await main(['kafka-topics.sh', '--help']), 0);
  } finally {
    process.stdout.write = write;
  }
  assert.match(captured, /This tool helps to create, delete, describe, or change a topic\./);
});
