// kafka-producer-perf-test / kafka-consumer-perf-test against a fresh Gregor broker, printed beside the machine's
// raw limit measured in the same run (loopback TCP throughput between two sockets of this process).
// Run: npm run bench cli   (or: node --import tsx bench/cli.bench.ts [numRecords] [recordSize])
import { createServer, connect } from 'node:net';
import { Readable } from 'node:stream';
import { startGregor } from '../test/helpers/broker.js';
import { CaptureStream, type CliIo } from '../src/cli/lib/io.js';
import { run as producerPerf } from '../src/cli/commands/producer-perf-test.js';
import { run as consumerPerf } from '../src/cli/commands/consumer-perf-test.js';

const numRecords = Number(process.argv[2] ?? 200_000);
const recordSize = Number(process.argv[3] ?? 100);

/** MB/s a loopback TCP connection carries for ~1 s with 64 KiB writes. */
async function loopbackMBps(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  let received = 0;
  server.on('connection', (s) => s.on('data', (d: Buffer) => (received += d.length)));
  const client = connect(port, '127.0.0.1');
  await new Promise<void>((r) => client.once('connect', r));
  const chunk = Buffer.alloc(64 * 1024, 1);
  const start = Date.now();
  while (Date.now() - start < 1000) {
    if (!client.write(chunk)) await new Promise<void>((r) => client.once('drain', r));
  }
  const ms = Date.now() - start;
  client.destroy();
  server.close();
  return received / (1024 * 1024) / (ms / 1000);
}

function io(): { io: CliIo; out: CaptureStream; err: CaptureStream } {
  const out = new CaptureStream();
  const err = new CaptureStream();
  return { io: { stdout: out, stderr: err, stdin: Readable.from([]), env: process.env }, out, err };
}

const raw = await loopbackMBps();
const broker = await startGregor({ overrides: { 'num.partitions': '1' } });
try {
  const p = io();
  const pc = await producerPerf(
    ['--topic', 'bench', '--num-records', String(numRecords), '--record-size', String(recordSize), '--throughput', '-1', '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'acks=1', 'linger.ms=5', 'batch.size=65536'],
    p.io,
  );
  const c = io();
  const cc = await consumerPerf(['--bootstrap-server', broker.bootstrap, '--topic', 'bench', '--messages', String(numRecords), '--timeout', '30000'], c.io);
  console.log(`machine limit: loopback TCP ${raw.toFixed(0)} MB/s (one connection, 64 KiB writes)`);
  console.log(`kafka-producer-perf-test (${numRecords} x ${recordSize} B, acks=1) exit ${pc}:`);
  console.log(p.out.text().trim().split('\n').at(-1));
  if (p.err.text()) console.log(p.err.text().trim().split('\n').slice(0, 3).join('\n'));
  console.log(`kafka-consumer-perf-test exit ${cc}:`);
  console.log(c.out.text().trim());
} finally {
  await broker.close();
}
