// librdkafka's mock Kafka cluster (rd_kafka_mock_cluster_new) as a child process: a real Kafka peer for
// client and CLI tests that do not need Gregor's broker. The tiny C wrapper (mock-cluster.c) is compiled
// on first use against the installed librdkafka-dev into the build cache.
import { existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cacheDir, REPO_ROOT, shortHash } from './build-cache.js';
import { runChecked, spawnTracked, stopProcess } from './process.js';

export interface MockTopic {
  name: string;
  partitions: number;
  /** Replicas per partition, <= brokers (default 1). */
  replicationFactor?: number;
}

export interface MockClusterOptions {
  /** Number of brokers, ids 1..N (default 1). */
  brokers?: number;
  /** Topics created up front (the mock also auto-creates topics on Metadata requests). */
  topics?: MockTopic[];
  startTimeoutMs?: number;
}

export interface MockCluster {
  /** Comma separated host:port list, as librdkafka's mock reports it. */
  bootstrap: string;
  brokers: string[];
  pid: number;
  stop(): Promise<void>;
}

const SOURCE = join(REPO_ROOT, 'test', 'helpers', 'mock-cluster.c');
let building: Promise<string> | undefined;

/** Compiles mock-cluster.c once per source version; returns the binary's path. */
export function buildMockClusterBinary(): Promise<string> {
  building ??= (async () => {
    if (!existsSync('/usr/include/librdkafka/rdkafka_mock.h')) {
      throw new Error('librdkafka-dev is not installed (run scripts/install-system-deps.sh as root)');
    }
    const src = await readFile(SOURCE);
    const bin = join(cacheDir(), `mock-cluster-${shortHash(src)}`);
    if (existsSync(bin)) return bin;
    // Compile to a private name and rename: parallel test processes may build at the same time.
    const tmp = `${bin}.${process.pid}.tmp`;
    await runChecked('gcc', ['-O1', '-Wall', '-o', tmp, SOURCE, '-lrdkafka'], { timeoutMs: 120_000 });
    await rename(tmp, bin);
    return bin;
  })();
  building.catch(() => {
    building = undefined;
  });
  return building;
}

export async function startMockCluster(opts: MockClusterOptions = {}): Promise<MockCluster> {
  const bin = await buildMockClusterBinary();
  const args = ['--brokers', String(opts.brokers ?? 1)];
  for (const t of opts.topics ?? []) {
    if (!/^[A-Za-z0-9._-]+$/.test(t.name)) throw new Error(`invalid topic name for the mock cluster: ${t.name}`);
    args.push('--topic', `${t.name}:${t.partitions}:${t.replicationFactor ?? 1}`);
  }
  // stdin stays an open pipe: the mock exits when it closes, i.e. when this process dies in any way.
  const child = spawnTracked(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const timeoutMs = opts.startTimeoutMs ?? 15_000;
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stopProcess(child, 'SIGKILL');
      reject(new Error(`mock cluster did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const m = /^BOOTSTRAP (\S+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`mock cluster exited early (${code ?? signal}): ${stderr}`));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  return {
    bootstrap,
    brokers: bootstrap.split(','),
    pid: child.pid!,
    stop: () => stopProcess(child, 'SIGTERM', 5000),
  };
}
