import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock, PartitionLog, OffsetOutOfRangeError, type LogConfig } from '../../src/storage/index.js';
import { iterateBatches, RecordBatchView } from '../../src/protocol/records/batch-view.js';
import { decodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { TimestampType } from '../../src/protocol/records/types.js';
import { batch, tempDir } from './helpers.js';

const TP = { topic: 't', partition: 0 };

async function withLog(config: Partial<LogConfig>, fn: (log: PartitionLog, dir: string, clock: ManualClock) => Promise<void>): Promise<void> {
  const tmp = await tempDir();
  const clock = new ManualClock();
  const dir = join(tmp.path, 't-0');
  const log = await PartitionLog.open({ dir, topicPartition: TP, config, clock });
  try {
    await fn(log, dir, clock);
  } finally {
    await log.close();
    await tmp.cleanup();
  }
}

function offsetsIn(data: Buffer): number[] {
  const out: number[] = [];
  for (const v of iterateBatches(data)) for (const r of decodeRecordBatch(v).records) out.push(r.offset);
  return out;
}

test('append assigns offsets and leader epoch in place, read returns the stored bytes', async () => {
  await withLog({}, async (log, dir) => {
    const b1 = batch({ count: 3 });
    const info = await log.append(b1, { leaderEpoch: 7 });
    assert.equal(info.firstOffset, 0);
    assert.equal(info.lastOffset, 2);
    assert.equal(info.logAppendTime, -1);
    const info2 = await log.append(Buffer.concat([batch({ count: 2 }), batch({ count: 1 })]), { leaderEpoch: 7 });
    assert.deepEqual([info2.firstOffset, info2.lastOffset, info2.batchCount], [3, 5, 2]);
    assert.equal(log.logEndOffset, 6);
    const r = await log.read(0, 1 << 20);
    assert.deepEqual(offsetsIn(r.data), [0, 1, 2, 3, 4, 5]);
    for (const v of iterateBatches(r.data)) {
      assert.equal(v.partitionLeaderEpoch, 7);
      assert.ok(v.isCrcValid(), 'CRC still valid: base offset and epoch are outside it');
    }
    const file = await readFile(join(dir, '00000000000000000000.log'));
    assert.ok(file.equals(r.data), '.log holds the batches exactly as served');
    assert.deepEqual(log.leaderEpochCache.all, [{ epoch: 7, startOffset: 0 }]);
    assert.equal(await readFile(join(dir, 'leader-epoch-checkpoint'), 'utf8'), '0\n1\n7 0\n');
  });
});

test('LogAppendTime topics stamp maxTimestamp and fix the CRC', async () => {
  await withLog({ messageTimestampType: 'LogAppendTime' }, async (log, _dir, clock) => {
    const info = await log.append(batch({ count: 2, timestamp: 5 }));
    assert.equal(info.logAppendTime, clock.now());
    const v = [...iterateBatches((await log.read(0, 1000)).data)][0]!;
    assert.equal(v.timestampType, TimestampType.LogAppendTime);
    assert.equal(v.maxTimestamp, clock.now());
    assert.ok(v.isCrcValid());
  });
});

test('reads: byte limits, the batch containing the offset, high watermark bound, out of range', async () => {
  await withLog({ indexIntervalBytes: 100 }, async (log) => {
    for (let i = 0; i < 50; i++) await log.append(batch({ count: 4, valueSize: 20 }));
    const size = new RecordBatchView((await log.read(0, 1)).data).sizeInBytes;
    // minOneMessage: a limit smaller than a batch still returns it; without it, nothing.
    assert.equal((await log.read(0, 1)).data.length, size);
    assert.equal((await log.read(0, 1, undefined, false)).data.length, 0);
    // Whole batches only.
    const r = await log.read(0, size * 3 + 10);
    assert.equal(r.data.length, size * 3);
    assert.equal(r.nextOffset, 12);
    // Every offset: the first returned batch contains it.
    for (let o = 0; o < 200; o++) {
      const rr = await log.read(o, 1);
      const v = [...iterateBatches(rr.data)][0]!;
      assert.ok(v.baseOffset <= o && v.lastOffset >= o, `offset ${o}`);
    }
    // Bound by the high watermark (exclusive).
    log.highWatermark = 10;
    const hw = await log.read(0, 1 << 20, log.highWatermark);
    assert.deepEqual(offsetsIn(hw.data), [0, 1, 2, 3, 4, 5, 6, 7], 'the batch holding offset 10 is not yet visible');
    assert.equal((await log.read(8, 1 << 20, log.highWatermark)).data.length, 0);
    assert.equal((await log.read(200, 1 << 20)).data.length, 0, 'reading at the LEO is empty');
    await assert.rejects(log.read(201, 100), OffsetOutOfRangeError);
    await assert.rejects(log.read(-1, 100), OffsetOutOfRangeError);
  });
});

test('roll on segment.bytes: segments named by base offset, every offset readable across segments', async () => {
  await withLog({ segmentBytes: 1000, indexIntervalBytes: 64 }, async (log, dir) => {
    const appended: number[] = [];
    for (let i = 0; i < 40; i++) {
      const info = await log.append(batch({ count: 2, valueSize: 50 }));
      appended.push(info.firstOffset);
    }
    assert.ok(log.segments.length > 3);
    const names = (await readdir(dir)).filter((n) => n.endsWith('.log'));
    assert.deepEqual(names, log.segments.map((s) => String(s.baseOffset).padStart(20, '0') + '.log'));
    for (const s of log.segments.slice(0, -1)) {
      assert.ok(s.size <= 1000);
      const idx = await stat(join(dir, String(s.baseOffset).padStart(20, '0') + '.index'));
      assert.equal(idx.size, s.offsetIndex.entries * 8, 'rolled segment index trimmed to its entries');
    }
    const active = await stat(join(dir, String(log.activeSegment.baseOffset).padStart(20, '0') + '.index'));
    assert.equal(active.size, 10485760, 'active segment index preallocated to segment.index.bytes');
    // Snapshot files at roll points.
    assert.ok((await readdir(dir)).some((n) => n.endsWith('.snapshot')));
    const all: number[] = [];
    let o = 0;
    while (o < log.logEndOffset) {
      const r = await log.read(o, 1 << 20);
      all.push(...offsetsIn(r.data).filter((x) => x >= o));
      o = r.nextOffset;
    }
    assert.deepEqual(all, Array.from({ length: 80 }, (_, i) => i));
  });
});

test('roll on segment.ms (measured from the first batch timestamp) and on a full index', async () => {
  await withLog({ segmentMs: 1000 }, async (log) => {
    await log.append(batch({ timestamp: 10_000 }));
    await log.append(batch({ timestamp: 10_500 }));
    assert.equal(log.segments.length, 1);
    await log.append(batch({ timestamp: 11_001 }));
    assert.equal(log.segments.length, 2);
    assert.equal(log.activeSegment.baseOffset, 2);
  });
  await withLog({ segmentIndexBytes: 8 * 3, indexIntervalBytes: 0 }, async (log) => {
    for (let i = 0; i < 10; i++) await log.append(batch());
    assert.ok(log.segments.length >= 3, `index full rolls (${log.segments.length} segments)`);
    for (const s of log.segments) assert.ok(s.offsetIndex.entries <= 3);
  });
});

test('concurrent appends are grouped, ordered and all acknowledged; fsync-before-ack shares fsyncs', async () => {
  await withLog({ fsyncBeforeAck: true }, async (log) => {
    const promises = Array.from({ length: 200 }, () => log.append(batch({ count: 1 })));
    const infos = await Promise.all(promises);
    assert.deepEqual(
      infos.map((i) => i.firstOffset),
      Array.from({ length: 200 }, (_, i) => i),
    );
    assert.equal(log.recoveryPoint, 200, 'acknowledged means fsynced');
    const r = await log.read(0, 1 << 20);
    assert.deepEqual(offsetsIn(r.data), Array.from({ length: 200 }, (_, i) => i));
  });
});

test('offsetForTimestamp across segments and batches', async () => {
  await withLog({ segmentBytes: 600 }, async (log) => {
    // Batches of 3 records at timestamps t, t+1, t+2 with t = 1000 * i.
    for (let i = 1; i <= 20; i++) await log.append(batch({ count: 3, timestamp: 1000 * i }));
    assert.ok(log.segments.length > 2);
    for (let i = 1; i <= 20; i++) {
      for (let k = 0; k < 3; k++) {
        const found = await log.offsetForTimestamp(1000 * i + k);
        assert.equal(found?.offset, (i - 1) * 3 + k);
        assert.equal(found?.timestamp, 1000 * i + k);
      }
      // Between batches: the next batch's first record.
      if (i < 20) assert.equal((await log.offsetForTimestamp(1000 * i + 500))?.offset, i * 3);
    }
    assert.equal((await log.offsetForTimestamp(0))?.offset, 0);
    assert.equal(await log.offsetForTimestamp(999_999), null);
  });
});

test('producer state: last 5 batches per producer, snapshot at close, restored on reopen', async () => {
  const tmp = await tempDir();
  try {
    const dir = join(tmp.path, 't-0');
    const log = await PartitionLog.open({ dir, topicPartition: TP });
    for (let s = 0; s < 7; s++) await log.append(batch({ count: 2, producerId: 42, producerEpoch: 1, baseSequence: s * 2 }));
    const e = log.producerState.get(42)!;
    assert.equal(e.batches.length, 5);
    assert.deepEqual(e.batches[4], { firstSeq: 12, lastSeq: 13, firstOffset: 12, lastOffset: 13, timestamp: 1_700_000_000_001 });
    assert.ok(log.producerState.findDuplicateBatch(42, 1, 10, 11));
    assert.equal(log.producerState.findDuplicateBatch(42, 1, 0, 1), null, 'only 5 batches are remembered');
    await log.close();
    const names = await readdir(dir);
    assert.ok(names.includes('00000000000000000014.snapshot'));
    const again = await PartitionLog.open({ dir, topicPartition: TP, hadCleanShutdown: true, recoveryPoint: 14 });
    assert.equal(again.openStats.rebuiltProducerStateFrom, null, 'no replay needed after a clean close');
    assert.deepEqual(again.producerState.lastBatch(42), { firstSeq: 12, lastSeq: 13, firstOffset: 12, lastOffset: 13, timestamp: 1_700_000_000_001 });
    assert.equal(again.producerState.get(42)!.producerEpoch, 1);
    await again.close();
  } finally {
    await tmp.cleanup();
  }
});

test('bad input to append is refused with a Kafka error code, never a crash', async () => {
  await withLog({ maxMessageBytes: 200 }, async (log) => {
    await assert.rejects(log.append(Buffer.from([1, 2, 3])), (e: { kafkaErrorCode: number }) => e.kafkaErrorCode === 2);
    await assert.rejects(log.append(batch({ valueSize: 500 })), (e: { kafkaErrorCode: number }) => e.kafkaErrorCode === 10);
    await assert.rejects(log.append(Buffer.alloc(0)), (e: { kafkaErrorCode: number }) => e.kafkaErrorCode === 87);
    assert.equal(log.logEndOffset, 0);
    await log.append(batch());
    assert.equal(log.logEndOffset, 1);
  });
});

test('flush.messages fsyncs after that many messages and advances the recovery point', async () => {
  await withLog({ flushMessages: 5 }, async (log) => {
    await log.append(batch({ count: 3 }));
    assert.equal(log.recoveryPoint, 0);
    await log.append(batch({ count: 3 }));
    assert.equal(log.recoveryPoint, 6, '6 unflushed messages >= flush.messages');
    await log.append(batch({ count: 1 }));
    assert.equal(log.recoveryPoint, 6);
    await log.flush();
    assert.equal(log.recoveryPoint, 7);
  });
});
