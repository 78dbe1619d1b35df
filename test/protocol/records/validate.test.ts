import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateProduceRecords, validateProduceRecordsAsync, stampBatchForAppend } from '../../../src/protocol/records/validate.js';
import { encodeRecordBatch, decodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { encodeControlBatch, ControlRecordType } from '../../../src/protocol/records/control-records.js';
import { RecordBatchView } from '../../../src/protocol/records/batch-view.js';
import * as H from '../../../src/protocol/records/batch-header.js';
import { TimestampType } from '../../../src/protocol/records/types.js';
import { CompressionType } from '../../../src/protocol/compression/index.js';
import { legacyMessageV1 } from '../../helpers/legacy-messages.js';

const CORRUPT_MESSAGE = 2;
const MESSAGE_TOO_LARGE = 10;
const RECORD_LIST_TOO_LARGE = 18;
const INVALID_TIMESTAMP = 32;
const UNSUPPORTED_FOR_MESSAGE_FORMAT = 43;
const UNSUPPORTED_COMPRESSION_TYPE = 76;
const INVALID_RECORD = 87;

const NOW = 1_700_000_000_000;
const recs = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: NOW + i }));

function withCrc(b: Buffer): Buffer {
  new RecordBatchView(b).updateCrc();
  return b;
}

test('valid batches of every codec pass, sync and async, reporting count and max timestamp', async () => {
  for (const compression of [0, 1, 2, 3, 4] as CompressionType[]) {
    const b = encodeRecordBatch({ records: recs(10), compression, producerId: 3, producerEpoch: 0, baseSequence: 0 });
    for (const r of [validateProduceRecords(b, { produceVersion: 9 }), await validateProduceRecordsAsync(b, { produceVersion: 9 })]) {
      assert.equal(r.errorCode, 0, r.errorMessage ?? '');
      assert.equal(r.recordCount, 10);
      assert.equal(r.maxTimestamp, NOW + 9);
      assert.equal(r.offsetDeltaOfMaxTimestamp, 9);
      assert.equal(r.batch!.buffer.buffer, b.buffer); // zero copy
    }
  }
});

test('Kafka error codes for header-level problems', () => {
  const good = encodeRecordBatch({ records: recs(3) });
  const v = (b: Buffer, o: Partial<Parameters<typeof validateProduceRecords>[1]> = {}) => validateProduceRecords(b, { produceVersion: 9, ...o }).errorCode;
  assert.equal(v(Buffer.alloc(0)), INVALID_RECORD);
  assert.equal(v(Buffer.concat([good, good])), INVALID_RECORD); // more than one batch
  const crc = Buffer.from(good);
  crc[crc.length - 1]! ^= 1;
  assert.equal(v(crc), CORRUPT_MESSAGE);
  const offset = Buffer.from(good);
  offset.writeBigInt64BE(5n, 0);
  assert.equal(v(offset), INVALID_RECORD);
  assert.equal(v(offset, { origin: 'coordinator' }), 0);
  assert.equal(v(good, { maxMessageBytes: good.length - 1 }), MESSAGE_TOO_LARGE);
  assert.equal(v(good, { segmentBytes: 10 }), RECORD_LIST_TOO_LARGE);
  const zstd = encodeRecordBatch({ records: recs(3), compression: CompressionType.Zstd });
  assert.equal(v(zstd, { produceVersion: 6 }), UNSUPPORTED_COMPRESSION_TYPE);
  assert.equal(v(zstd, { produceVersion: 7 }), 0);
  const codec7 = Buffer.from(good);
  codec7.writeInt16BE(7, H.ATTRIBUTES);
  assert.equal(v(withCrc(codec7)), UNSUPPORTED_COMPRESSION_TYPE);
  const delta = Buffer.from(good);
  delta.writeInt32BE(5, H.LAST_OFFSET_DELTA);
  assert.equal(v(withCrc(delta)), INVALID_RECORD);
  const negDelta = Buffer.from(good);
  negDelta.writeInt32BE(-1, H.LAST_OFFSET_DELTA);
  assert.equal(v(withCrc(negDelta)), INVALID_RECORD);
  const control = encodeControlBatch({ type: ControlRecordType.Commit, producerId: 1, producerEpoch: 0, coordinatorEpoch: 0 });
  assert.equal(v(control), INVALID_RECORD);
  assert.equal(v(control, { origin: 'coordinator' }), 0);
  const seq = encodeRecordBatch({ records: recs(2), producerId: 9, producerEpoch: 0, baseSequence: -1 });
  assert.equal(v(seq), INVALID_RECORD);
  // partial trailing bytes are ignored, as Kafka trims them
  const r = validateProduceRecords(Buffer.concat([good, good.subarray(0, 20)]), { produceVersion: 9 });
  assert.equal(r.errorCode, 0);
  assert.equal(r.trailingBytesIgnored, 20);
});

test('record count mismatch is found by walking records, compressed too', () => {
  for (const compression of [CompressionType.None, CompressionType.Lz4, CompressionType.Gzip]) {
    // 3 records but the header claims 4 (lastOffsetDelta kept consistent so only the walk can notice)
    const b = encodeRecordBatch({ records: recs(3), compression });
    b.writeInt32BE(4, H.RECORD_COUNT);
    b.writeInt32BE(3, H.LAST_OFFSET_DELTA);
    const r = validateProduceRecords(withCrc(b), { produceVersion: 9 });
    assert.equal(r.errorCode, INVALID_RECORD, `codec ${compression}`);
    assert.match(r.errorMessage!, /premature EOF|more than/);
    const fewer = encodeRecordBatch({ records: recs(3), compression });
    fewer.writeInt32BE(2, H.RECORD_COUNT);
    fewer.writeInt32BE(1, H.LAST_OFFSET_DELTA);
    assert.equal(validateProduceRecords(withCrc(fewer), { produceVersion: 9 }).errorCode, INVALID_RECORD);
  }
});

test('malformed records inside a valid CRC -> INVALID_RECORD, never a throw', () => {
  const good = encodeRecordBatch({ records: recs(4) });
  for (let i = H.RECORDS; i < good.length; i++) {
    for (const x of [0x01, 0x80, 0xff]) {
      const b = Buffer.from(good);
      b[i]! ^= x;
      const r = validateProduceRecords(withCrc(b), { produceVersion: 9 });
      if (r.errorCode !== 0) assert.equal(r.errorCode, INVALID_RECORD, `byte ${i} ^ ${x}: ${r.errorMessage}`);
    }
  }
  // a corrupt compressed payload with a correct CRC
  const gz = encodeRecordBatch({ records: recs(4), compression: CompressionType.Gzip });
  gz[H.RECORDS + 15]! ^= 0xff;
  assert.equal(validateProduceRecords(withCrc(gz), { produceVersion: 9 }).errorCode, CORRUPT_MESSAGE);
  // decompression bomb bound
  const big = encodeRecordBatch({ records: [{ value: Buffer.alloc(5_000_000) }], compression: CompressionType.Zstd });
  assert.equal(validateProduceRecords(big, { produceVersion: 9, maxDecompressedBytes: 1_000_000 }).errorCode, CORRUPT_MESSAGE);
});

test('non-consecutive offset deltas are refused', () => {
  // hand-build: two records both with offsetDelta 0 by patching the second record's offset delta byte
  const b = encodeRecordBatch({ records: [{ value: 'a', timestamp: NOW }, { value: 'b', timestamp: NOW }] });
  // record layout: len(1) attrs(1) tsDelta(1) offsetDelta(1) ...; the second record starts after the first
  const firstLen = (b[H.RECORDS]! >> 1) + 1;
  const secondOffsetDeltaAt = H.RECORDS + firstLen + 3;
  assert.equal(b[secondOffsetDeltaAt], 2); // zig-zag(1)
  b[secondOffsetDeltaAt] = 0;
  assert.equal(validateProduceRecords(withCrc(b), { produceVersion: 9 }).errorCode, INVALID_RECORD);
});

test('record-level errors: compacted topics need keys; timestamps out of range; producer-set LogAppendTime', () => {
  const noKey = encodeRecordBatch({ records: [{ key: 'a', value: '1', timestamp: NOW }, { key: null, value: '2', timestamp: NOW }] });
  const r = validateProduceRecords(noKey, { produceVersion: 9, compacted: true });
  assert.equal(r.errorCode, INVALID_RECORD);
  assert.deepEqual(r.recordErrors.map((e) => e.batchIndex), [1]);
  assert.equal(validateProduceRecords(noKey, { produceVersion: 9 }).errorCode, 0);

  const old = encodeRecordBatch({ records: [{ value: 'x', timestamp: NOW - 10_000 }] });
  const t = validateProduceRecords(old, { produceVersion: 9, now: NOW, timestampBeforeMaxMs: 5_000 });
  assert.equal(t.errorCode, INVALID_TIMESTAMP);
  assert.equal(t.recordErrors[0]!.batchIndex, 0);
  assert.equal(validateProduceRecords(old, { produceVersion: 9, now: NOW, timestampBeforeMaxMs: 50_000 }).errorCode, 0);
  const future = encodeRecordBatch({ records: [{ value: 'x', timestamp: NOW + 10_000 }] });
  assert.equal(validateProduceRecords(future, { produceVersion: 9, now: NOW, timestampAfterMaxMs: 5_000 }).errorCode, INVALID_TIMESTAMP);
  // on a LogAppendTime topic, record timestamps are not checked
  assert.equal(validateProduceRecords(old, { produceVersion: 9, now: NOW, timestampBeforeMaxMs: 5_000, timestampType: TimestampType.LogAppendTime }).errorCode, 0);

  const lat = encodeRecordBatch({ records: recs(1), timestampType: TimestampType.LogAppendTime });
  assert.equal(validateProduceRecords(lat, { produceVersion: 9 }).errorCode, INVALID_TIMESTAMP);
});

test('legacy message sets: INVALID_RECORD on produce v3+, UNSUPPORTED_FOR_MESSAGE_FORMAT on v0-2', () => {
  const msg = legacyMessageV1({ offset: 0, timestamp: NOW, key: null, value: 'a' });
  assert.equal(validateProduceRecords(msg, { produceVersion: 3 }).errorCode, INVALID_RECORD);
  assert.equal(validateProduceRecords(msg, { produceVersion: 2 }).errorCode, UNSUPPORTED_FOR_MESSAGE_FORMAT);
});

test('stampBatchForAppend: offsets, epoch, timestamps with a valid CRC', () => {
  const b = encodeRecordBatch({ records: recs(3) });
  // the producer claimed a wrong max timestamp; the broker rewrites it to the real one
  b.writeBigInt64BE(BigInt(NOW + 1000), H.MAX_TIMESTAMP);
  withCrc(b);
  const r = validateProduceRecords(b, { produceVersion: 9 });
  assert.equal(r.errorCode, 0);
  stampBatchForAppend(r.batch!, { baseOffset: 500, partitionLeaderEpoch: 4, maxTimestamp: r.maxTimestamp });
  const d = decodeRecordBatch(b);
  assert.equal(d.baseOffset, 500);
  assert.equal(d.partitionLeaderEpoch, 4);
  assert.equal(d.maxTimestamp, NOW + 2);
  assert.deepEqual(d.records.map((x) => x.offset), [500, 501, 502]);
  stampBatchForAppend(r.batch!, { baseOffset: 7, partitionLeaderEpoch: 5, timestampType: TimestampType.LogAppendTime, logAppendTime: NOW + 5 });
  const d2 = decodeRecordBatch(b);
  assert.equal(d2.timestampType, TimestampType.LogAppendTime);
  assert.deepEqual(d2.records.map((x) => x.timestamp), [NOW + 5, NOW + 5, NOW + 5]);
});
