// Console producer and consumer end to end against a live Kafka peer (librdkafka's mock cluster, a real Kafka
// protocol implementation), including the seeds' own command lines run as child processes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { join } from 'node:path';
import { startMockCluster, type MockCluster } from '../helpers/mock-cluster.js';
import { REPO_ROOT } from '../helpers/build-cache.js';
import { runProcess, spawnTracked, stopProcess, withTimeout } from '../helpers/process.js';
import { runCli } from './run-cli.js';

const MAIN = join(REPO_ROOT, 'src', 'cli', 'main.ts');
let cluster: MockCluster;

before(async () => {
  cluster = await startMockCluster({
    brokers: 2,
    topics: [
      { name: 'test', partitions: 2 },
      { name: 'keyed', partitions: 1 },
      { name: 'limit', partitions: 1 },
    ],
  });
});
after(async () => {
  await cluster?.stop();
});

test('seed 000: kafka-console-producer.sh --broker-list h1,h2 --topic test, then --bootstrap-server ... --from-beginning', async () => {
  const lines = Array.from({ length: 20 }, (_, i) => `line-${i}`);
  const p = await runProcess(process.execPath, ['--import', 'tsx', MAIN, 'console-producer', '--broker-list', cluster.bootstrap, '--topic', 'test'], {
    stdin: lines.join('\n') + '\n',
    timeoutMs: 30_000,
  });
  assert.equal(p.code, 0, p.stderr.toString());
  // The consumer runs until interrupted, as in the seed; stop it with Ctrl-C once everything arrived.
  const child = spawnTracked(process.execPath, ['--import', 'tsx', MAIN, 'console-consumer', '--bootstrap-server', cluster.brokers[0]!, '--topic', 'test', '--from-beginning'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  await withTimeout(
    (async () => {
      while (out.split('\n').filter(Boolean).length < lines.length) await new Promise((r) => setTimeout(r, 100));
    })(),
    30_000,
    'consuming the seed topic',
  );
  const exited = once(child, 'exit');
  process.kill(child.pid!, 'SIGINT');
  await withTimeout(exited, 15_000, 'console consumer exit on SIGINT').finally(() => stopProcess(child, 'SIGKILL', 100));
  assert.deepEqual(out.split('\n').filter(Boolean).sort(), [...lines].sort());
  assert.match(err, /Processed a total of 20 messages/);
});

test('parse.key/key.separator on the producer; print.key/print.partition/print.offset on the consumer', async () => {
  const r = await runCli('console-producer', ['--bootstrap-server', cluster.bootstrap, '--topic', 'keyed', '--property', 'parse.key=true', '--property', 'key.separator=:'], 'k1:v1\nk2:v2\n');
  assert.equal(r.code, 0, r.stderr);
  const c = await runCli('console-consumer', [
    '--bootstrap-server', cluster.bootstrap, '--topic', 'keyed', '--partition', '0', '--offset', 'earliest', '--max-messages', '2',
    '--property', 'print.key=true', '--property', 'print.partition=true', '--property', 'print.offset=true', '--property', 'key.separator=|',
  ]);
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stdout, 'Partition:0|Offset:0|k1|v1\nPartition:0|Offset:1|k2|v2\n');
  assert.match(c.stderr, /Processed a total of 2 messages/);
});

test('a line without the key separator is an error naming the line (parse.key=true)', async () => {
  const r = await runCli('console-producer', ['--bootstrap-server', cluster.bootstrap, '--topic', 'keyed', '--property', 'parse.key=true'], 'no-separator-here\n');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No key separator found on line number 1: 'no-separator-here'/);
});

test('headers, timestamps, --max-messages and --offset N', async () => {
  const input = Array.from({ length: 5 }, (_, i) => `h${i}:x\tv${i}`).join('\n') + '\n';
  const r = await runCli('console-producer', ['--bootstrap-server', cluster.bootstrap, '--topic', 'limit', '--property', 'parse.headers=true', '--sync', '--timeout', '0', '--compression-codec'], input);
  assert.equal(r.code, 0, r.stderr);
  const c = await runCli('console-consumer', [
    '--bootstrap-server', cluster.bootstrap, '--topic', 'limit', '--partition', '0', '--offset', '2', '--max-messages', '2',
    '--property', 'print.headers=true', '--property', 'print.timestamp=true',
  ]);
  assert.equal(c.code, 0, c.stderr);
  const out = c.stdout.trim().split('\n');
  assert.equal(out.length, 2);
  assert.match(out[0]!, /^CreateTime:\d+\th2:x\tv2$/);
  assert.match(out[1]!, /^CreateTime:\d+\th3:x\tv3$/);
});

test('--timeout-ms ends an idle consumer with Kafka\'s message and the count', async () => {
  const c = await runCli('console-consumer', ['--bootstrap-server', cluster.bootstrap, '--topic', 'limit', '--partition', '0', '--timeout-ms', '500']);
  assert.equal(c.code, 0);
  assert.equal(c.stdout, '');
  assert.match(c.stderr, /TimeoutException\nProcessed a total of 0 messages\n$/);
});
