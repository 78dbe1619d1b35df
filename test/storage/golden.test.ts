// The golden input: a partition directory written by Apache Kafka itself (no index files kept).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PartitionLog, EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP } from '../../src/storage/index.js';
import { iterateBatches } from '../../src/protocol/records/batch-view.js';
import { decodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { copyFixture, tempDir } from './helpers.js';

test('opens a Kafka-written partition, rebuilds its indexes and serves all 97 records', async () => {
  const tmp = await tempDir();
  try {
    const dir = await copyFixture(tmp.path);
    const original = await readFile(join(dir, '00000000000000000000.log'));
    const log = await PartitionLog.open({ dir, topicPartition: { topic: 'test', partition: 0 } });
    assert.equal(log.logStartOffset, 0);
    assert.equal(log.logEndOffset, 97);
    assert.equal(log.openStats.truncatedBytes, 0, 'a valid Kafka segment must not be truncated');
    const names = await readdir(dir);
    assert.ok(names.includes('00000000000000000000.index'), 'offset index rebuilt');
    assert.ok(names.includes('00000000000000000000.timeindex'), 'time index rebuilt');
    // The Kafka leader epoch checkpoint is kept.
    assert.deepEqual(log.leaderEpochCache.all, [{ epoch: 0, startOffset: 0 }]);

    // Read everything with a small byte limit: whole batches each time, offsets 0..96 exactly once.
    log.highWatermark = log.logEndOffset;
    const seen: number[] = [];
    let offset = 0;
    let reads = 0;
    while (offset < 97) {
      const r = await log.read(offset, 300, log.highWatermark);
      reads++;
      assert.ok(r.data.length > 0);
      let batches = 0;
      for (const v of iterateBatches(r.data)) {
        assert.ok(v.isCrcValid());
        for (const rec of decodeRecordBatch(v).records) if (rec.offset >= offset) seen.push(rec.offset);
        batches++;
      }
      assert.ok(batches >= 1);
      offset = r.nextOffset;
    }
    assert.deepEqual(seen, Array.from({ length: 97 }, (_, i) => i));
    assert.ok(reads > 1);
    // The whole log in one read is byte-identical to Kafka's file.
    const all = await log.read(0, 1 << 20);
    assert.ok(all.data.equals(original));

    // Reading an offset in the middle of a batch returns the batch containing it.
    const mid = await log.read(5, 1);
    const first = [...iterateBatches(mid.data)][0]!;
    assert.ok(first.baseOffset <= 5 && first.lastOffset >= 5);

    // Timestamps: every record's own timestamp finds the first record carrying it.
    const records = [...iterateBatches(original)].flatMap((v) => decodeRecordBatch(v).records);
    for (const rec of records) {
      const found = await log.offsetForTimestamp(rec.timestamp);
      assert.ok(found);
      const firstWithTs = records.find((x) => x.timestamp >= rec.timestamp)!;
      assert.equal(found.offset, firstWithTs.offset);
    }
    const maxTs = Math.max(...records.map((r) => r.timestamp));
    assert.equal(await log.offsetForTimestamp(maxTs + 1), null);
    assert.deepEqual(await log.offsetForTimestamp(EARLIEST_TIMESTAMP), { timestamp: -1, offset: 0, leaderEpoch: 0 });
    assert.equal((await log.offsetForTimestamp(LATEST_TIMESTAMP))!.offset, 97);
    const max = await log.offsetForTimestamp(MAX_TIMESTAMP);
    assert.equal(max!.timestamp, maxTs);
    assert.equal(max!.offset, records.find((r) => r.timestamp === maxTs)!.offset);
    await log.close();

    // After a clean close the indexes are trimmed to their entries and the reopen needs no recovery.
    const idx = await stat(join(dir, '00000000000000000000.index'));
    assert.equal(idx.size % 8, 0);
    assert.ok(idx.size < 10 * 1024 * 1024);
    const again = await PartitionLog.open({ dir, topicPartition: { topic: 'test', partition: 0 }, hadCleanShutdown: true, recoveryPoint: 97 });
    assert.equal(again.openStats.recoveredSegments, 0);
    assert.equal(again.logEndOffset, 97);
    assert.ok((await again.read(0, 1 << 20)).data.equals(original));
    await again.close();
  } finally {
    await tmp.cleanup();
  }
});
