import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import fc from 'fast-check';
import { LogCleaner, ManualClock, PartitionLog } from '../../src/storage/index.js';
import { iterateBatches } from '../../src/protocol/records/batch-view.js';
import { decodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { CompressionType } from '../../src/protocol/compression/types.js';
import { batch, tempDir } from './helpers.js';

interface Rec {
  offset: number;
  key: string | null;
  value: string | null;
}

async function readAll(log: PartitionLog): Promise<Rec[]> {
  const out: Rec[] = [];
  let o = log.logStartOffset;
  while (o < log.logEndOffset) {
    const r = await log.read(o, 1 << 20);
    for (const v of iterateBatches(r.data)) {
      assert.ok(v.isCrcValid(), 'cleaned batches carry valid CRCs');
      for (const rec of decodeRecordBatch(v).records) {
        if (rec.offset >= o) out.push({ offset: rec.offset, key: rec.key?.toString() ?? null, value: rec.value?.toString() ?? null });
      }
    }
    if (r.nextOffset === o) break;
    o = r.nextOffset;
  }
  return out;
}

const DELETE_RETENTION = 10_000;

const opArb = fc.array(
  fc.record({
    records: fc.array(fc.record({ key: fc.integer({ min: 0, max: 7 }), tombstone: fc.boolean() }), { minLength: 1, maxLength: 5 }),
    compression: fc.constantFrom(CompressionType.None, CompressionType.Gzip, CompressionType.Zstd),
  }),
  { minLength: 1, maxLength: 40 },
);

test('compaction property: latest value per key survives, offsets preserved and increasing, tombstones expire', async () => {
  await fc.assert(
    fc.asyncProperty(opArb, async (ops) => {
      const tmp = await tempDir();
      const clock = new ManualClock(1_000_000);
      const log = await PartitionLog.open({
        dir: join(tmp.path, 'c-0'),
        topicPartition: { topic: 'c', partition: 0 },
        config: { cleanupPolicy: 'compact', segmentBytes: 400, deleteRetentionMs: DELETE_RETENTION, segmentMs: 1e12 },
        clock,
      });
      try {
        const written: Rec[] = [];
        let n = 0;
        for (const op of ops) {
          const keys = op.records.map((r) => `k${r.key}`);
          const values = op.records.map((r) => (r.tombstone ? null : `v${n++}`));
          const info = await log.append(batch({ keys, values, compression: op.compression }));
          keys.forEach((k, i) => written.push({ offset: info.firstOffset + i, key: k, value: values[i]! }));
        }
        await log.forceRoll();
        log.highWatermark = log.logEndOffset;
        const latest = new Map<string, Rec>();
        for (const r of written) latest.set(r.key!, r);

        const cleaner = new LogCleaner(clock);
        await cleaner.clean(log);
        let after = await readAll(log);
        for (let i = 1; i < after.length; i++) assert.ok(after[i]!.offset > after[i - 1]!.offset, 'offsets strictly increase');
        // Exactly the latest record of every key remains, at its original offset (tombstones still inside horizon).
        assert.deepEqual(
          after,
          [...latest.values()].sort((a, b) => a.offset - b.offset),
        );
        assert.equal(log.logEndOffset, written.length, 'the log end offset never moves');

        // Past delete.retention.ms, a second pass removes the tombstones; values stay.
        clock.advance(DELETE_RETENTION + 1);
        await cleaner.clean(log);
        after = await readAll(log);
        assert.deepEqual(
          after,
          [...latest.values()].filter((r) => r.value !== null).sort((a, b) => a.offset - b.offset),
        );
        // New appends continue at the old log end.
        assert.equal((await log.append(batch({ keys: ['x'], values: ['y'] }))).firstOffset, written.length);
      } finally {
        await log.close();
        await tmp.cleanup();
      }
    }),
    { numRuns: 25 },
  );
});

test('cleaning does not block appends and respects min.cleanable.dirty.ratio', async () => {
  const tmp = await tempDir();
  const clock = new ManualClock(1_000_000);
  const log = await PartitionLog.open({
    dir: join(tmp.path, 'c-0'),
    topicPartition: { topic: 'c', partition: 0 },
    config: { cleanupPolicy: 'compact', segmentBytes: 4000, minCleanableDirtyRatio: 0.5, segmentMs: 1e12 },
    clock,
  });
  try {
    for (let i = 0; i < 400; i++) await log.append(batch({ keys: [`k${i % 10}`], values: [`v${i}`] }));
    await log.forceRoll();
    log.highWatermark = log.logEndOffset;
    const cleaner = new LogCleaner(clock);
    const d = await cleaner.dirtyInfo(log);
    assert.equal(d.ratio, 1);
    // Appends made while the cleaner runs complete promptly (they only touch the active segment).
    const cleaning = cleaner.cleanDirtiest([log]);
    const appended: number[] = [];
    for (let i = 0; i < 50; i++) appended.push((await log.append(batch({ keys: ['live'], values: [`${i}`] }))).firstOffset);
    assert.equal(await cleaning, true);
    assert.deepEqual(appended, Array.from({ length: 50 }, (_, i) => 400 + i));
    const recs = await readAll(log);
    assert.deepEqual(
      recs.filter((r) => r.offset < 400).map((r) => r.value),
      Array.from({ length: 10 }, (_, i) => `v${390 + i}`),
    );
    assert.equal(recs.filter((r) => r.key === 'live').length, 50, 'the active segment is untouched');
    // Now clean: ratio 0, nothing to do.
    assert.equal((await cleaner.dirtyInfo(log)).ratio, 0);
    assert.equal(await cleaner.cleanDirtiest([log]), false);
  } finally {
    await log.close();
    await tmp.cleanup();
  }
});

test('max.compaction.lag.ms forces a pass below min.cleanable.dirty.ratio', async () => {
  const tmp = await tempDir();
  const clock = new ManualClock(1_700_000_000_000);
  const log = await PartitionLog.open({
    dir: join(tmp.path, 'c-0'),
    topicPartition: { topic: 'c', partition: 0 },
    config: { cleanupPolicy: 'compact', minCleanableDirtyRatio: 0.99, maxCompactionLagMs: 60_000, segmentMs: 1e12 },
    clock,
  });
  try {
    for (let i = 0; i < 20; i++) await log.append(batch({ keys: ['same'], values: [`v${i}`], timestamp: 1_700_000_000_000 }));
    await log.forceRoll();
    log.highWatermark = log.logEndOffset;
    const cleaner = new LogCleaner(clock);
    await cleaner.clean(log);
    for (let i = 0; i < 3; i++) await log.append(batch({ keys: ['same'], values: [`w${i}`], timestamp: 1_700_000_000_000 }));
    await log.forceRoll();
    log.highWatermark = log.logEndOffset;
    assert.ok((await cleaner.dirtyInfo(log)).ratio < 0.99);
    assert.equal(await cleaner.cleanDirtiest([log]), false, 'not dirty enough, not overdue');
    clock.advance(60_001);
    assert.equal((await cleaner.dirtyInfo(log)).overdue, true);
    assert.equal(await cleaner.cleanDirtiest([log]), true);
    assert.deepEqual((await readAll(log)).map((r) => r.value), ['w2']);
  } finally {
    await log.close();
    await tmp.cleanup();
  }
});
