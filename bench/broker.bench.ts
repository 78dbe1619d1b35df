// Broker throughput and latency with a third-party load generator (librdkafka's rdkafka_performance, built by
// scripts/build-rdkafka-perf.sh), beside the machine's raw limits measured in the same run:
//   - raw loopback TCP (one Node process pushing bytes to itself through a socket pair),
//   - raw file append (sequential 1 MiB writes to a temp file, as a log segment is written).
// Matrix: 100 B and 1 KiB records x 1 and 8 partitions x acks=1 and acks=all, produce then consume records/s and
// MB/s (flat out); producer ack latency and end-to-end (produce -> consume) latency percentiles at ~10 MB/s.
// The broker runs as a child process (`gregor server`, from source through tsx), data in a temp dir.
// Environment: BENCH_QUICK=1 runs a smaller matrix; BENCH_MALLOC=default starts the broker with glibc malloc defaults.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.env.BENCH_QUICK === '1';

function perfBinary(): string {
  const r = spawnSync('bash', [join(REPO, 'scripts/build-rdkafka-perf.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const bin = r.stdout.trim().split('\n').at(-1);
  if (r.status !== 0 || !bin) throw new Error('could not build rdkafka_performance (scripts/build-rdkafka-perf.sh)');
  return bin;
}

async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

// glibc malloc settings for the broker process (what `npm start` / kafka-server-start.sh should use too; see
// docs/broker.md "Memory allocator"). Request buffers of ~1 MiB are freed in bulk by each GC; with glibc's defaults
// the heap is trimmed and regrown continually and the broker spends 0.5-1 s more system time per GB produced at
// 1 KiB records. Serving large buffers from the heap and keeping freed memory (trim threshold, top pad) removes that.
// BENCH_MALLOC=default runs with glibc's defaults (to compare).
const BROKER_MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=536870912:glibc.malloc.top_pad=67108864';

function brokerEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GREGOR_LOG_LEVEL: 'warn' };
  if (process.env.BENCH_MALLOC !== 'default' && env.GLIBC_TUNABLES === undefined) env.GLIBC_TUNABLES = BROKER_MALLOC_TUNABLES;
  return env;
}

async function startBroker(dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    // Same V8 options as `npm start` / kafka-server-start.sh.
    ['--max-semi-space-size=64', '--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'server', '--override', `listeners=PLAINTEXT://127.0.0.1:${port}`, '--override', `log.dirs=${dir}`, '--override', 'group.initial.rebalance.delay.ms=0'],
    { cwd: REPO, env: brokerEnv(), stdio: ['ignore', 'inherit', 'inherit'] },
  );
  for (let i = 0; i < 300; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('broker did not start');
}

function run(bin: string, args: string[], timeoutMs = 300_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      // rdkafka_performance sometimes exits 1 after a complete run (its own bookkeeping); the caller parses the
      // summary line and fails if it is missing.
      if (code === 0 || code === 1) resolve(out);
      else reject(new Error(`${bin} ${args.join(' ')} exited ${code}:\n${out.slice(-2000)}`));
    });
  });
}

function percentiles(values: number[]): { p50: number; p99: number; p999: number; max: number } {
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number): number => v[Math.min(v.length - 1, Math.floor(q * v.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: v[v.length - 1] ?? NaN };
}

async function readLatencies(file: string): Promise<number[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((l) => Number(l) / 1000); // us -> ms
}

// ---------------------------------------------------------------- raw limits

async function rawLoopbackMBps(totalBytes: number): Promise<number> {
  const server = createServer((s) => {
    s.on('data', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  await once(client, 'connect');
  const chunk = Buffer.alloc(256 * 1024, 7);
  const start = process.hrtime.bigint();
  let sent = 0;
  while (sent < totalBytes) {
    if (!client.write(chunk)) await once(client, 'drain');
    sent += chunk.length;
  }
  await new Promise<void>((r) => client.end(r));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  client.destroy();
  await new Promise((r) => server.close(r));
  return sent / 1e6 / secs;
}

async function rawAppendMBps(dir: string, totalBytes: number): Promise<number> {
  const fh = await open(join(dir, 'raw-append.bin'), 'a');
  const chunk = Buffer.alloc(1024 * 1024, 3);
  const start = process.hrtime.bigint();
  for (let n = 0; n < totalBytes; n += chunk.length) await fh.write(chunk);
  await fh.datasync();
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  await fh.close();
  await rm(join(dir, 'raw-append.bin'));
  return totalBytes / 1e6 / secs;
}

// ---------------------------------------------------------------- broker runs

interface Row {
  test: string;
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  p50?: number;
  p99?: number;
  p999?: number;
}

const PRODUCED = /(\d+) messages produced \((\d+) bytes\).*in (\d+)ms: (\d+) msgs\/s and ([\d.]+) MB\/s/;
const CONSUMED = /(\d+) messages \((\d+) bytes\) consumed in (\d+)ms: (\d+) msgs\/s \(([\d.]+) MB\/s\)/;

async function main(): Promise<void> {
  const bin = perfBinary();
  const dir = await mkdtemp(join(tmpdir(), 'gregor-bench-'));
  const rows: Row[] = [];
  let broker: ChildProcess | undefined;
  try {
    const loop = await rawLoopbackMBps(QUICK ? 512e6 : 2e9);
    const disk = await rawAppendMBps(dir, QUICK ? 256e6 : 1e9);
    console.log(`raw loopback TCP: ${loop.toFixed(0)} MB/s   raw file append (1 MiB writes + fdatasync): ${disk.toFixed(0)} MB/s`);

    const port = await freePort();
    console.log(`broker: node --max-semi-space-size=64, GLIBC_TUNABLES=${brokerEnv().GLIBC_TUNABLES ?? '(glibc defaults)'}`);
    broker = await startBroker(dir, port);
    const bootstrap = `127.0.0.1:${port}`;
    const common = ['-b', bootstrap, '-q', '-X', 'api.version.request=true'];
    // End-to-end latency at about 10 MB/s: 8 KiB records at 1250/s, producer and consumer both in -l mode.
    const e2eTopic = 'bench-e2e';
    await createTopic(bootstrap, e2eTopic, 1);
    const e2eFile = join(dir, 'e2e.lat');
    const n = QUICK ? 2500 : 10000;
    const consumer = run(bin, ['-C', '-t', e2eTopic, '-p', '0', ...common, '-o', 'end', '-c', String(n), '-l', '-A', e2eFile, '-X', 'fetch.wait.max.ms=100', '-X', 'fetch.error.backoff.ms=0']);
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    const ackFile = join(dir, 'ack.lat');
    await run(bin, ['-P', '-t', e2eTopic, '-p', '0', ...common, '-s', '8192', '-c', String(n), '-r', '1250', '-a', '-1', '-l', '-A', ackFile, '-X', 'linger.ms=0']);
    const secs = (Date.now() - t0) / 1000;
    await consumer;
    // The first records wait for the producer's own connection set-up; skip the first 10% (warm-up).
    const all = await readLatencies(e2eFile);
    const e2e = percentiles(all.slice(Math.floor(all.length / 10)));
    const rate = { records: n, recordsPerSec: Math.round(n / secs), mbPerSec: Number(((n * 8192) / 1e6 / secs).toFixed(2)) };
    rows.push({ test: 'end-to-end 8 KiB acks=all (~10 MB/s)', ...rate, ...e2e });
    const acksAll = await readLatencies(ackFile);
    rows.push({ test: 'produce ack 8 KiB acks=all (~10 MB/s)', ...rate, ...percentiles(acksAll.slice(Math.floor(acksAll.length / 10))) });
    // Free the disk and page cache between runs so later runs do not pay for earlier runs' writeback.
    await deleteTopic(bootstrap, e2eTopic);

    for (const size of [100, 1024]) {
      for (const partitions of [1, 8]) {
        for (const acks of [1, -1]) {
          const topic = `bench-${size}-${partitions}-${acks === -1 ? 'all' : acks}`;
          const count = QUICK ? 200_000 : size === 100 ? 2_000_000 : 500_000;
          await createTopic(bootstrap, topic, partitions);
          // Throughput runs go flat out without -l: per-message latency bookkeeping costs the client more CPU than
          // the broker spends, and latency at saturation is only queueing. Latency is measured at a set rate above.
          const out = await run(bin, ['-P', '-t', topic, ...common, '-s', String(size), '-c', String(count), '-a', String(acks), '-X', 'linger.ms=5', '-X', 'batch.num.messages=100000', '-X', 'batch.size=4000000', '-X', 'queue.buffering.max.messages=2000000', '-X', 'queue.buffering.max.kbytes=2000000']);
          const m = PRODUCED.exec(out);
          if (!m) throw new Error(`unexpected producer output:\n${out}`);
          rows.push({ test: `produce ${size} B, ${partitions} part, acks=${acks === -1 ? 'all' : acks}`, records: Number(m[1]), recordsPerSec: Number(m[4]), mbPerSec: Number(m[5]) });
          console.log(JSON.stringify(rows.at(-1)));
          if (acks === 1) {
            const parts = Array.from({ length: partitions }, (_, i) => ['-p', String(i)]).flat();
            // Queue mode (no -B): rdkafka_performance's batch mode calls rd_kafka_consume_batch on the first -p
            // partition only, with a 1 s timeout, so with 8 partitions it measured its own waits (~175k records/s
            // while the broker had answered every record within 80 ms), not the broker.
            const cout = await run(bin, ['-C', '-t', topic, ...parts, ...common, '-o', 'beginning', '-c', String(count), '-X', 'fetch.wait.max.ms=100', '-X', 'fetch.message.max.bytes=4194304']);
            const c = CONSUMED.exec(cout);
            if (!c) throw new Error(`unexpected consumer output:\n${cout}`);
            rows.push({ test: `consume ${size} B, ${partitions} part`, records: Number(c[1]), recordsPerSec: Number(c[4]), mbPerSec: Number(c[5]) });
            console.log(JSON.stringify(rows.at(-1)));
          }
          await deleteTopic(bootstrap, topic);
        }
      }
    }

    const load = (await import('node:os')).loadavg()[0]!.toFixed(1);
    console.log(`\nrdkafka_performance (librdkafka 2.0.2) against gregor server, one broker; load average ${load} on ${(await import('node:os')).cpus().length} cores:`);
    console.table(
      rows.map((r) => ({
        test: r.test,
        records: r.records,
        'records/s': r.recordsPerSec,
        'MB/s': r.mbPerSec,
        'p50 ms': r.p50?.toFixed(2) ?? '',
        'p99 ms': r.p99?.toFixed(2) ?? '',
        'p99.9 ms': r.p999?.toFixed(2) ?? '',
      })),
    );
    for (const r of rows.filter((x) => x.test.startsWith('produce 1024 B'))) {
      console.log(`${r.test}: ${r.mbPerSec} MB/s = ${((r.mbPerSec / disk) * 100).toFixed(0)}% of raw append (${disk.toFixed(0)} MB/s)`);
    }
  } finally {
    if (broker && broker.exitCode === null) {
      broker.kill('SIGTERM');
      await once(broker, 'exit');
    }
    await rm(dir, { recursive: true, force: true });
  }
}

async function deleteTopic(bootstrap: string, name: string): Promise<void> {
  const { encodeRequest, decodeResponse, FrameDecoder } = await import('../src/protocol/messages.js');
  const { ApiKeys } = await import('../src/protocol/generated/api-keys.js');
  const [host, port] = bootstrap.split(':');
  const s = connect(Number(port), host);
  await once(s, 'connect');
  const dec = new FrameDecoder();
  const got = new Promise<Buffer>((resolve) => s.on('data', (d: Buffer) => {
    const f = dec.push(d);
    if (f.length) resolve(f[0]!);
  }));
  s.write(encodeRequest(ApiKeys.DeleteTopics, 5, 1, 'bench', { topicNames: [name], timeoutMs: 10000 }));
  const body = decodeResponse(ApiKeys.DeleteTopics, 5, await got).body;
  s.destroy();
  if (body.responses[0]!.errorCode !== 0) throw new Error(`DeleteTopics ${name}: ${body.responses[0]!.errorMessage}`);
}

/** CreateTopics through the broker's own protocol (no extra tool needed). */
async function createTopic(bootstrap: string, name: string, partitions: number): Promise<void> {
  const { encodeRequest, decodeResponse, FrameDecoder } = await import('../src/protocol/messages.js');
  const { ApiKeys } = await import('../src/protocol/generated/api-keys.js');
  const [host, port] = bootstrap.split(':');
  const s = connect(Number(port), host);
  await once(s, 'connect');
  const dec = new FrameDecoder();
  const got = new Promise<Buffer>((resolve) => s.on('data', (d: Buffer) => {
    const f = dec.push(d);
    if (f.length) resolve(f[0]!);
  }));
  s.write(encodeRequest(ApiKeys.CreateTopics, 7, 1, 'bench', { topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10000, validateOnly: false }));
  const body = decodeResponse(ApiKeys.CreateTopics, 7, await got).body;
  s.destroy();
  if (body.topics[0]!.errorCode !== 0) throw new Error(`CreateTopics ${name}: ${body.topics[0]!.errorMessage}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
