// Client throughput, Gregor's client beside kafkajs and @platformatic/kafka on the same broker in the same run:
//   1. single-record sends: one send() call per record (window of 1000 outstanding), ops/s; plus sequential
//      awaited sends (latency p50/p99)
//   2. batched produce: 100-byte records as fast as the client takes them, records/s and MB/s
//   3. consume: read back everything produced, through a consumer group, records/s
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

// Each client is wrapped in a driver; the main loop interleaves the clients round by round (after a warm-up round
// each), so JIT warm-up and load from other processes on this shared machine hit all clients alike. The median
// round is reported.

interface Driver {
  name: string;
  /** Sends `n` records one send() call each, `window` outstanding. */
  single(n: number, window: number): Promise<void>;
  /** Sequential awaited sends, returns latencies (ms). */
  sequential(n: number): Promise<number[]>;
  /** Sends `n` records as fast as the client takes them (the client's own batching API). */
  batch(n: number): Promise<void>;
  /** Consumes `n` records of the batch topic through a fresh group; returns seconds from first record to last. */
  consume(n: number): Promise<number>;
  close(): Promise<void>;
}

async function gregorDriver(bootstrap: string): Promise<Driver> {
  const single = new Producer<Buffer, Buffer>({ bootstrapServers: bootstrap, lingerMs: 0 });
  const batch = new Producer<Buffer, Buffer>({ bootstrapServers: bootstrap, lingerMs: 5, batchSize: 256 * 1024, bufferMemory: 64 * 1024 * 1024 });
  await single.send({ topic: 'single-gregor', value: VALUE }); // metadata + producer id
  await batch.send({ topic: 'batch-gregor', value: VALUE });
  return {
    name: 'gregor',
    async sequential(n) {
      const lat: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await single.send({ topic: 'single-gregor', value: VALUE });
        lat.push(performance.now() - t);
      }
      return lat;
    },
    single(n, window) {
      return new Promise<void>((resolve, reject) => {
        let inflight = 0;
        let done = 0;
        let sent = 0;
        const cb = (err: Error | null): void => {
          if (err) return reject(err);
          inflight--;
          if (++done === n) resolve();
          else pump();
        };
        const pump = (): void => {
          while (inflight < window && sent < n) {
            inflight++;
            sent++;
            single.send({ topic: 'single-gregor', value: VALUE }, cb);
          }
        };
        pump();
      });
    },
    async batch(n) {
      let last: Promise<RecordMetadata> | null = null;
      for (let i = 0; i < n; i++) last = batch.send({ topic: 'batch-gregor', value: VALUE });
      await last;
    },
    async consume(n) {
      const c = new Consumer<Buffer, Buffer>({ bootstrapServers: bootstrap, groupId: `bench-${Date.now()}`, autoOffsetReset: 'earliest', maxPollRecords: 10000 });
      c.subscribe(['batch-gregor']);
      let got = 0;
      let start = 0;
      while (got < n) {
        const k = (await c.poll(1000)).count;
        if (k > 0 && start === 0) start = performance.now();
        got += k;
      }
      const secs = (performance.now() - start) / 1000;
      await c.close();
      return secs;
    },
    async close() {
      await single.close();
      await batch.close();
    },
  };
}

async function kafkajsDriver(bootstrap: string): Promise<Driver> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'bench', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const p = kafka.producer();
  await p.connect();
  await p.send({ topic: 'single-kafkajs', acks: -1, messages: [{ value: VALUE }] });
  await p.send({ topic: 'batch-kafkajs', acks: -1, messages: [{ value: VALUE }] });
  return {
    name: 'kafkajs',
    async sequential(n) {
      const lat: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await p.send({ topic: 'single-kafkajs', acks: -1, messages: [{ value: VALUE }] });
        lat.push(performance.now() - t);
      }
      return lat;
    },
    async single(n, window) {
      for (let i = 0; i < n; i += window) {
        const w: Promise<unknown>[] = [];
        for (let j = i; j < Math.min(n, i + window); j++) w.push(p.send({ topic: 'single-kafkajs', acks: -1, messages: [{ value: VALUE }] }));
        await Promise.all(w);
      }
    },
    async batch(n) {
      const inflight: Promise<unknown>[] = [];
      for (let i = 0; i < n; i += 1000) {
        const messages = Array.from({ length: Math.min(1000, n - i) }, () => ({ value: VALUE }));
        inflight.push(p.send({ topic: 'batch-kafkajs', acks: -1, messages }));
        if (inflight.length >= 5) await inflight.shift();
      }
      await Promise.all(inflight);
    },
    async consume(n) {
      const c = kafka.consumer({ groupId: `bench-${Date.now()}` });
      await c.connect();
      await c.subscribe({ topic: 'batch-kafkajs', fromBeginning: true });
      let got = 0;
      let start = 0;
      let end = 0;
      await new Promise<void>((resolve) => {
        void c.run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (start === 0) start = performance.now();
            got += batch.messages.length;
            if (got >= n && end === 0) {
              end = performance.now();
              resolve();
            }
          },
        });
      });
      await c.disconnect();
      return (end - start) / 1000;
    },
    async close() {
      await p.disconnect();
    },
  };
}

async function platformaticDriver(bootstrap: string): Promise<Driver> {
  const mod = (await import('@platformatic/kafka')) as unknown as {
    Producer: new (o: Record<string, unknown>) => { send(o: Record<string, unknown>): Promise<unknown>; close(): Promise<void> };
    Consumer: new (o: Record<string, unknown>) => { consume(o: Record<string, unknown>): Promise<AsyncIterable<unknown> & { close(): Promise<void> }>; close(force?: boolean): Promise<void> };
  };
  const p = new mod.Producer({ clientId: 'bench', bootstrapBrokers: bootstrap.split(','), acks: -1 });
  await p.send({ messages: [{ topic: 'single-platformatic', value: VALUE }] });
  await p.send({ messages: [{ topic: 'batch-platformatic', value: VALUE }] });
  return {
    name: '@platformatic/kafka',
    async sequential(n) {
      const lat: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await p.send({ messages: [{ topic: 'single-platformatic', value: VALUE }] });
        lat.push(performance.now() - t);
      }
      return lat;
    },
    async single(n, window) {
      for (let i = 0; i < n; i += window) {
        const w: Promise<unknown>[] = [];
        for (let j = i; j < Math.min(n, i + window); j++) w.push(p.send({ messages: [{ topic: 'single-platformatic', value: VALUE }] }));
        await Promise.all(w);
      }
    },
    async batch(n) {
      const inflight: Promise<unknown>[] = [];
      for (let i = 0; i < n; i += 1000) {
        const messages = Array.from({ length: Math.min(1000, n - i) }, () => ({ topic: 'batch-platformatic', value: VALUE }));
        inflight.push(p.send({ messages }));
        if (inflight.length >= 5) await inflight.shift();
      }
      await Promise.all(inflight);
    },
    async consume(n) {
      const c = new mod.Consumer({ clientId: 'bench-c', groupId: `bench-${Date.now()}`, bootstrapBrokers: bootstrap.split(',') });
      const stream = await c.consume({ topics: ['batch-platformatic'], mode: 'earliest' });
      let got = 0;
      let start = 0;
      for await (const _m of stream) {
        if (start === 0) start = performance.now();
        if (++got >= n) break;
      }
      const secs = (performance.now() - start) / 1000;
      await stream.close();
      await c.close(true);
      return secs;
    },
    async close() {
      await p.close();
    },
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(f: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
}

// ------------------------------------------------------------------ main

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const raw = await loopbackMBps();
console.log(`raw limit: loopback TCP ${raw.toFixed(0)} MB/s (one socket, 256 KiB writes)`);
const broker = await startBroker();
console.log(`broker: ${broker.kind} at ${broker.bootstrap}`);
console.log(`${ROUNDS} interleaved rounds after a warm-up round; ${RECORDS} batched / ${SINGLE} single records of ${VALUE.length} B per round; acks=all everywhere (Gregor: idempotent, its default)`);
try {
  const drivers: Driver[] = [];
  const factories: [string, () => Promise<Driver>][] = [
    ['gregor', () => gregorDriver(broker.bootstrap)],
    ['kafkajs', () => kafkajsDriver(broker.bootstrap)],
  ];
  if (broker.platformatic) factories.push(['@platformatic/kafka', () => platformaticDriver(broker.bootstrap)]);
  else console.log('@platformatic/kafka: skipped (needs ApiVersions v3; the mock cluster speaks v0-2)');
  for (const [name, make] of factories) {
    try {
      drivers.push(await make());
    } catch (e) {
      console.log(`${name} failed to start: ${(e as Error).message}`);
    }
  }
  const single = new Map<string, number[]>();
  const batch = new Map<string, number[]>();
  const lat = new Map<string, number[]>();
  const produced = new Map<string, number>();
  for (let round = 0; round <= ROUNDS; round++) {
    for (const d of drivers) {
      const s = await timed(() => d.single(round === 0 ? SINGLE / 4 : SINGLE, 1000));
      const b = await timed(() => d.batch(round === 0 ? RECORDS / 4 : RECORDS));
      produced.set(d.name, (produced.get(d.name) ?? 1) + (round === 0 ? RECORDS / 4 : RECORDS));
      if (round === 0) continue;
      (single.get(d.name) ?? single.set(d.name, []).get(d.name)!).push(SINGLE / s);
      (batch.get(d.name) ?? batch.set(d.name, []).get(d.name)!).push(RECORDS / b);
    }
    if (round > 0) process.stdout.write(`round ${round} done\n`);
  }
  for (const d of drivers) lat.set(d.name, await d.sequential(SEQUENTIAL));
  for (const d of drivers) {
    results.push({ client: d.name, test: 'single-record send', recordsPerSec: median(single.get(d.name)!), mbps: (median(single.get(d.name)!) * VALUE.length) / 1e6, extra: `sequential p50 ${pct(lat.get(d.name)!, 50).toFixed(2)} ms p99 ${pct(lat.get(d.name)!, 99).toFixed(2)} ms` });
    results.push({ client: d.name, test: 'batched produce', recordsPerSec: median(batch.get(d.name)!), mbps: (median(batch.get(d.name)!) * VALUE.length) / 1e6, extra: d.name === 'gregor' ? 'one send() per record, linger.ms=5, batch.size=256KiB' : 'send() of 1000-record arrays, 5 in flight' });
  }
  for (const d of drivers) {
    const topic = `batch-${d.name === '@platformatic/kafka' ? 'platformatic' : d.name}`;
    const n = await available(broker.bootstrap, topic);
    const secs = await d.consume(n);
    results.push({ client: d.name, test: 'consume', recordsPerSec: n / secs, mbps: (n * VALUE.length) / 1e6 / secs, extra: `${n} records, group, timed from the first record` });
    await d.close();
  }
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
