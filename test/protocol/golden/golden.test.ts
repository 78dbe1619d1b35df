// Golden bytes: every frame real clients (kcat, confluent-kafka-python, kafka-python, kafkajs) put on the wire,
// and every answer of librdkafka's mock cluster, captured by scripts/capture (see docs/testing.md), must decode
// with the generated protocol code and re-encode to exactly the same bytes. Record batches inside Produce
// requests and Fetch responses must pass CRC32C, decode (compressed ones too) to what the capture scenario
// produced, and re-encode byte-exact when uncompressed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import {
  decodeRequestBody,
  decodeRequestHeader,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type KnownApiKey,
} from '../../../src/protocol/messages.js';
import { TimestampType } from '../../../src/protocol/records/types.js';
import { type ProduceRequest } from '../../../src/protocol/generated/messages/produce-request.js';
import { type FetchResponse } from '../../../src/protocol/generated/messages/fetch-response.js';
import { splitBatches } from '../../../src/protocol/records/batch-view.js';
import { decodeRecordBatch, encodeRecordBatch, type DecodedBatch } from '../../../src/protocol/records/record-batch.js';
import { decodeLegacyMessageSet, isLegacyMessageSet, legacyToRecordBatch } from '../../../src/protocol/records/legacy.js';
import { CompressionType, compressionTypeFromName } from '../../../src/protocol/compression/index.js';
import { goldenMessages } from '../../../scripts/capture/scenario.js';
import { WIRE_DIR, isMockUnsupportedApiVersions, wireFrame, wireIndex, type FixtureEntry } from '../../helpers/wire-fixtures.js';

// upstream 'mock': librdkafka's mock cluster answered; 'gregor': Gregor's broker did (requests at today's versions).
const index = wireIndex();
const load = wireFrame;
const clients = [...new Set(index.map((e) => e.client))];
/** A capture session: one client against one upstream. */
const sessions = [...new Set(index.map((e) => `${e.client}@${e.upstream}`))];
const inSession = (session: string) => (e: FixtureEntry) => `${e.client}@${e.upstream}` === session;
/** Sessions whose producer wrote magic 0/1 message sets (Produce v0-v2; kafka-python with an old api_version). */
const legacySessions = new Set(
  sessions.filter((s) => index.some((e) => inSession(s)(e) && e.apiKey === 0 && e.direction === 'request' && e.apiVersion < 3)),
);
/** Sessions of transactional/idempotent producers (they send InitProducerId); see TRANSACTION_SCENARIOS. */
const txnSessions = new Set(sessions.filter((s) => index.some((e) => inSession(s)(e) && e.apiKey === 22)));
const produceRequests = (session: string) =>
  index.filter((x) => inSession(session)(x) && x.apiKey === 0 && x.direction === 'request');


test('fixtures come from at least three real clients, with requests and responses', () => {
  assert.ok(clients.length >= 3, `clients: ${clients.join(', ')}`);
  // Responses written by an independent implementation (librdkafka's mock), for at least three clients.
  assert.ok(new Set(index.filter((e) => e.upstream === 'mock').map((e) => e.client)).size >= 3);
  for (const session of sessions) {
    const entries = index.filter(inSession(session));
    assert.ok(entries.some((e) => e.direction === 'request' && e.apiKey === 0), `${session} has Produce requests`);
    assert.ok(entries.some((e) => e.direction === 'response' && e.apiKey === 1), `${session} has Fetch responses`);
  }
});

test('index.json lists exactly the fixture files on disk', () => {
  const onDisk = (readdirSync(WIRE_DIR, { recursive: true }) as string[]).filter((f) => f.endsWith('.bin')).sort();
  assert.deepEqual([...new Set(index.map((e) => e.file))].sort(), onDisk);
});

test('flexible versions are covered by real clients\' requests', () => {
  // ApiVersions v3+, Metadata v9+, Produce v9+, Fetch v12+: compact strings/arrays and tagged fields.
  const flexible = (api: number, from: number) => index.some((e) => e.direction === 'request' && e.apiKey === api && e.apiVersion >= from);
  assert.ok(flexible(18, 3), 'ApiVersions v3+');
  assert.ok(flexible(3, 9), 'Metadata v9+');
  assert.ok(flexible(0, 9), 'Produce v9+');
  assert.ok(flexible(1, 12), 'Fetch v12+');
});

for (const session of sessions) {
  test(`${session}: every captured frame decodes and re-encodes byte-for-byte`, () => {
    let checked = 0;
    for (const e of index.filter(inSession(session))) {
      const bytes = load(e);
      const what = `${e.file} (${e.apiName} v${e.apiVersion} ${e.direction})`;
      assert.equal(bytes.readInt32BE(0), bytes.length - 4, `${what}: size prefix`);
      if (e.direction === 'request') {
        const r = new Reader(bytes, 4);
        const header = decodeRequestHeader(r);
        assert.equal(header.apiKey, e.apiKey, what);
        assert.equal(header.apiVersion, e.apiVersion, what);
        assert.equal(header.correlationId, e.correlationId, what);
        const body = decodeRequestBody(header.apiKey, header.apiVersion, r);
        assert.equal(r.remaining(), 0, `${what}: bytes left after the body`);
        const again = encodeRequest(header.apiKey as KnownApiKey, header.apiVersion, header.correlationId, header.clientId, body as never);
        assert.deepEqual(again, bytes, what);
      } else if (isMockUnsupportedApiVersions(e, bytes)) {
        // Asserted above: error code 35 right after the correlation id; the rest is the mock's own shape.
        assert.equal(bytes.readInt32BE(4), e.correlationId, what);
      } else {
        const { correlationId, body } = decodeResponse(e.apiKey, e.apiVersion, bytes.subarray(4));
        assert.equal(correlationId, e.correlationId, what);
        const again = encodeResponse(e.apiKey as KnownApiKey, e.apiVersion, correlationId, body as never);
        assert.deepEqual(again, bytes, what);
      }
      checked++;
    }
    assert.ok(checked > 10, `${session}: ${checked} frames`);
  });
}

interface BatchSeen {
  client: string;
  file: string;
  codec: CompressionType;
  batch: DecodedBatch;
  raw: Buffer;
}

function producedBatches(session: string): BatchSeen[] {
  const out: BatchSeen[] = [];
  for (const e of produceRequests(session)) {
    const r = new Reader(load(e), 4);
    const header = decodeRequestHeader(r);
    const body = decodeRequestBody(header.apiKey, header.apiVersion, r) as ProduceRequest;
    for (const topic of body.topicData) {
      for (const p of topic.partitionData) {
        assert.ok(p.records, `${e.file}: records present`);
        for (const view of splitBatches(p.records).batches) {
          assert.equal(view.magic, 2, `${e.file}: magic`);
          assert.ok(view.isCrcValid(), `${e.file}: CRC32C`);
          out.push({ client: e.client, file: e.file, codec: compressionTypeFromName(e.compression ?? 'none')!, batch: decodeRecordBatch(view), raw: view.buffer });
        }
      }
    }
  }
  return out;
}

const plain = (b: DecodedBatch) =>
  b.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers.map((h) => ({ key: h.key, value: h.value })) }));
const expected = (client: string, headers = true) =>
  goldenMessages(client, { headers }).map((m) => ({ key: m.key, value: m.value, headers: m.headers ?? [] }));

for (const session of legacySessions) {
  const client = session.slice(0, session.indexOf('@'));
  test(`${session}: legacy message sets decode (CRC-32 checked) to the scenario's records and up-convert to v2`, () => {
    const byCodec = new Map<CompressionType, { key: Buffer | null; value: Buffer | null; headers: [] }[]>();
    for (const e of produceRequests(session)) {
      const r = new Reader(load(e), 4);
      const header = decodeRequestHeader(r);
      const body = decodeRequestBody(header.apiKey, header.apiVersion, r) as ProduceRequest;
      // Produce v2 carries magic 1 (timestamps), v0/v1 carry magic 0.
      const magic = header.apiVersion >= 2 ? 1 : 0;
      for (const p of body.topicData.flatMap((t) => t.partitionData)) {
        assert.ok(p.records && isLegacyMessageSet(p.records), `${e.file}: legacy message set`);
        assert.equal(p.records.readInt8(16), magic, `${e.file}: magic`);
        const wrapperCodec = (p.records.readInt8(17) & 0x07) as CompressionType;
        const codec = compressionTypeFromName(e.compression ?? 'none')!;
        assert.ok(wrapperCodec === codec || wrapperCodec === CompressionType.None, `${e.file}: codec ${wrapperCodec}`);
        const messages = decodeLegacyMessageSet(p.records);
        for (const m of messages) assert.equal(m.magic, magic);
        if (magic === 1) for (const m of messages) assert.ok(m.timestamp > 1_600_000_000_000, `${e.file}: create time`);
        const list = byCodec.get(codec) ?? [];
        list.push(...messages.map((m) => ({ key: m.key, value: m.value, headers: [] as [] })));
        byCodec.set(codec, list);
        // The broker stores these as v2 batches: the conversion keeps keys and values.
        const converted = decodeRecordBatch(legacyToRecordBatch(messages));
        assert.deepEqual(plain(converted), messages.map((m) => ({ key: m.key, value: m.value, headers: [] })), e.file);
      }
    }
    assert.ok(byCodec.size >= 3, `${session}: codecs ${[...byCodec.keys()]}`);
    for (const [codec, records] of byCodec) assert.deepEqual(records, expected(client, false), `${session} codec ${codec}`);
  });
}

for (const session of sessions.filter((s) => !legacySessions.has(s))) {
  const client = session.slice(0, session.indexOf('@'));
  if (!txnSessions.has(session)) test(`${session}: produced batches (every codec) decode to the scenario's records`, () => {
    const batches = producedBatches(session);
    const codecs = [...new Set(batches.map((b) => b.codec))];
    assert.ok(codecs.includes(CompressionType.None) && codecs.includes(CompressionType.Gzip), `${client} codecs ${codecs}`);
    for (const codec of codecs) {
      const ofCodec = batches.filter((b) => b.codec === codec);
      // kafka-python sends a batch uncompressed when compressing does not make it smaller (a lone short record).
      for (const b of ofCodec) assert.ok([codec, CompressionType.None].includes(b.batch.compression), `${b.file}: compression attribute`);
      assert.ok(ofCodec.some((b) => b.batch.compression === codec), `${client}: some batch really uses codec ${codec}`);
      // A client may split one send into several batches/requests; together they hold the scenario in order.
      assert.deepEqual(ofCodec.flatMap((b) => plain(b.batch)), expected(client), `${client} codec ${codec}`);
    }
  });

  test(`${session}: uncompressed produced batches re-encode byte-exact`, () => {
    const batches = producedBatches(session).filter((b) => b.batch.compression === CompressionType.None);
    assert.ok(batches.length > 0);
    for (const { batch, raw, file } of batches) {
      const again = encodeRecordBatch({
        baseOffset: batch.baseOffset,
        partitionLeaderEpoch: batch.partitionLeaderEpoch,
        compression: CompressionType.None,
        timestampType: batch.timestampType === TimestampType.LogAppendTime ? TimestampType.LogAppendTime : TimestampType.CreateTime,
        transactional: batch.isTransactional,
        control: batch.isControl,
        producerId: batch.producerId,
        producerEpoch: batch.producerEpoch,
        baseSequence: batch.baseSequence,
        baseTimestamp: batch.baseTimestamp,
        records: batch.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
      });
      assert.deepEqual(again, raw, file);
    }
  });

  // The transactional session sends uncompressed batches only: no test for it here.
  const hasCompressed = producedBatches(session).some((b) => b.batch.compression !== CompressionType.None);
  if (hasCompressed) test(`${session}: compressed produced batches survive decode / re-compress / decode`, () => {
    const compressed = producedBatches(session).filter((b) => b.batch.compression !== CompressionType.None);
    assert.ok(compressed.length > 0);
    for (const { batch, file } of compressed) {
      const codec = batch.compression;
      const again = encodeRecordBatch({
        compression: codec,
        baseTimestamp: batch.baseTimestamp,
        producerId: batch.producerId,
        producerEpoch: batch.producerEpoch,
        baseSequence: batch.baseSequence,
        records: batch.records.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
      });
      assert.deepEqual(plain(decodeRecordBatch(again)), plain(batch), file);
    }
  });
}

for (const session of sessions) {
  const client = session.slice(0, session.indexOf('@'));
  test(`${session}: fetched batches (as the upstream served them) pass CRC and decode`, () => {
    // Legacy producers' records come back up-converted to v2 batches, without headers.
    const scenario = expected(client, !legacySessions.has(session));
    let records = 0;
    for (const e of index.filter((x) => inSession(session)(x) && x.apiKey === 1 && x.direction === 'response')) {
      const { body } = decodeResponse(e.apiKey, e.apiVersion, load(e).subarray(4)) as { body: FetchResponse };
      for (const t of body.responses) {
        for (const p of t.partitions) {
          if (!p.records || p.records.length === 0) continue;
          for (const view of splitBatches(p.records, { allowPartial: true }).batches) {
            assert.ok(view.isCrcValid(), `${e.file}: CRC32C`);
            for (const r of plain(decodeRecordBatch(view))) {
              assert.ok(scenario.some((s) => JSON.stringify(s) === JSON.stringify(r)), `${e.file}: unexpected record`);
              records++;
            }
          }
        }
      }
    }
    assert.ok(records > 0, `${client}: fetched records`);
  });
}

for (const session of txnSessions) {
  const client = session.slice(0, session.indexOf('@'));
  test(`${session}: transactional and idempotent batches carry producer id, epoch and gapless sequences`, () => {
    const bodies = <T>(api: number) =>
      index
        .filter((e) => inSession(session)(e) && e.apiKey === api && e.direction === 'request')
        .map((e) => {
          const r = new Reader(load(e), 4);
          const h = decodeRequestHeader(r);
          return decodeRequestBody(h.apiKey, h.apiVersion, r) as T;
        });
    const inits = bodies<{ transactionalId: string | null }>(22);
    assert.ok(inits.some((b) => b.transactionalId !== null), 'InitProducerId for the transactional producer');
    assert.ok(inits.some((b) => b.transactionalId === null), 'InitProducerId for the idempotent producer');
    assert.deepEqual(bodies<{ committed: boolean }>(26).map((b) => b.committed), [true, false], 'EndTxn commit, then abort');

    const batches = producedBatches(session).map((b) => b.batch);
    const golden = expected(client);
    const txn = batches.filter((b) => b.isTransactional);
    const idem = batches.filter((b) => !b.isTransactional);
    // Committed pair, aborted pair, then the idempotent producer's four.
    assert.deepEqual(txn.flatMap(plain), golden, 'transactional records');
    assert.deepEqual(idem.flatMap(plain), golden, 'idempotent records');
    for (const group of [txn, idem]) {
      const pid = group[0]!.producerId;
      assert.ok(pid >= 0, 'producer id assigned');
      let next = 0;
      for (const b of group) {
        assert.equal(b.producerId, pid);
        assert.ok(b.producerEpoch >= 0);
        assert.equal(b.baseSequence, next, 'sequences continue across batches without gaps');
        next += b.recordCount;
      }
    }
    assert.notEqual(txn[0]!.producerId, idem[0]!.producerId, 'two producers, two ids');
  });
}
