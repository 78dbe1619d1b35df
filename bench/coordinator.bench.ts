// Group coordinator figures, each beside the floor measured in the same run:
//   OffsetCommit (one partition per commit) through GroupCoordinator onto real PartitionLogs, commits/s and
//     latency percentiles at 1 / 16 / 128 commits in flight, vs PartitionLog.append of the same one-record batch;
//   a rebalance of N members (JoinGroup x N -> SyncGroup x N, in process, initial delay 0): time to Stable;
//   start-up replay of __consumer_offsets holding many commits: offsets/s loaded, vs reading the same bytes raw.
// Run: npm run bench coordinator   (or: node --import tsx bench/coordinator.bench.ts)
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GroupCoordinator, type OffsetsTopic } from '../src/coordinator/index.js';
import { encodeOffsetCommitKey, encodeOffsetCommitValue } from '../src/coordinator/records.js';
import { encodeRecordBatch } from '../src/protocol/records/record-batch.js';
import { PartitionLog } from '../src/storage/index.js';

const PARTITIONS = 50;
const ctx = { apiVersion: 8, clientId: 'bench', clientHost: '127.0.0.1' };

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function row(cols: (string | number)[]): void {
  console.log(cols.map((c, i) => (typeof c === 'number' ? c.toFixed(c >= 100 ? 0 : 2) : c).toString().padStart(i === 0 ? 44 : 12)).join(''));
}

async function openTopic(dir: string): Promise<{ topic: OffsetsTopic; logs: PartitionLog[] }> {
  const logs: PartitionLog[] = [];
  for (let p = 0; p < PARTITIONS; p++) logs.push(await PartitionLog.open({ dir: join(dir, `__consumer_offsets-${p}`), topicPartition: { topic: '__consumer_offsets', partition: p } }));
  const topic: OffsetsTopic = {
    async append(partition, batch) {
      const info = await logs[partition]!.append(batch);
      return BigInt(info.firstOffset);
    },
    async *readAll(partition) {
      const log = logs[partition]!;
      let offset = log.logStartOffset;
      while (offset < log.logEndOffset) {
        const r = await log.read(offset, 1 << 20, log.logEndOffset, true);
        if (r.data.length === 0 || r.nextOffset <= offset) break;
        yield r.data;
        offset = r.nextOffset;
      }
    },
  };
  return { topic, logs };
}

async function measure(total: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<{ perSec: number; lat: number[] }> {
  const lat: number[] = [];
  const t0 = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const s = performance.now();
      await op(i);
      lat.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const ms = performance.now() - t0;
  lat.sort((a, b) => a - b);
  return { perSec: (total / ms) * 1000, lat };
}

async function commits(dir: string): Promise<void> {
  console.log('\nOffsetCommit, one partition per request, onto PartitionLog (page cache, no fsync)');
  row(['', 'commits/s', 'p50 ms', 'p99 ms', 'vs floor']);
  const { topic, logs } = await openTopic(join(dir, 'commits'));
  const gc = new GroupCoordinator({ offsetsTopic: topic, node: () => ({ nodeId: 0, host: 'h', port: 1 }) });
  await gc.startup();
  const batch = encodeRecordBatch({
    records: [{ key: encodeOffsetCommitKey('bench-group', 'topic', 0), value: encodeOffsetCommitValue({ offset: 1n, leaderEpoch: -1, metadata: '', commitTimestamp: Date.now(), expireTimestamp: null }) }],
  });
  const total = Number(process.env.COORDINATOR_BENCH_COMMITS ?? 20_000);
  for (const inFlight of [1, 16, 128]) {
    const floor = await measure(total, inFlight, () => logs[7]!.append(Buffer.from(batch)));
    const ours = await measure(total, inFlight, (i) =>
      gc.handleOffsetCommit(
        { groupId: `group-${inFlight % 7}`, generationIdOrMemberEpoch: -1, memberId: '', topics: [{ name: 'topic', partitions: [{ partitionIndex: i % 6, committedOffset: BigInt(i), committedMetadata: null }] }] },
        ctx,
      ),
    );
    row([`PartitionLog.append (floor), ${inFlight} in flight`, floor.perSec, pct(floor.lat, 50), pct(floor.lat, 99), '']);
    row([`GroupCoordinator commit, ${inFlight} in flight`, ours.perSec, pct(ours.lat, 50), pct(ours.lat, 99), `${((ours.perSec / floor.perSec) * 100).toFixed(0)}%`]);
  }
  await gc.shutdown();

  // Start-up replay of everything written above (plus a bulk of extra commits).
  const extra = Number(process.env.COORDINATOR_BENCH_REPLAY ?? 200_000);
  const perBatch = 100;
  for (let i = 0; i < extra; i += perBatch) {
    const records = Array.from({ length: perBatch }, (_, j) => ({
      key: encodeOffsetCommitKey(`replay-${(i + j) % 1000}`, 'topic', (i + j) % 12),
      value: encodeOffsetCommitValue({ offset: BigInt(i + j), leaderEpoch: -1, metadata: '', commitTimestamp: Date.now(), expireTimestamp: null }),
    }));
    await logs[(i / perBatch) % PARTITIONS]!.append(encodeRecordBatch({ records }));
  }
  let bytes = 0;
  const rawStart = performance.now();
  for (let p = 0; p < PARTITIONS; p++) for await (const chunk of topic.readAll(p)) bytes += chunk.length;
  const rawMs = performance.now() - rawStart;
  const loader = new GroupCoordinator({ offsetsTopic: topic, node: () => ({ nodeId: 0, host: 'h', port: 1 }) });
  const t0 = performance.now();
  await loader.startup();
  const ms = performance.now() - t0;
  const records = extra + total * 6;
  console.log('\nStart-up replay of __consumer_offsets');
  row(['', 'records/s', 'MB/s', 'ms', '']);
  row([`read all partitions raw (floor), ${(bytes / 1e6).toFixed(1)} MB`, (records / rawMs) * 1000, bytes / 1e6 / (rawMs / 1000), rawMs, '']);
  row([`GroupCoordinator.startup (decode + rebuild)`, (records / ms) * 1000, bytes / 1e6 / (ms / 1000), ms, '']);
  await loader.shutdown();
  for (const l of logs) await l.close();
}

async function rebalance(): Promise<void> {
  console.log('\nRebalance in process: N members JoinGroup (v3) then SyncGroup, initial delay 0');
  row(['', 'ms', 'per member', '', '']);
  const topic: OffsetsTopic = {
    append: async () => 0n,
    async *readAll() {},
  };
  for (const n of [10, 100, 1000]) {
    const gc = new GroupCoordinator({ offsetsTopic: topic, node: () => ({ nodeId: 0, host: 'h', port: 1 }), config: { groupInitialRebalanceDelayMs: 0 } });
    await gc.startup();
    const sub = Buffer.alloc(64, 1);
    const t0 = performance.now();
    const joins = Array.from({ length: n }, (_, i) =>
      gc.handleJoinGroup(
        { groupId: 'g', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: sub }] },
        { ...ctx, apiVersion: 3, clientId: `c${i}` },
      ),
    );
    const results = await Promise.all(joins);
    const leader = results.find((r) => r.leader === r.memberId);
    if (!leader) throw new Error('no leader');
    const gen = leader.generationId ?? -1;
    await Promise.all(
      results.map((r) =>
        gc.handleSyncGroup(
          { groupId: 'g', generationId: gen, memberId: r.memberId, assignments: r === leader ? results.map((x) => ({ memberId: x.memberId, assignment: sub })) : [] },
          { ...ctx, apiVersion: 3 },
        ),
      ),
    );
    const ms = performance.now() - t0;
    row([`${n} members`, ms, ms / n, '', '']);
    await gc.shutdown();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'gregor-coordinator-bench-'));
// The coordinator's timers are unref'd (they must never keep a broker alive): hold the loop open ourselves.
const keepAlive = setInterval(() => {}, 1000);
try {
  await commits(dir);
  await rebalance();
} finally {
  clearInterval(keepAlive);
  await rm(dir, { recursive: true, force: true });
}
