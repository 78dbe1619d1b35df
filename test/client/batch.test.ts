import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchBuilder, estimateRecordSize } from '../../src/client/batch-builder.js';
import { decodeFetchedRecordObjects as decodeFetchedRecords, type DecodedRecord } from '../../src/client/fetch-decoder.js';
import { CompressionType, compressSync } from '../../src/protocol/compression/index.js';
import { RecordBatchView } from '../../src/protocol/records/batch-view.js';

function build(compression: CompressionType, n = 3, baseOffset = 0n): Buffer {
  const b = new BatchBuilder(64);
  for (let i = 0; i < n; i++) {
    const key = i === 1 ? null : Buffer.from(`k${i}`);
    const headers = i === 2 ? [{ key: 'h', value: Buffer.from('v') }, { key: 'n', value: null }] : null;
    b.append(1_700_000_000_000 + i * 1000 - (i === 2 ? 5000 : 0), key, Buffer.from(`value-${i}`.repeat(i + 1)), headers);
  }
  const compressed = compression === CompressionType.None ? undefined : compressSync(compression, b.recordsSection());
  const out = b.build({ compression, compressedRecords: compressed, producerId: 7n, producerEpoch: 1, baseSequence: 10, transactional: false });
  out.writeBigInt64BE(baseOffset, 0);
  return out;
}

for (const codec of [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
  test(`batch builder output decodes (codec ${codec}) and has a valid v2 header`, () => {
    const buf = build(codec, 3, 100n);
    const view = new RecordBatchView(buf);
    assert.equal(view.isCrcValid(), true);
    assert.equal(view.recordCount, 3);
    assert.equal(view.compression, codec);
    assert.equal(view.producerId, 7);
    assert.equal(view.baseSequence, 10);
    assert.equal(view.lastOffsetDelta, 2);
    assert.equal(view.maxTimestamp, 1_700_000_000_000 + 1000);
    const got: DecodedRecord[] = [];
    const next = decodeFetchedRecords(Buffer.concat([buf, buf.subarray(0, 20)]), { fetchOffset: 101, checkCrcs: true, readCommitted: false, aborted: null }, (r) => got.push(r));
    assert.equal(next, 103);
    assert.deepEqual(
      got.map((r) => [r.offset, r.key?.toString() ?? null, r.value?.toString(), r.timestamp]),
      [
        [101, null, 'value-1value-1', 1_700_000_001_000],
        [102, 'k2', 'value-2value-2value-2', 1_699_999_997_000],
      ],
    );
    assert.deepEqual(got[1]!.headers, [{ key: 'h', value: Buffer.from('v') }, { key: 'n', value: null }]);
  });
}

test('corrupt CRC is detected', () => {
  const buf = build(CompressionType.None);
  buf[buf.length - 1]! ^= 0xff;
  assert.throws(() => decodeFetchedRecords(buf, { fetchOffset: 0, checkCrcs: true, readCommitted: false, aborted: null }, () => undefined), /CRC/);
});

test('size estimate is an upper bound', () => {
  const b = new BatchBuilder(16);
  const key = Buffer.alloc(300);
  const value = Buffer.alloc(70000);
  const before = b.sizeInBytes;
  b.append(Date.now(), key, value, [{ key: 'x', value: Buffer.alloc(10) }]);
  assert.ok(b.sizeInBytes - before <= estimateRecordSize(key, value, [{ key: 'x', value: Buffer.alloc(10) }]));
});
