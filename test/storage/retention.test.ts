import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock, PartitionLog, OffsetOutOfRangeError, type LogConfig } from '../../src/storage/index.js';
import { iterateBatches } from '../../src/protocol/records/batch-view.js';
import { batch, tempDir } from './helpers.js';

const TP = { topic: 'r', partition: 0 };

async function openLog(config: Partial<LogConfig>) {
  const tmp = await tempDir();
  const clock = new ManualClock(1_000_000);
  const dir = join(tmp.path, 'r-0');
  const log = await PartitionLog.open({ dir, topicPartition: TP, config, clock });
  return { log, dir, clock, done: async () => (await log.close(), await tmp.cleanup()) };
}

/** 10 segments of 5 batches, batch timestamps = 1000 * (segment index) ms. */
async function fill(log: PartitionLog): Promise<void> {
  for (let s = 0; s < 10; s++) {
    for (let b = 0; b < 5; b++) await log.append(batch({ count: 1, valueSize: 100, timestamp: 1000 * s + b }));
    await log.forceRoll();
  }
  log.highWatermark = log.logEndOffset;
}

test('retention.ms by largest timestamp with an injected clock; .deleted files removed after file.delete.delay.ms', async () => {
  const { log, dir, clock, done } = await openLog({ retentionMs: 5000, fileDeleteDelayMs: 50, segmentMs: 1e12 });
  try {
    await fill(log);
    assert.equal(log.segments.length, 11); // 10 full + empty active
    clock.set(8000); // segments whose largest timestamp is older than 3000 expire: s = 0, 1, 2 (largest 2004)
    assert.equal(await log.deleteOldSegments(), 3);
    assert.equal(log.logStartOffset, 15);
    assert.equal(log.segments[0]!.baseOffset, 15);
    const names = await readdir(dir);
    assert.ok(names.some((n) => n.endsWith('.log.deleted')), 'renamed to .deleted first');
    await assert.rejects(log.read(0, 100), OffsetOutOfRangeError);
    assert.equal([...iterateBatches((await log.read(15, 1)).data)][0]!.baseOffset, 15);
    await sleep(150);
    assert.ok(!(await readdir(dir)).some((n) => n.endsWith('.deleted')), 'deleted after the delay');
    // Far in the future everything but the active segment goes.
    clock.set(1e9);
    assert.equal(await log.deleteOldSegments(), 7);
    assert.equal(log.segments.length, 1, 'the active segment is never deleted');
    assert.equal(log.logStartOffset, 50);
    assert.equal(log.logEndOffset, 50);
  } finally {
    await done();
  }
});

test('retention.bytes deletes oldest segments while the log stays over the limit; never above the high watermark', async () => {
  const { log, done } = await openLog({ retentionBytes: 3000, retentionMs: -1, segmentMs: 1e12 });
  try {
    await fill(log);
    const segSize = log.segments[0]!.size;
    log.highWatermark = 20; // only segments wholly below offset 20 may go
    assert.equal(await log.deleteOldSegments(), 4);
    assert.equal(log.logStartOffset, 20);
    log.highWatermark = log.logEndOffset;
    await log.deleteOldSegments();
    // Kafka's rule: delete the oldest segment while the log stays at or above retention.bytes without it.
    assert.ok(log.size - segSize < 3000, `size ${log.size}`);
    assert.equal(log.logStartOffset, 30);
  } finally {
    await done();
  }
});

test('cleanup.policy=compact alone never deletes by time', async () => {
  const { log, clock, done } = await openLog({ retentionMs: 1, cleanupPolicy: 'compact', segmentMs: 1e12 });
  try {
    await fill(log);
    clock.set(1e12);
    assert.equal(await log.deleteOldSegments(), 0);
  } finally {
    await done();
  }
});

test('DeleteRecords moves the log start offset and drops whole segments below it', async () => {
  const { log, done } = await openLog({ segmentMs: 1e12 });
  try {
    await fill(log);
    log.highWatermark = 30;
    await assert.rejects(log.deleteRecordsBefore(31), OffsetOutOfRangeError);
    assert.equal(await log.deleteRecordsBefore(12), 12);
    assert.equal(log.logStartOffset, 12);
    assert.equal(log.segments[0]!.baseOffset, 10, 'the segment holding offset 12 stays');
    await assert.rejects(log.read(11, 100), OffsetOutOfRangeError);
    const r = await log.read(12, 1);
    assert.equal([...iterateBatches(r.data)][0]!.baseOffset, 12);
    assert.equal((await log.offsetForTimestamp(-2))?.offset, 12);
  } finally {
    await done();
  }
});

test('truncateTo removes offsets at and above the target, across segments, and appends continue', async () => {
  const { log, dir, done } = await openLog({ segmentMs: 1e12 });
  try {
    await fill(log);
    for (let i = 0; i < 5; i++) await log.append(batch({ count: 2 }), { leaderEpoch: 3 });
    assert.equal(log.logEndOffset, 60);
    assert.equal(await log.truncateTo(57), 56, 'batch [56,57] straddles the target: cut at its start');
    assert.equal(await log.truncateTo(23), 23);
    assert.equal(log.logEndOffset, 23);
    assert.equal(log.highWatermark, 23);
    assert.equal(log.activeSegment.baseOffset, 20);
    assert.ok(!(await readdir(dir)).some((n) => n === '00000000000000000025.log'));
    assert.deepEqual(log.leaderEpochCache.all.map((e) => e.epoch), [], 'epoch 3 started at 50 and is gone');
    const info = await log.append(batch({ count: 2 }));
    assert.equal(info.firstOffset, 23);
    const offs: number[] = [];
    for (let o = 20; o < log.logEndOffset; ) {
      const r = await log.read(o, 1 << 20);
      offs.push(...[...iterateBatches(r.data)].map((v) => v.baseOffset));
      o = r.nextOffset;
    }
    assert.deepEqual(offs, [20, 21, 22, 23]);
    await log.truncateFullyAndStartAt(100);
    assert.equal(log.logStartOffset, 100);
    assert.equal(log.logEndOffset, 100);
    assert.equal((await log.append(batch())).firstOffset, 100);
  } finally {
    await done();
  }
});
