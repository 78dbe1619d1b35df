import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LogManager, ManualClock } from '../../src/storage/index.js';
import { batch, tempDir } from './helpers.js';

test('log dirs carry Kafka\'s files; a clean shutdown reopens without recovery', async () => {
  const tmp = await tempDir();
  try {
    const dirs = [join(tmp.path, 'd1'), join(tmp.path, 'd2')];
    const clock = new ManualClock();
    let m = await LogManager.open({ logDirs: dirs, clusterId: 'abc', nodeId: 3, clock });
    const tps = [0, 1, 2, 3].map((p) => ({ topic: 'orders', partition: p }));
    for (const tp of tps) {
      const log = await m.getOrCreateLog(tp, { topicId: 'eAg8N_3ITseGgjYoGDo0-g' });
      for (let i = 0; i < 3 + tp.partition; i++) await log.append(batch({ count: 2 }), { leaderEpoch: 5 });
      log.highWatermark = log.logEndOffset;
    }
    assert.equal(await (await m.getOrCreateLog(tps[0]!)).logEndOffset, 6, 'getOrCreateLog returns the existing log');
    await m.close();

    // Partitions are spread over the dirs; each dir has meta.properties, checkpoints and the marker.
    const spread = await Promise.all(dirs.map(async (d) => (await readdir(d)).filter((n) => n.startsWith('orders-')).length));
    assert.deepEqual(spread, [2, 2]);
    for (const d of dirs) {
      const names = await readdir(d);
      for (const f of ['meta.properties', 'recovery-point-offset-checkpoint', 'replication-offset-checkpoint', 'log-start-offset-checkpoint', '.kafka_cleanshutdown']) {
        assert.ok(names.includes(f), `${d}/${f}`);
      }
      const meta = await readFile(join(d, 'meta.properties'), 'utf8');
      assert.match(meta, /cluster\.id=abc/);
      assert.match(meta, /node\.id=3/);
      assert.match(meta, /version=1/);
      const rp = (await readFile(join(d, 'recovery-point-offset-checkpoint'), 'utf8')).split('\n');
      assert.equal(rp[0], '0');
      assert.equal(rp[1], '2');
      assert.match(rp[2]!, /^orders \d \d+$/);
    }
    const p0 = dirs.map((d) => join(d, 'orders-0')).find((p) => stat(p).then(() => true, () => false));
    const pdir = (await Promise.all(dirs.map(async (d) => ((await readdir(d)).includes('orders-0') ? join(d, 'orders-0') : null)))).find(Boolean)!;
    assert.ok(p0);
    assert.equal(await readFile(join(pdir, 'partition.metadata'), 'utf8'), 'version: 0\ntopic_id: eAg8N_3ITseGgjYoGDo0-g\n');
    assert.equal(await readFile(join(pdir, 'leader-epoch-checkpoint'), 'utf8'), '0\n1\n5 0\n');

    m = await LogManager.open({ logDirs: dirs, clusterId: 'abc', nodeId: 3, clock });
    assert.deepEqual(m.uncleanDirs, []);
    for (const tp of tps) {
      const log = m.getLog(tp)!;
      assert.equal(log.openStats.recoveredSegments, 0);
      assert.equal(log.logEndOffset, 2 * (3 + tp.partition));
      assert.equal(log.highWatermark, log.logEndOffset, 'high watermark restored from replication-offset-checkpoint');
    }
    // The marker is gone while running: a crash now counts as unclean.
    for (const d of dirs) assert.ok(!(await readdir(d)).includes('.kafka_cleanshutdown'));
    await m.deleteLog(tps[0]!);
    assert.equal(m.getLog(tps[0]!), undefined);
    assert.ok(!(await readdir(pdir.replace(/orders-0$/, ''))).some((n) => n.startsWith('orders-0')));
    await m.close();

    await assert.rejects(LogManager.open({ logDirs: dirs, clusterId: 'other', nodeId: 3 }), /belongs to cluster/);
  } finally {
    await tmp.cleanup();
  }
});

test('without the marker, logs are recovered from their recovery point', async () => {
  const tmp = await tempDir();
  try {
    const dirs = [join(tmp.path, 'd')];
    const m = await LogManager.open({ logDirs: dirs });
    const log = await m.getOrCreateLog({ topic: 'a', partition: 0 });
    for (let i = 0; i < 5; i++) await log.append(batch());
    await m.checkpointAll();
    // Simulate a crash: no close(), no marker. (Close the log's files so the test leaks nothing.)
    await log.close();
    const again = await LogManager.open({ logDirs: dirs });
    assert.deepEqual(again.uncleanDirs, dirs);
    const l2 = again.getLog({ topic: 'a', partition: 0 })!;
    assert.ok(l2.openStats.recoveredSegments >= 1);
    assert.equal(l2.logEndOffset, 5);
    await again.close();
  } finally {
    await tmp.cleanup();
  }
});

test('thousands of partitions open in seconds with a capped number of open files', { timeout: 120_000 }, async () => {
  const tmp = await tempDir();
  try {
    const dirs = [join(tmp.path, 'd')];
    const N = 2000;
    let m = await LogManager.open({ logDirs: dirs, maxOpenFiles: 64 });
    for (let p = 0; p < N; p++) {
      const log = await m.getOrCreateLog({ topic: 'many', partition: p });
      await log.append(batch({ count: 3 }));
    }
    assert.ok(m.pool.openCount <= 64 + 1, `open files ${m.pool.openCount}`);
    await m.close();
    const t0 = performance.now();
    m = await LogManager.open({ logDirs: dirs, maxOpenFiles: 64 });
    const ms = performance.now() - t0;
    assert.equal(m.allLogs().length, N);
    assert.ok(ms < 10_000, `open took ${ms.toFixed(0)} ms`);
    console.log(`# opened ${N} partitions in ${ms.toFixed(0)} ms`);
    // Every log is usable and the fd cap holds while touching all of them.
    for (const log of m.allLogs()) assert.equal((await log.read(0, 1000)).data.length > 0, true);
    assert.ok(m.pool.openCount <= 65);
    await m.close();
  } finally {
    await tmp.cleanup();
  }
});

test('retention and flush.ms run through the manager with the injected clock', async () => {
  const tmp = await tempDir();
  try {
    const clock = new ManualClock(0);
    const m = await LogManager.open({ logDirs: [join(tmp.path, 'd')], clock, defaultConfig: { retentionMs: 1000, flushMs: 500, fileDeleteDelayMs: 0 } });
    const log = await m.getOrCreateLog({ topic: 'ret', partition: 0 });
    await log.append(batch({ timestamp: 0 }));
    await log.forceRoll();
    await log.append(batch({ timestamp: 0 }));
    log.highWatermark = log.logEndOffset;
    assert.equal(log.recoveryPoint, 1);
    clock.set(600);
    await m.flushDirtyLogs();
    assert.equal(log.recoveryPoint, 2, 'flush.ms elapsed: flushed');
    assert.equal(await m.runRetention(), 0);
    clock.set(1001);
    assert.equal(await m.runRetention(), 1);
    assert.equal(log.logStartOffset, 1);
    const lso = await readFile(join(tmp.path, 'd', 'log-start-offset-checkpoint'), 'utf8');
    assert.equal(lso, '0\n1\nret 0 1\n');
    await m.close();
  } finally {
    await tmp.cleanup();
  }
});

test('the manager cleans compacted logs and checkpoints the cleaner position', async () => {
  const tmp = await tempDir();
  try {
    const clock = new ManualClock(0);
    const dirs = [join(tmp.path, 'd')];
    const m = await LogManager.open({
      logDirs: dirs,
      clock,
      topicConfig: (topic) => (topic === 'compacted' ? { cleanupPolicy: 'compact', segmentBytes: 2000 } : undefined),
    });
    const c = await m.getOrCreateLog({ topic: 'compacted', partition: 0 });
    const d = await m.getOrCreateLog({ topic: 'plain', partition: 0 });
    for (let i = 0; i < 100; i++) {
      await c.append(batch({ keys: [`k${i % 5}`], values: [`v${i}`] }));
      await d.append(batch({ keys: [`k${i % 5}`], values: [`v${i}`] }));
    }
    await c.forceRoll();
    c.highWatermark = c.logEndOffset;
    d.highWatermark = d.logEndOffset;
    const before = c.size;
    assert.equal(await m.runCleaner(), true);
    assert.ok(c.size < before / 4, `compacted ${before} -> ${c.size}`);
    assert.equal(await m.runCleaner(), false, 'nothing dirty any more, and delete-policy logs are never cleaned');
    const cp = await readFile(join(dirs[0]!, 'cleaner-offset-checkpoint'), 'utf8');
    assert.equal(cp, '0\n1\ncompacted 0 100\n');
    await m.close();
    const again = await LogManager.open({ logDirs: dirs, clock, topicConfig: (t) => (t === 'compacted' ? { cleanupPolicy: 'compact' } : undefined) });
    assert.equal(again.cleaner.firstDirtyOffset(again.getLog({ topic: 'compacted', partition: 0 })!), 100);
    await again.close();
  } finally {
    await tmp.cleanup();
  }
});
