import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { iterateBatches, splitBatches, RecordBatchView, incrementSequence } from '../../../src/protocol/records/batch-view.js';
import * as H from '../../../src/protocol/records/batch-header.js';
import { crc32cJs } from '../../../src/protocol/records/crc32c.js';
import { RecordBatchError } from '../../../src/protocol/records/errors.js';
import { TimestampType } from '../../../src/protocol/records/types.js';
import { REPO_ROOT } from '../../helpers/build-cache.js';

// ../shared sits beside the repository (CI clones it that way), so resolve it from the repo root.
const SEGMENT_DIR = join(REPO_ROOT, '..', 'shared', 'kafka-fixtures', 'segment-written-by-kafka', 'test-0');
function kafkaSegment(): Buffer {
  const name = readdirSync(SEGMENT_DIR).find((f) => f.endsWith('.log'));
  assert.ok(name, 'fixture segment present');
  return readFileSync(join(SEGMENT_DIR, name));
}

test('iterateBatches splits the segment Kafka wrote: 28 batches, 97 records, offsets 0-96, CRCs valid', () => {
  const seg = kafkaSegment();
  const batches = [...iterateBatches(seg)];
  assert.equal(batches.length, 28);
  let expectedBase = 0;
  let records = 0;
  for (const b of batches) {
    assert.equal(b.magic, 2);
    assert.equal(b.isLegacy, false);
    assert.equal(b.baseOffset, expectedBase);
    assert.ok(b.isCrcValid());
    assert.equal(b.computeCrc(), crc32cJs(b.buffer.subarray(H.ATTRIBUTES)));
    assert.equal(b.recordCount, b.lastOffsetDelta + 1);
    assert.ok(b.maxTimestamp >= b.baseTimestamp);
    assert.equal(b.timestampType, TimestampType.CreateTime);
    expectedBase = b.nextOffset;
    records += b.recordCount;
  }
  assert.equal(records, 97);
  assert.equal(batches.at(-1)!.lastOffset, 96);
  assert.equal(batches.reduce((n, b) => n + b.sizeInBytes, 0), seg.length);
});

test('flipping any byte from attributes to the end invalidates the CRC; header bytes before it do not', () => {
  const seg = kafkaSegment();
  const first = [...iterateBatches(seg)][1]!;
  const copy = Buffer.from(first.buffer);
  const view = new RecordBatchView(copy);
  assert.ok(view.isCrcValid());
  for (let i = 0; i < copy.length; i++) {
    if (i >= H.CRC && i < H.ATTRIBUTES) continue; // the crc field itself
    if (i === H.MAGIC) continue; // changing magic changes the format
    if (i >= H.BATCH_LENGTH && i < H.PARTITION_LEADER_EPOCH) continue; // the length reshapes the batch
    copy[i]! ^= 0x01;
    assert.equal(view.isCrcValid(), i < H.MAGIC, `byte ${i}`);
    copy[i]! ^= 0x01;
  }
  assert.ok(view.isCrcValid());
});

test('setters: base offset and leader epoch keep the CRC; LogAppendTime rewrites attributes, max timestamp, CRC', () => {
  const seg = Buffer.from(kafkaSegment());
  const view = [...iterateBatches(seg)][4]!;
  const crcBefore = view.crc;
  view.setBaseOffset(123456789012);
  view.setPartitionLeaderEpoch(77);
  assert.equal(view.baseOffset, 123456789012);
  assert.equal(view.lastOffset, 123456789012 + view.lastOffsetDelta);
  assert.equal(view.partitionLeaderEpoch, 77);
  assert.equal(view.crc, crcBefore);
  assert.ok(view.isCrcValid());
  view.setBaseOffset(5n);
  assert.equal(view.baseOffsetBigInt, 5n);

  view.setLogAppendTime(1_700_000_000_123);
  assert.equal(view.timestampType, TimestampType.LogAppendTime);
  assert.equal(view.maxTimestamp, 1_700_000_000_123);
  assert.notEqual(view.crc, crcBefore);
  assert.equal(view.crc, crc32cJs(view.buffer.subarray(H.ATTRIBUTES)));
  assert.equal(view.compression, 0);
  assert.equal(view.isTransactional, false);
  // the view edits the underlying segment buffer in place: a fresh split sees the change
  const again = [...iterateBatches(seg)][4]!;
  assert.equal(again.maxTimestamp, 1_700_000_000_123);
  assert.ok(again.isCrcValid());
  view.setCreateTimeMax(42);
  assert.equal(view.timestampType, TimestampType.CreateTime);
  assert.ok(view.isCrcValid());
});

test('iterateBatches with a partial trailing batch: throws by default, stops and reports with allowPartial', () => {
  const seg = kafkaSegment();
  const sizes = [...iterateBatches(seg)].map((b) => b.sizeInBytes);
  const twoAndABit = seg.subarray(0, sizes[0]! + sizes[1]! + 30);
  assert.throws(() => [...iterateBatches(twoAndABit)], (e: unknown) => e instanceof RecordBatchError && e.code === 'PARTIAL_BATCH');
  const r = splitBatches(twoAndABit, { allowPartial: true });
  assert.equal(r.batches.length, 2);
  assert.equal(r.partialBytes, 30);
  assert.equal(r.bytesConsumed, sizes[0]! + sizes[1]!);
  // fewer than 17 bytes left (cannot even read the magic)
  const tiny = seg.subarray(0, sizes[0]! + 5);
  assert.equal(splitBatches(tiny, { allowPartial: true }).partialBytes, 5);
  assert.equal(splitBatches(Buffer.alloc(0)).batches.length, 0);
});

test('iterateBatches rejects bad lengths, unknown magic and oversized batches with typed errors', () => {
  const seg = Buffer.from(kafkaSegment().subarray(0, 200));
  const first = Buffer.from(seg.subarray(0, new RecordBatchView(seg).sizeInBytes));
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof RecordBatchError);
      return e.code;
    }
    return 'no error';
  };
  const negative = Buffer.from(first);
  negative.writeInt32BE(-5, H.BATCH_LENGTH);
  assert.equal(code(() => [...iterateBatches(negative)]), 'BAD_LENGTH');
  const small = Buffer.from(first);
  small.writeInt32BE(20, H.BATCH_LENGTH);
  assert.equal(code(() => [...iterateBatches(small)]), 'BAD_LENGTH');
  const magic = Buffer.from(first);
  magic[H.MAGIC] = 7;
  assert.equal(code(() => [...iterateBatches(magic)]), 'BAD_MAGIC');
  assert.equal(code(() => [...iterateBatches(first, { maxBatchSize: 10 })]), 'TOO_LARGE');
  assert.equal(code(() => new RecordBatchView(first.subarray(0, 10))), 'TRUNCATED');
  assert.equal(code(() => new RecordBatchView(first.subarray(0, first.length - 1))), 'TRUNCATED');
  const huge = Buffer.from(first);
  huge.writeInt32BE(0x7fffffff, H.BATCH_LENGTH);
  assert.equal(code(() => [...iterateBatches(huge)]), 'PARTIAL_BATCH');
});

test('sequence arithmetic wraps like Kafka', () => {
  assert.equal(incrementSequence(5, 3), 8);
  assert.equal(incrementSequence(0x7fffffff, 1), 0);
  assert.equal(incrementSequence(0x7ffffffe, 3), 1);
});
