// Client throughput, Gregor's client beside kafkajs and @platformatic/kafka on the same broker in the same run:
//   1. single-record sends: one send() call per record (window of 1000 outstanding), ops/s; plus sequential
//      awaited sends (latency p50/p99)
//   2. batched produce: 100-byte records as fast as the client takes them, records/s and MB/s
//   3. consume: read back everything from the beginning, records/s
// Broker: Gregor's own (test/helpers/broker.ts) when it starts, else librdkafka's mock cluster — printed at the top.
// @platformatic/kafka needs ApiVersions v3, which the mock cluster lacks; it is skipped there (reported as such).
// The raw limit printed first is loopback TCP throughput measured in the same run.
// Run: npm run bench client   (BENCH_RECORDS=200000 by default)
import { performance } from 'node:perf_hooks';
import { createServer, connect } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Producer, Consumer, Admin, type RecordMetadata } from '../src/client/index.js';
import { startMockCluster } from '../test/helpers/mock-cluster.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 200_000);
const SINGLE = Number(process.env.BENCH_SINGLE ?? 20_000);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 500);
const VALUE = Buffer.alloc(100, 'x');

interface Result {
  client: string;
  test: string;
  recordsPerSec: number;
  mbps: number;
  extra?: string;
}
const results: Result[] = [];

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function loopbackMBps(): Promise<number> {
  const total = 256 * 1024 * 1024;
  const chunk = Buffer.alloc(256 * 1024);
  return new Promise((resolve) => {
    const server = createServer((sock) => {
      let got = 0;
      const t0 = performance.now();
      sock.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= total) {
          const secs = (performance.now() - t0) / 1000;
          sock.destroy();
          server.close();
          resolve(total / 1e6 / secs);
        }
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      const c = connect(port, '127.0.0.1', () => {
        let sent = 0;
        const pump = (): void => {
          while (sent < total) {
            sent += chunk.length;
            if (!c.write(chunk)) return void c.once('drain', pump);
          }
          c.end();
        };
        pump();
      });
      c.on('error', () => undefined);
    });
  });
}

async function startBroker(): Promise<{ bootstrap: string; kind: string; stop: () => Promise<void>; platformatic: boolean }> {
  const serverCmd = join(process.cwd(), 'src', 'cli', 'commands', 'server.ts');
  if (existsSync(serverCmd) && process.env.BENCH_BROKER !== 'mock') {
    try {
      const { startGregor } = await import('../test/helpers/broker.js');
      const b = await startGregor({ startTimeoutMs: 20000 });
      const admin = new Admin({ bootstrapServers: b.bootstrap, defaultApiTimeoutMs: 10000 });
      try {
        await admin.createTopics(['gregor', 'kafkajs', 'platformatic'].flatMap((c) => [{ name: `single-${c}`, numPartitions: 1 }, { name: `batch-${c}`, numPartitions: 1 }]));
      } finally {
        await admin.close();
      }
      return { bootstrap: b.bootstrap, kind: "Gregor's broker", stop: () => b.close(), platformatic: true };
    } catch (e) {
      console.log(`(Gregor's broker did not work for the bench: ${(e as Error).message.split('\n')[0]}; using the mock cluster)`);
    }
  }
  const mc = await startMockCluster({ brokers: 1, topics: ['gregor', 'kafkajs', 'platformatic'].flatMap((c) => [{ name: `single-${c}`, partitions: 1 }, { name: `batch-${c}`, partitions: 1 }]) });
  console.log('(the mock cluster keeps only the newest records of a partition and returns one batch per fetch)');
  return { bootstrap: mc.bootstrap, kind: "librdkafka 2.0.2's mock cluster (1 broker)", stop: () => mc.stop(), platformatic: false };
}

// ------------------------------------------------------------------ Gregor

async function gregorSingle(bootstrap: string): Promise<void> {
  const p = new Producer<Buffer, Buffer>({ bootstrapServers: bootstrap, lingerMs: 0 });
  await p.send({ topic: 'single-gregor', value: VALUE }); // metadata + producer id
  const lat: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t = performance.now();
    await p.send({ topic: 'single-gregor', value: VALUE });
    lat.push(performance.now() - t);
  }
  const t0 = performance.now();
  let inflight = 0;
  let done = 0;
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    const cb = (err: Error | null): void => {
      if (err) return reject(err);
      inflight--;
      done++;
      if (done === SINGLE) resolve();
      else pump();
    };
    const pump = (): void => {
      while (inflight < 1000 && sent < SINGLE) {
        inflight++;
        sent++;
        p.send({ topic: 'single-gregor', value: VALUE }, cb);
      }
    };
    pump();
  });
  const secs = (performance.now() - t0) / 1000;
  results.push({ client: 'gregor', test: 'single-record send', recordsPerSec: SINGLE / secs, mbps: (SINGLE * VALUE.length) / 1e6 / secs, extra: `sequential p50 ${pct(lat, 50).toFixed(2)} ms p99 ${pct(lat, 99).toFixed(2)} ms` });
  await p.close();
}

async function gregorBatch(bootstrap: string): Promise<void> {
  const p = new Producer<Buffer, Buffer>({ bootstrapServers: bootstrap, lingerMs: 5, batchSize: 256 * 1024, bufferMemory: 64 * 1024 * 1024 });
  await p.send({ topic: 'batch-gregor', value: VALUE });
  const t0 = performance.now();
  let last: Promise<RecordMetadata> | null = null;
  for (let i = 0; i < RECORDS; i++) last = p.send({ topic: 'batch-gregor', value: VALUE });
  await last;
  await p.flush();
  const secs = (performance.now() - t0) / 1000;
  results.push({ client: 'gregor', test: 'batched produce', recordsPerSec: RECORDS / secs, mbps: (RECORDS * VALUE.length) / 1e6 / secs });
  await p.close();
}

/** Records currently in partition 0 of `topic` (the mock cluster drops old ones, so not simply what was sent). */
async function available(bootstrap: string, topic: string): Promise<number> {
  const c = new Consumer({ bootstrapServers: bootstrap });
  try {
    const tp = [{ topic, partition: 0 }];
    return (await c.endOffsets(tp))[0]!.offset - (await c.beginningOffsets(tp))[0]!.offset;
  } finally {
    await c.close();
  }
}

// Every consumer reads through a consumer group with default fetch sizes (1 MiB per partition) and is timed from
// its first record to the last, so group-join delays are excluded alike.
async function gregorConsume(bootstrap: string): Promise<void> {
  const want = await available(bootstrap, 'batch-gregor');
  const c = new Consumer<Buffer, Buffer>({ bootstrapServers: bootstrap, groupId: `bench-${Date.now()}`, autoOffsetReset: 'earliest', maxPollRecords: 10000 });
  c.subscribe(['batch-gregor']);
  let n = 0;
  let start = 0;
  while (n < want) {
    const got = (await c.poll(1000)).count;
    if (got > 0 && start === 0) start = performance.now();
    n += got;
  }
  const secs = (performance.now() - start) / 1000;
  results.push({ client: 'gregor', test: 'consume', recordsPerSec: n / secs, mbps: (n * VALUE.length) / 1e6 / secs, extra: 'timed from the first record (group join excluded)' });
  await c.close();
}

// ------------------------------------------------------------------ kafkajs

async function kafkajsAll(bootstrap: string): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'bench', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const p = kafka.producer();
  await p.connect();
  await p.send({ topic: 'single-kafkajs', acks: -1, messages: [{ value: VALUE }] });
  const lat: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t = performance.now();
    await p.send({ topic: 'single-kafkajs', acks: -1, messages: [{ value: VALUE }] });
    lat.push(performance.now() - t);
  }
  let t0 = performance.now();
  for (let i = 0; i < SINGLE; i += 1000) {
    const window: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(SINGLE, i + 1000); j++) window.push(p.send({ topic: 'single-kafkajs', acks: -1, messages: [{ value: VALUE }] }));
    await Promise.all(window);
  }
  let secs = (performance.now() - t0) / 1000;
  results.push({ client: 'kafkajs', test: 'single-record send', recordsPerSec: SINGLE / secs, mbps: (SINGLE * VALUE.length) / 1e6 / secs, extra: `sequential p50 ${pct(lat, 50).toFixed(2)} ms p99 ${pct(lat, 99).toFixed(2)} ms` });
  await p.send({ topic: 'batch-kafkajs', acks: -1, messages: [{ value: VALUE }] });
  t0 = performance.now();
  const BATCH = 1000;
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < RECORDS; i += BATCH) {
    const messages = Array.from({ length: Math.min(BATCH, RECORDS - i) }, () => ({ value: VALUE }));
    inflight.push(p.send({ topic: 'batch-kafkajs', acks: -1, messages }));
    if (inflight.length >= 5) await inflight.shift();
  }
  await Promise.all(inflight);
  secs = (performance.now() - t0) / 1000;
  results.push({ client: 'kafkajs', test: 'batched produce', recordsPerSec: RECORDS / secs, mbps: (RECORDS * VALUE.length) / 1e6 / secs, extra: 'send() of 1000-record arrays, 5 in flight' });
  await p.disconnect();
  const want = await available(bootstrap, 'batch-kafkajs');
  const c = kafka.consumer({ groupId: `bench-${Date.now()}` });
  await c.connect();
  await c.subscribe({ topic: 'batch-kafkajs', fromBeginning: true });
  let n = 0;
  let start = 0;
  await new Promise<void>((resolve) => {
    void c.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (start === 0) start = performance.now();
        n += batch.messages.length;
        if (n >= want) resolve();
      },
    });
  });
  secs = (performance.now() - start) / 1000;
  results.push({ client: 'kafkajs', test: 'consume', recordsPerSec: n / secs, mbps: (n * VALUE.length) / 1e6 / secs, extra: 'timed from the first batch (group join excluded)' });
  await c.disconnect();
}

// ------------------------------------------------------------------ @platformatic/kafka

async function platformaticAll(bootstrap: string): Promise<void> {
  const mod = (await import('@platformatic/kafka')) as unknown as {
    Producer: new (o: Record<string, unknown>) => { send(o: Record<string, unknown>): Promise<unknown>; close(): Promise<void> };
    Consumer: new (o: Record<string, unknown>) => { consume(o: Record<string, unknown>): Promise<AsyncIterable<unknown> & { close(): Promise<void> }>; close(force?: boolean): Promise<void> };
  };
  const p = new mod.Producer({ clientId: 'bench', bootstrapBrokers: bootstrap.split(','), acks: -1 });
  await p.send({ messages: [{ topic: 'single-platformatic', value: VALUE }] });
  const lat: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const t = performance.now();
    await p.send({ messages: [{ topic: 'single-platformatic', value: VALUE }] });
    lat.push(performance.now() - t);
  }
  let t0 = performance.now();
  for (let i = 0; i < SINGLE; i += 1000) {
    const window: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(SINGLE, i + 1000); j++) window.push(p.send({ messages: [{ topic: 'single-platformatic', value: VALUE }] }));
    await Promise.all(window);
  }
  let secs = (performance.now() - t0) / 1000;
  results.push({ client: '@platformatic/kafka', test: 'single-record send', recordsPerSec: SINGLE / secs, mbps: (SINGLE * VALUE.length) / 1e6 / secs, extra: `sequential p50 ${pct(lat, 50).toFixed(2)} ms p99 ${pct(lat, 99).toFixed(2)} ms` });
  await p.send({ messages: [{ topic: 'batch-platformatic', value: VALUE }] });
  t0 = performance.now();
  const inflight: Promise<unknown>[] = [];
  for (let i = 0; i < RECORDS; i += 1000) {
    const messages = Array.from({ length: Math.min(1000, RECORDS - i) }, () => ({ topic: 'batch-platformatic', value: VALUE }));
    inflight.push(p.send({ messages }));
    if (inflight.length >= 5) await inflight.shift();
  }
  await Promise.all(inflight);
  secs = (performance.now() - t0) / 1000;
  results.push({ client: '@platformatic/kafka', test: 'batched produce', recordsPerSec: RECORDS / secs, mbps: (RECORDS * VALUE.length) / 1e6 / secs, extra: 'send() of 1000-record arrays, 5 in flight' });
  await p.close();
  const want = await available(bootstrap, 'batch-platformatic');
  const c = new mod.Consumer({ clientId: 'bench-c', groupId: `bench-${Date.now()}`, bootstrapBrokers: bootstrap.split(',') });
  const stream = await c.consume({ topics: ['batch-platformatic'], mode: 'earliest' });
  let n = 0;
  let start = 0;
  for await (const _m of stream) {
    if (start === 0) start = performance.now();
    if (++n >= want) break;
  }
  secs = (performance.now() - start) / 1000;
  results.push({ client: '@platformatic/kafka', test: 'consume', recordsPerSec: n / secs, mbps: (n * VALUE.length) / 1e6 / secs, extra: 'timed from the first record (group join excluded)' });
  await stream.close();
  await c.close(true);
}

// ------------------------------------------------------------------ main

const raw = await loopbackMBps();
console.log(`raw limit: loopback TCP ${raw.toFixed(0)} MB/s (one socket, 256 KiB writes)`);
const broker = await startBroker();
console.log(`broker: ${broker.kind} at ${broker.bootstrap}; ${RECORDS} records of ${VALUE.length} B; acks=all everywhere (Gregor: idempotent, its default)`);
try {
  const step = async (name: string, f: () => Promise<void>): Promise<void> => {
    const t = performance.now();
    process.stdout.write(`${name}... `);
    await f();
    console.log(`${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  await step('gregor single', () => gregorSingle(broker.bootstrap));
  await step('gregor batch', () => gregorBatch(broker.bootstrap));
  await step('gregor consume', () => gregorConsume(broker.bootstrap));
  await kafkajsAll(broker.bootstrap).catch((e: unknown) => console.log(`kafkajs failed: ${(e as Error).message}`));
  if (broker.platformatic) await platformaticAll(broker.bootstrap).catch((e: unknown) => console.log(`@platformatic/kafka failed: ${(e as Error).message}`));
  else console.log('@platformatic/kafka: skipped (needs ApiVersions v3; the mock cluster speaks v0-2)');
} finally {
  await broker.stop();
}
console.log('');
console.log('test                 | client               |   records/s |    MB/s | notes');
console.log('---------------------|----------------------|-------------|---------|------');
for (const r of results) {
  console.log(`${r.test.padEnd(20)} | ${r.client.padEnd(20)} | ${r.recordsPerSec.toFixed(0).padStart(11)} | ${r.mbps.toFixed(1).padStart(7)} | ${r.extra ?? ''}`);
}
console.log('');
for (const test of ['single-record send', 'batched produce', 'consume']) {
  const g = results.find((r) => r.client === 'gregor' && r.test === test);
  const others = results.filter((r) => r.client !== 'gregor' && r.test === test);
  if (!g || others.length === 0) continue;
  const best = others.reduce((a, b) => (a.recordsPerSec > b.recordsPerSec ? a : b));
  console.log(`${test}: gregor / fastest other (${best.client}) = ${(g.recordsPerSec / best.recordsPerSec).toFixed(2)}x`);
}
