// Arbitrary and mutated input through every entry point: only typed errors (or, for validation, error codes) come
// out, never a RangeError/TypeError from reading past a buffer, never a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { iterateBatches } from '../../../src/protocol/records/batch-view.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { validateProduceRecords } from '../../../src/protocol/records/validate.js';
import { decodeLegacyMessageSet } from '../../../src/protocol/records/legacy.js';
import { RecordBatchError } from '../../../src/protocol/records/errors.js';
import { crc32c } from '../../../src/protocol/records/crc32c.js';
import * as H from '../../../src/protocol/records/batch-header.js';
import { CompressionType } from '../../../src/protocol/compression/index.js';

function onlyTyped(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RecordBatchError, `unexpected ${String(e)}`);
  }
}

const seeds = [CompressionType.None, CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd].map((compression) =>
  encodeRecordBatch({
    compression,
    records: [
      { key: 'k', value: 'v'.repeat(30), headers: [{ key: 'h', value: 'x' }] },
      { key: null, value: null },
      { key: 'k2', value: 'w' },
    ],
  }),
);

test('mutated batches (CRC fixed up) through split, decode and validate', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
      fc.nat(),
      (seed, edits, cut) => {
        const b = Buffer.from(seed);
        for (const [at, value] of edits) b[at % b.length] = value;
        const truncated = b.subarray(0, b.length - (cut % 8));
        if (truncated.length >= H.BATCH_HEADER_SIZE) {
          // fix the CRC up so validation gets past it and walks the (mutated) records
          const end = Math.max(H.ATTRIBUTES, Math.min(truncated.length, H.LOG_OVERHEAD + truncated.readInt32BE(H.BATCH_LENGTH)));
          truncated.writeUInt32BE(crc32c(truncated.subarray(H.ATTRIBUTES, end)), H.CRC);
        }
        onlyTyped(() => {
          for (const v of iterateBatches(truncated, { allowPartial: true })) {
            if (v.isLegacy) decodeLegacyMessageSet(v.buffer);
            else decodeRecordBatch(v, { verifyCrc: false });
          }
        });
        const r = validateProduceRecords(truncated, { produceVersion: 9 });
        assert.equal(typeof r.errorCode, 'number');
        if (r.errorCode === 0) assert.equal(decodeRecordBatch(r.batch!).records.length, r.recordCount); // validation's walk agrees with decoding
      },
    ),
    { numRuns: 3000 },
  );
});

test('random bytes through split, decode, legacy decode and validate', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.integer({ min: 0, max: 2 }), (bytes, magic) => {
      const b = Buffer.from(bytes);
      if (b.length > H.MAGIC) b[H.MAGIC] = magic; // get past the magic check often
      if (b.length >= 12) b.writeInt32BE(Math.max(0, b.length - 12), H.BATCH_LENGTH);
      onlyTyped(() => {
        for (const v of iterateBatches(b, { allowPartial: true })) {
          if (v.isLegacy) decodeLegacyMessageSet(v.buffer, { verifyCrc: false });
          else decodeRecordBatch(v, { verifyCrc: false });
        }
      });
      onlyTyped(() => decodeLegacyMessageSet(b, { verifyCrc: false, allowPartial: true }));
      assert.equal(typeof validateProduceRecords(b, { produceVersion: 9 }).errorCode, 'number');
      assert.equal(typeof validateProduceRecords(b, { produceVersion: 2 }).errorCode, 'number');
    }),
    { numRuns: 3000 },
  );
});
