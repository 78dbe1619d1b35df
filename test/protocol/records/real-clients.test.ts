// Record batches that real clients put in Produce requests (captured into test/fixtures/wire by scripts/capture, see
// docs/testing.md): each must pass broker-side validation, decode, and survive re-encoding with our codecs. Also
// pins down how each client frames snappy and LZ4, which is why the decoders accept every variant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { decodeRequestBody, decodeRequestHeader, type KnownApiKey } from '../../../src/protocol/messages.js';
import { type ProduceRequest } from '../../../src/protocol/generated/messages/produce-request.js';
import { validateProduceRecords, validateProduceRecordsAsync } from '../../../src/protocol/records/validate.js';
import { decodeRecordBatch, encodeRecordBatch } from '../../../src/protocol/records/record-batch.js';
import { RecordBatchView } from '../../../src/protocol/records/batch-view.js';
import { CompressionType } from '../../../src/protocol/compression/index.js';
import { isXerialFramed } from '../../../src/protocol/compression/snappy.js';
import { wireFrame, wireIndex } from '../../helpers/wire-fixtures.js';
import { MAGIC } from '../../../src/protocol/records/batch-header.js';

const index = wireIndex();

interface Produced {
  client: string;
  version: number;
  records: Buffer;
}

function producedBatches(): Produced[] {
  const out: Produced[] = [];
  for (const e of index.filter((x) => x.direction === 'request' && x.apiKey === 0)) {
    const bytes = wireFrame(e);
    const r = new Reader(bytes, 4);
    const h = decodeRequestHeader(r);
    const body = decodeRequestBody(h.apiKey as KnownApiKey, h.apiVersion, r) as ProduceRequest;
    for (const t of body.topicData) {
      for (const p of t.partitionData) {
        // Magic v2 batches only: the legacy (magic 0/1) captures are covered by legacy.test.ts and golden.test.ts.
        if (p.records && p.records.length > MAGIC && p.records[MAGIC] === 2) {
          out.push({ client: e.client, version: h.apiVersion, records: p.records });
        }
      }
    }
  }
  return out;
}

const produced = producedBatches();

test('captures hold produce batches from several clients and every codec', () => {
  assert.ok(new Set(produced.map((p) => p.client)).size >= 3);
  const codecs = new Set(produced.map((p) => new RecordBatchView(p.records).compression));
  assert.deepEqual([...codecs].sort(), [0, 1, 2, 3, 4], `codecs seen: ${[...codecs].join(',')}`);
});

test('every real client batch passes produce validation (sync and async) and decodes', async () => {
  for (const p of produced) {
    const sync = validateProduceRecords(p.records, { produceVersion: p.version });
    assert.equal(sync.errorCode, 0, `${p.client}: ${sync.errorMessage}`);
    const async = await validateProduceRecordsAsync(p.records, { produceVersion: p.version });
    assert.equal(async.errorCode, 0);
    const d = decodeRecordBatch(p.records);
    assert.equal(d.records.length, sync.recordCount);
    assert.equal(d.maxTimestamp, sync.maxTimestamp);
  }
});

test('re-encoding a client batch with its own codec decodes to the same records', () => {
  for (const p of produced) {
    const d = decodeRecordBatch(p.records);
    const again = encodeRecordBatch({
      compression: d.compression,
      partitionLeaderEpoch: d.partitionLeaderEpoch,
      transactional: d.isTransactional,
      baseTimestamp: d.baseTimestamp,
      producerId: d.producerId,
      producerEpoch: d.producerEpoch,
      baseSequence: d.baseSequence,
      records: d.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
    });
    const back = decodeRecordBatch(again);
    assert.deepEqual(
      back.records.map((r) => [r.key, r.value, r.headers, r.timestamp]),
      d.records.map((r) => [r.key, r.value, r.headers, r.timestamp]),
    );
    if (d.compression === CompressionType.None) assert.deepEqual(again, p.records, `${p.client}: uncompressed batch re-encodes byte-exact`);
  }
});

test('snappy framing differs by client: librdkafka sends raw blocks, kafka-python xerial frames', () => {
  const snappy = produced.filter((p) => new RecordBatchView(p.records).compression === CompressionType.Snappy);
  assert.ok(snappy.length > 0);
  const framing = Object.fromEntries(snappy.map((p) => [p.client, isXerialFramed(new RecordBatchView(p.records).recordsBytes) ? 'xerial' : 'raw']));
  if (framing.kcat) assert.equal(framing.kcat, 'raw');
  if (framing['kafka-python']) assert.equal(framing['kafka-python'], 'xerial');
});

test('LZ4 frames from clients use independent blocks; some declare the content size', () => {
  const lz4 = produced.filter((p) => new RecordBatchView(p.records).compression === CompressionType.Lz4);
  assert.ok(lz4.length > 0);
  for (const p of lz4) {
    const frame = new RecordBatchView(p.records).recordsBytes;
    assert.equal(frame.readUInt32LE(0), 0x184d2204);
    assert.ok(frame[4]! & 0x20, `${p.client}: block independence`);
  }
  const byClient = Object.fromEntries(lz4.map((p) => [p.client, (new RecordBatchView(p.records).recordsBytes[4]! & 0x08) !== 0]));
  if ('kcat' in byClient) assert.equal(byClient.kcat, false, 'librdkafka: no content size');
  if ('kafka-python' in byClient) assert.equal(byClient['kafka-python'], true, 'kafka-python: content size');
});
