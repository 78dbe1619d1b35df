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

test('read_committed drops records of aborted transactions and skips control batches', async () => {
  const { crc32c } = await import('../../src/protocol/records/crc32c.js');
  const H = await import('../../src/protocol/records/batch-header.js');
  const txnBatch = (producerId: bigint, baseOffset: bigint, values: string[], control = false): Buffer => {
    const b = new BatchBuilder(64);
    for (const v of values) b.append(1000, control ? Buffer.from([0, 0, 0, 0]) : null, Buffer.from(v), null);
    const out = b.build({ compression: CompressionType.None, producerId, producerEpoch: 0, baseSequence: 0, transactional: true });
    out.writeBigInt64BE(baseOffset, 0);
    if (control) {
      out.writeInt16BE(out.readInt16BE(H.ATTRIBUTES) | H.CONTROL_BIT, H.ATTRIBUTES);
      out.writeUInt32BE(crc32c(out.subarray(H.ATTRIBUTES)), H.CRC);
    }
    return out;
  };
  // producer 1 commits (offsets 0-1, marker 2); producer 2 aborts (3-4, marker 5); producer 1 again (6)
  const records = Buffer.concat([
    txnBatch(1n, 0n, ['p1-a', 'p1-b']),
    txnBatch(1n, 2n, ['commit-marker'], true),
    txnBatch(2n, 3n, ['p2-a', 'p2-b']),
    txnBatch(2n, 5n, ['abort-marker'], true),
    txnBatch(1n, 6n, ['p1-c']),
  ]);
  const read = (readCommitted: boolean): string[] => {
    const out: string[] = [];
    decodeFetchedRecords(records, { fetchOffset: 0, checkCrcs: true, readCommitted, aborted: [{ producerId: 2, firstOffset: 3 }] }, (r) => out.push(r.value!.toString()));
    return out;
  };
  assert.deepEqual(read(true), ['p1-a', 'p1-b', 'p1-c']);
  assert.deepEqual(read(false), ['p1-a', 'p1-b', 'p2-a', 'p2-b', 'p1-c']);
});
