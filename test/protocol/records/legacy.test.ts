import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { decodeLegacyMessageSet, isLegacyMessageSet, legacyToRecordBatch } from '../../../src/protocol/records/legacy.js';
import { crc32, crc32Js } from '../../../src/protocol/records/crc32.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { iterateBatches } from '../../../src/protocol/records/batch-view.js';
import { RecordBatchError } from '../../../src/protocol/records/errors.js';
import { TimestampType } from '../../../src/protocol/records/types.js';
import { CompressionType, compressSync } from '../../../src/protocol/compression/index.js';

// kafkajs's own v0/v1 message encoders (CommonJS internals) give us message sets written by another implementation.
const require = createRequire(import.meta.url);
interface KafkajsEncoder {
  buffer: Buffer;
}
const MessageSet = require('kafkajs/src/protocol/messageSet/index.js') as (o: {
  messageVersion: number;
  compression?: number;
  entries: { key: Buffer | null; value: Buffer | null; timestamp?: number }[];
}) => KafkajsEncoder;
const MessageProtocol = require('kafkajs/src/protocol/message/index.js') as (o: {
  version: number;
}) => (m: { compression?: number; timestamp?: number; key: Buffer | null; value: Buffer }) => KafkajsEncoder;

const entries = [0, 1, 2].map((i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`value-${i}`), timestamp: 1_600_000_000_000 + i }));

function setOffsets(set: Buffer, first: number): Buffer {
  // kafkajs writes -1 offsets for uncompressed sets (the broker assigns them); give them real ones
  let pos = 0;
  let off = first;
  while (pos < set.length) {
    set.writeBigInt64BE(BigInt(off++), pos);
    pos += 12 + set.readInt32BE(pos + 8);
  }
  return set;
}

/** A compressed wrapper message around an inner set, as producers of magic v0/v1 wrote them. */
function wrapper(version: 0 | 1, codec: CompressionType, lastOffset: number, logAppendTime?: number): Buffer {
  const inner = MessageSet({ messageVersion: version, compression: codec, entries }).buffer;
  const compressed = compressSync(codec, inner);
  const msg = MessageProtocol({ version })({ compression: codec, timestamp: logAppendTime ?? 1_600_000_000_002, key: null, value: compressed }).buffer;
  if (logAppendTime !== undefined) {
    // set the timestamp-type bit (attributes at byte 5 of the message: crc 4, magic 1) and fix the CRC
    msg[5] = msg[5]! | 0x08;
    msg.writeUInt32BE(crc32(msg.subarray(4)), 0);
  }
  const out = Buffer.alloc(12 + msg.length);
  out.writeBigInt64BE(BigInt(lastOffset), 0);
  out.writeInt32BE(msg.length, 8);
  msg.copy(out, 12);
  return out;
}

test('CRC-32 (IEEE) golden vector, node and JS agree', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32Js(Buffer.from('123456789')), 0xcbf43926);
  const r = randomBytes(5000);
  assert.equal(crc32(r), crc32Js(r));
});

test('uncompressed v0 and v1 message sets written by kafkajs decode', () => {
  for (const version of [0, 1] as const) {
    const set = setOffsets(Buffer.from(MessageSet({ messageVersion: version, entries }).buffer), 100);
    assert.ok(isLegacyMessageSet(set));
    const msgs = decodeLegacyMessageSet(set);
    assert.deepEqual(msgs.map((m) => m.offset), [100, 101, 102]);
    assert.deepEqual(msgs.map((m) => m.key!.toString()), ['k0', 'k1', 'k2']);
    assert.deepEqual(msgs.map((m) => m.value!.toString()), ['value-0', 'value-1', 'value-2']);
    assert.ok(msgs.every((m) => m.magic === version));
    if (version === 1) assert.deepEqual(msgs.map((m) => m.timestamp), entries.map((e) => e.timestamp));
    else assert.ok(msgs.every((m) => m.timestamp === -1 && m.timestampType === TimestampType.NoTimestamp));
    // iterateBatches recognises them as legacy entries
    const views = [...iterateBatches(set)];
    assert.equal(views.length, 3);
    assert.ok(views.every((v) => v.isLegacy));
  }
});

test('compressed wrappers (gzip, snappy, lz4) flatten with v1 relative offsets resolved', () => {
  for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4]) {
    const msgs = decodeLegacyMessageSet(wrapper(1, codec, 52));
    assert.deepEqual(msgs.map((m) => m.offset), [50, 51, 52], `codec ${codec}`);
    assert.deepEqual(msgs.map((m) => m.value!.toString()), ['value-0', 'value-1', 'value-2']);
    assert.deepEqual(msgs.map((m) => m.timestamp), entries.map((e) => e.timestamp));
    const v0 = decodeLegacyMessageSet(wrapper(0, codec, 2));
    assert.deepEqual(v0.map((m) => m.offset), [0, 1, 2]);
  }
  const lat = decodeLegacyMessageSet(wrapper(1, CompressionType.Gzip, 9, 1_700_000_000_000));
  assert.ok(lat.every((m) => m.timestamp === 1_700_000_000_000 && m.timestampType === TimestampType.LogAppendTime));
});

test('conversion to a v2 batch keeps keys, values and timestamps', () => {
  const msgs = decodeLegacyMessageSet(wrapper(1, CompressionType.Snappy, 2));
  const batch = decodeRecordBatch(legacyToRecordBatch(msgs, { compression: CompressionType.Lz4 }));
  assert.deepEqual(batch.records.map((r) => [r.key!.toString(), r.value!.toString(), r.timestamp]), entries.map((e) => [e.key.toString(), e.value.toString(), e.timestamp]));
});

test('bad legacy input -> typed CORRUPT_MESSAGE errors', () => {
  const set = setOffsets(Buffer.from(MessageSet({ messageVersion: 1, entries }).buffer), 0);
  const check = (b: Buffer, code: string, opts = {}) =>
    assert.throws(() => decodeLegacyMessageSet(b, opts), (e: unknown) => e instanceof RecordBatchError && e.code === code, code);
  const crc = Buffer.from(set);
  crc[30]! ^= 1;
  check(crc, 'BAD_CRC');
  check(set.subarray(0, set.length - 2), 'TRUNCATED');
  assert.equal(decodeLegacyMessageSet(set.subarray(0, set.length - 2), { allowPartial: true }).length, 2);
  const small = Buffer.from(set);
  small.writeInt32BE(3, 8);
  check(small, 'BAD_LENGTH');
  const keyLen = Buffer.from(set);
  keyLen.writeInt32BE(1000, 12 + 4 + 1 + 1 + 8); // key length past the end
  check(keyLen, 'TRUNCATED', { verifyCrc: false });
  const v2 = encodeRecordBatch({ records: [{ value: 'x' }] });
  check(v2, 'BAD_MAGIC', { verifyCrc: false });
  assert.equal(isLegacyMessageSet(v2), false);
});
