import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { ErrorCodes } from '../../src/protocol/generated/error-codes.js';
import { encodeRecordBatch, decodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { iterateBatches } from '../../src/protocol/records/batch-view.js';
import { CompressionType } from '../../src/protocol/compression/types.js';
import { TimestampType } from '../../src/protocol/records/types.js';
import { RawClient, startTestBroker, type TestBroker } from './harness.js';
import { legacyMessageV1 } from '../helpers/legacy-messages.js';

let tb: TestBroker;
let c: RawClient;
before(async () => {
  tb = await startTestBroker();
  c = await RawClient.connect(tb.port);
});
after(async () => {
  c?.close();
  await tb?.stop();
});

async function createTopic(name: string, partitions = 1, configs: Record<string, string> = {}): Promise<void> {
  const r = await c.send(ApiKeys.CreateTopics, 7, {
    topics: [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })) }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  assert.equal(r.topics[0]!.errorCode, 0, r.topics[0]!.errorMessage ?? '');
}

function batch(values: string[], extra: Partial<Parameters<typeof encodeRecordBatch>[0]> = {}): Buffer {
  return encodeRecordBatch({ records: values.map((v, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(v) })), ...extra });
}

async function produce(topic: string, partition: number, records: Buffer, acks = -1, version = 9) {
  const r = await c.send(ApiKeys.Produce, version, { transactionalId: null, acks, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] });
  return r.responses[0]!.partitionResponses[0]!;
}

async function fetch(topic: string, partition: number, offset: bigint, opts: { maxWaitMs?: number; minBytes?: number; partitionMaxBytes?: number; version?: number } = {}) {
  const r = await c.send(ApiKeys.Fetch, opts.version ?? 11, {
    replicaId: -1,
    maxWaitMs: opts.maxWaitMs ?? 0,
    minBytes: opts.minBytes ?? 1,
    maxBytes: 50 * 1024 * 1024,
    isolationLevel: 0,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, fetchOffset: offset, partitionMaxBytes: opts.partitionMaxBytes ?? 1 << 20, currentLeaderEpoch: -1, logStartOffset: -1n }] }],
    forgottenTopicsData: [],
    rackId: '',
  });
  return { top: r, p: r.responses[0]!.partitions[0]! };
}

test('ApiVersions advertises only served APIs; an unknown version gets a v0 answer with UNSUPPORTED_VERSION', async () => {
  const r = await c.send(ApiKeys.ApiVersions, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1.0' });
  assert.equal(r.errorCode, 0);
  const produce = r.apiKeys.find((k) => k.apiKey === ApiKeys.Produce)!;
  assert.deepEqual([produce.minVersion, produce.maxVersion], [0, 11]);
  assert.equal(r.apiKeys.find((k) => k.apiKey === ApiKeys.LeaderAndIsr), undefined);
  // Hand-made ApiVersions v99 request.
  const header = Buffer.alloc(4 + 2 + 2 + 4 + 2 + 4);
  header.writeInt32BE(header.length - 4, 0);
  header.writeInt16BE(18, 4);
  header.writeInt16BE(99, 6);
  header.writeInt32BE(4242, 8);
  header.writeInt16BE(4, 12);
  header.write('test', 14);
  const raw = await RawClient.connect(tb.port);
  const got = new Promise<Buffer>((resolve) => raw.socket.once('data', resolve));
  raw.writeRaw(header);
  const frame = await got;
  assert.equal(frame.readInt32BE(4), 4242);
  assert.equal(frame.readInt16BE(8), ErrorCodes.UNSUPPORTED_VERSION);
  raw.close();
});

test('produce then fetch returns the same bytes; acks=0 gets no response but is applied', async () => {
  await createTopic('pf');
  const b = batch(['a', 'b', 'c']);
  const r = await produce('pf', 0, Buffer.from(b));
  assert.equal(r.errorCode, 0);
  assert.equal(r.baseOffset, 0n);
  c.sendOneWay(ApiKeys.Produce, 9, { transactionalId: null, acks: 0, timeoutMs: 5000, topicData: [{ name: 'pf', partitionData: [{ index: 0, records: batch(['d']) }] }] });
  const r2 = await produce('pf', 0, batch(['e']));
  assert.equal(r2.baseOffset, 4n, 'acks=0 batch took offset 3');
  const { p } = await fetch('pf', 0, 0n);
  assert.equal(p.errorCode, 0);
  assert.equal(p.highWatermark, 5n);
  const views = [...iterateBatches(p.records!)];
  assert.equal(views.length, 3);
  // Only baseOffset and leader epoch differ from what the client sent.
  assert.deepEqual(p.records!.subarray(17, views[0]!.sizeInBytes), b.subarray(17));
  const decoded = await decodeRecordBatch(views[0]!);
  assert.deepEqual(decoded.records.map((x) => x.value!.toString()), ['a', 'b', 'c']);
});

test('produce errors: unknown topic, bad CRC, too large, invalid acks', async () => {
  assert.equal((await produce('nope', 0, batch(['x']))).errorCode, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION);
  await createTopic('small', 1, { 'max.message.bytes': '200' });
  assert.equal((await produce('small', 0, batch(['x'.repeat(500)]))).errorCode, ErrorCodes.MESSAGE_TOO_LARGE);
  const bad = batch(['y']);
  bad[bad.length - 1] ^= 0xff;
  assert.equal((await produce('small', 0, bad)).errorCode, ErrorCodes.CORRUPT_MESSAGE);
  assert.equal((await produce('small', 0, batch(['x']), 2)).errorCode, ErrorCodes.INVALID_REQUIRED_ACKS);
  assert.equal((await produce('small', 0, batch(['fine']))).errorCode, 0);
});

test('LogAppendTime topics stamp the broker time', async () => {
  await createTopic('lat', 1, { 'message.timestamp.type': 'LogAppendTime' });
  const before = Date.now();
  const r = await produce('lat', 0, batch(['x'], { baseTimestamp: 1000, now: 1000 }));
  assert.equal(r.errorCode, 0);
  assert.ok(Number(r.logAppendTimeMs) >= before);
  const { p } = await fetch('lat', 0, 0n);
  const v = [...iterateBatches(p.records!)][0]!;
  assert.equal(v.timestampType, TimestampType.LogAppendTime);
  assert.equal(v.maxTimestamp, Number(r.logAppendTimeMs));
  assert.ok(v.isCrcValid());
});

test('compressed batches are stored as sent', async () => {
  await createTopic('comp');
  for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
    const { encodeRecordBatchAsync } = await import('../../src/protocol/records/record-batch.js');
    const b = await encodeRecordBatchAsync({ records: [{ value: Buffer.from(`codec-${codec}`) }], compression: codec });
    assert.equal((await produce('comp', 0, b)).errorCode, 0);
  }
  const { p } = await fetch('comp', 0, 0n);
  const views = [...iterateBatches(p.records!)];
  assert.deepEqual(views.map((v) => v.compression), [1, 2, 3, 4]);
});

test('idempotent producer: duplicates answered with the original offset, gaps and old epochs refused', async () => {
  await createTopic('idem');
  const init = await c.send(ApiKeys.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 });
  assert.equal(init.errorCode, 0);
  const pid = init.producerId!;
  const mk = (seq: number, n: number, epoch = 0) => batch(Array.from({ length: n }, (_, i) => `s${seq + i}`), { producerId: pid, producerEpoch: epoch, baseSequence: seq });
  assert.equal((await produce('idem', 0, mk(0, 3))).baseOffset, 0n);
  assert.equal((await produce('idem', 0, mk(3, 2))).baseOffset, 3n);
  const dup = await produce('idem', 0, mk(0, 3));
  assert.equal(dup.errorCode, 0);
  assert.equal(dup.baseOffset, 0n, 'duplicate gets the original offset');
  assert.equal((await produce('idem', 0, mk(9, 1))).errorCode, ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER);
  assert.equal((await produce('idem', 0, mk(5, 1, 1))).errorCode, ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER, 'new epoch must start at 0');
  assert.equal((await produce('idem', 0, mk(0, 1, 1))).baseOffset, 5n);
  assert.equal((await produce('idem', 0, mk(1, 1, 0))).errorCode, ErrorCodes.INVALID_PRODUCER_EPOCH);
  const { p } = await fetch('idem', 0, 0n);
  assert.equal(p.highWatermark, 6n, 'no duplicate was written');
  const dp = await c.send(ApiKeys.DescribeProducers, 0, { topics: [{ name: 'idem', partitionIndexes: [0] }] });
  const st = dp.topics[0]!.partitions[0]!.activeProducers.find((x) => x.producerId === pid)!;
  assert.equal(st.producerEpoch, 1);
  assert.equal(st.lastSequence, 0);
});

test('pipelined idempotent batches on one connection keep their order', async () => {
  await createTopic('idem-pipe');
  const init = await c.send(ApiKeys.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 });
  const pid = init.producerId!;
  const sends = [];
  for (let i = 0; i < 20; i++) {
    // gzip batches take longer to validate than uncompressed ones: alternate to provoke reordering.
    const { encodeRecordBatchAsync } = await import('../../src/protocol/records/record-batch.js');
    const b = await encodeRecordBatchAsync({ records: [{ value: Buffer.alloc(2000, i) }], producerId: pid, producerEpoch: 0, baseSequence: i, compression: i % 2 ? CompressionType.Gzip : CompressionType.None });
    sends.push(produce('idem-pipe', 0, b));
  }
  const res = await Promise.all(sends);
  assert.deepEqual(res.map((r) => r.errorCode), Array(20).fill(0));
  assert.deepEqual(res.map((r) => r.baseOffset), Array.from({ length: 20 }, (_, i) => BigInt(i)));
});

test('fetch: out of range, long poll woken by a produce, max wait honoured', async () => {
  await createTopic('poll');
  assert.equal((await fetch('poll', 0, 5n)).p.errorCode, ErrorCodes.OFFSET_OUT_OF_RANGE);
  const t0 = Date.now();
  const empty = await fetch('poll', 0, 0n, { maxWaitMs: 300 });
  assert.ok(Date.now() - t0 >= 250, 'waited for max_wait_ms');
  assert.equal(empty.p.records!.length, 0);
  const c2 = await RawClient.connect(tb.port);
  const t1 = Date.now();
  const waiting = fetch('poll', 0, 0n, { maxWaitMs: 5000 });
  const late = new Promise((resolve) => setTimeout(resolve, 100)).then(() =>
    c2.send(ApiKeys.Produce, 9, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: 'poll', partitionData: [{ index: 0, records: batch(['late']) }] }] }),
  );
  const got = await waiting;
  await late;
  assert.ok(Date.now() - t1 < 3000, 'returned as soon as data arrived');
  assert.equal(got.p.highWatermark, 1n);
  assert.ok(got.p.records!.length > 0);
  c2.close();
});

test('fetch: per-partition max bytes still returns one whole batch', async () => {
  await createTopic('maxb');
  await produce('maxb', 0, batch(['x'.repeat(1000)]));
  await produce('maxb', 0, batch(['y'.repeat(1000)]));
  const { p } = await fetch('maxb', 0, 0n, { partitionMaxBytes: 10 });
  assert.equal([...iterateBatches(p.records!)].length, 1);
});

test('incremental fetch sessions (KIP-227)', async () => {
  await createTopic('sess', 2);
  await produce('sess', 0, batch(['a']));
  const req = (sessionId: number, sessionEpoch: number, topics: { topic: string; partitions: { partition: number; fetchOffset: bigint; partitionMaxBytes: number }[] }[], forgotten: { topic: string; partitions: number[] }[] = []) =>
    c.send(ApiKeys.Fetch, 11, { replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId, sessionEpoch, topics, forgottenTopicsData: forgotten, rackId: '' });
  const full = await req(0, 0, [{ topic: 'sess', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }, { partition: 1, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }]);
  assert.ok(full.sessionId! > 0);
  assert.equal(full.responses[0]!.partitions.length, 2);
  const id = full.sessionId!;
  // Next fetch: partition 0 moved to offset 1; nothing new anywhere -> partition 0 not reported (HW unchanged)...
  const inc1 = await req(id, 1, [{ topic: 'sess', partitions: [{ partition: 0, fetchOffset: 1n, partitionMaxBytes: 1 << 20 }] }]);
  assert.equal(inc1.errorCode, 0);
  assert.equal(inc1.sessionId, id);
  assert.equal(inc1.responses.length, 0, 'no news');
  await produce('sess', 1, batch(['b']));
  const inc2 = await req(id, 2, []);
  assert.equal(inc2.responses.length, 1);
  assert.deepEqual(inc2.responses[0]!.partitions.map((p) => p.partitionIndex), [1]);
  assert.equal((await req(id, 7, [])).errorCode, ErrorCodes.INVALID_FETCH_SESSION_EPOCH);
  assert.equal((await req(999999999, 1, [])).errorCode, ErrorCodes.FETCH_SESSION_ID_NOT_FOUND);
  // Forget partition 1, then a produce to it is not reported.
  const inc3 = await req(id, 3, [], [{ topic: 'sess', partitions: [1] }]);
  assert.equal(inc3.errorCode, 0);
  await produce('sess', 1, batch(['c']));
  const inc4 = await req(id, 4, []);
  assert.equal(inc4.responses.length, 0);
});

test('fetch by topic id (v13+)', async () => {
  await createTopic('byid');
  await produce('byid', 0, batch(['z']));
  const md = await c.send(ApiKeys.Metadata, 12, { topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAA', name: 'byid' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  const topicId = md.topics[0]!.topicId!;
  const r = await c.send(ApiKeys.Fetch, 13, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topicId, partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1n }] }],
    forgottenTopicsData: [], rackId: '',
  });
  assert.equal(r.responses[0]!.topicId, topicId);
  assert.equal(r.responses[0]!.partitions[0]!.highWatermark, 1n);
  const bad = await c.send(ApiKeys.Fetch, 13, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  assert.equal(bad.responses[0]!.partitions[0]!.errorCode, ErrorCodes.UNKNOWN_TOPIC_ID);
});

test('ListOffsets: earliest, latest, by timestamp, max timestamp', async () => {
  await createTopic('lo');
  await produce('lo', 0, batch(['a', 'b'], { baseTimestamp: 1000, now: 1000 }));
  await produce('lo', 0, batch(['c'], { baseTimestamp: 5000, now: 5000 }));
  await produce('lo', 0, batch(['d'], { baseTimestamp: 3000, now: 3000 }));
  const q = async (timestamp: bigint) => {
    const r = await c.send(ApiKeys.ListOffsets, 8, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'lo', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }] });
    return r.topics[0]!.partitions[0]!;
  };
  assert.equal((await q(-2n)).offset, 0n);
  assert.equal((await q(-1n)).offset, 4n);
  assert.equal((await q(2000n)).offset, 2n);
  assert.equal((await q(9000n)).offset, -1n);
  const max = await q(-3n);
  assert.equal(max.offset, 2n);
  assert.equal(max.timestamp, 5000n);
  const v1 = await c.send(ApiKeys.ListOffsets, 1, { replicaId: -1, topics: [{ name: 'lo', partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
  assert.equal(v1.topics[0]!.partitions[0]!.offset, 4n);
});

test('a malformed request closes only its own connection', async () => {
  const bad = await RawClient.connect(tb.port);
  const garbage = Buffer.from([0, 0, 0, 10, 0, 3, 0, 12, 0, 0, 0, 1, 0xff, 0xff]);
  bad.writeRaw(garbage);
  await new Promise<void>((resolve) => bad.socket.once('close', () => resolve()));
  const r = await c.send(ApiKeys.Metadata, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  assert.ok(r.brokers.length === 1);
});

test('topic compression.type recompresses; message.timestamp.after.max.ms refuses future timestamps', async () => {
  await createTopic('recomp', 1, { 'compression.type': 'zstd', 'message.timestamp.after.max.ms': '60000' });
  assert.equal((await produce('recomp', 0, batch(['plain-1', 'plain-2']))).errorCode, 0);
  const { encodeRecordBatchAsync } = await import('../../src/protocol/records/record-batch.js');
  const gz = await encodeRecordBatchAsync({ records: [{ value: Buffer.from('was-gzip') }], compression: CompressionType.Gzip });
  assert.equal((await produce('recomp', 0, gz)).errorCode, 0);
  const { p } = await fetch('recomp', 0, 0n);
  const views = [...iterateBatches(p.records!)];
  assert.deepEqual(views.map((v) => v.compression), [CompressionType.Zstd, CompressionType.Zstd]);
  assert.ok(views.every((v) => v.isCrcValid()));
  const values = [];
  for (const v of views) for (const r of (await decodeRecordBatch(v)).records) values.push(r.value!.toString());
  assert.deepEqual(values, ['plain-1', 'plain-2', 'was-gzip']);
  const future = batch(['later'], { baseTimestamp: Date.now() + 3_600_000, now: Date.now() + 3_600_000 });
  assert.equal((await produce('recomp', 0, future)).errorCode, ErrorCodes.INVALID_TIMESTAMP);
});

test('acks=0 produce to an unknown topic closes the connection (as Kafka does)', async () => {
  const c2 = await RawClient.connect(tb.port);
  c2.sendOneWay(ApiKeys.Produce, 9, { transactionalId: null, acks: 0, timeoutMs: 1000, topicData: [{ name: 'no-such-topic', partitionData: [{ index: 0, records: batch(['x']) }] }] });
  await new Promise<void>((resolve) => c2.socket.once('close', () => resolve()));
  assert.ok(c2.closed);
});

test('Produce v2 with a magic v1 message set is up-converted to a v2 batch', async () => {
  await createTopic('legacy');
  const set = Buffer.concat([
    legacyMessageV1({ offset: 0, timestamp: 1111, key: 'k1', value: 'old-1' }),
    legacyMessageV1({ offset: 1, timestamp: 2222, key: 'k2', value: 'old-2' }),
  ]);
  const r = await produce('legacy', 0, set, -1, 2);
  assert.equal(r.errorCode, 0);
  const { p } = await fetch('legacy', 0, 0n);
  const views = [...iterateBatches(p.records!)];
  assert.equal(views.length, 1);
  assert.equal(views[0]!.magic, 2);
  const decoded = await decodeRecordBatch(views[0]!);
  assert.deepEqual(decoded.records.map((x) => [x.key!.toString(), x.value!.toString(), decoded.baseTimestamp + x.timestampDelta]), [['k1', 'old-1', 1111], ['k2', 'old-2', 2222]]);
  const bad = Buffer.from(set);
  bad[20] ^= 0xff;
  assert.equal((await produce('legacy', 0, bad, -1, 2)).errorCode, ErrorCodes.CORRUPT_MESSAGE);
});

test('acks=all is refused with NOT_ENOUGH_REPLICAS when min.insync.replicas exceeds the ISR; acks=1 still works', async () => {
  await createTopic('minisr', 1, { 'min.insync.replicas': '2' });
  assert.equal((await produce('minisr', 0, batch(['x']), -1)).errorCode, ErrorCodes.NOT_ENOUGH_REPLICAS);
  assert.equal((await produce('minisr', 0, batch(['x']), 1)).errorCode, 0);
});

test('long poll: data appended while the fetch was reading is not missed (no lost wake-up)', async () => {
  await createTopic('race');
  const replicas = tb.broker.services.replicas;
  const original = replicas.read.bind(replicas);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let first = true;
  // Hold the fetch's first read until a produce has completed, as a slow disk read would.
  replicas.read = async (req) => {
    const r = await original(req);
    if (first && req.partition.topic === 'race') {
      first = false;
      await gate;
    }
    return r;
  };
  try {
    const t0 = Date.now();
    const waiting = fetch('race', 0, 0n, { maxWaitMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    // On another connection: responses on one connection come back in request order.
    const c2 = await RawClient.connect(tb.port);
    const pr = await c2.send(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'race', partitionData: [{ index: 0, records: batch(['during-read']) }] }] });
    assert.equal(pr.responses[0]!.partitionResponses[0]!.errorCode, 0);
    c2.close();
    release();
    const got = await waiting;
    assert.ok(Date.now() - t0 < 2000, `answered at once, not after max_wait_ms (${Date.now() - t0} ms)`);
    assert.equal(got.p.highWatermark, 1n);
    assert.ok(got.p.records!.length > 0);
  } finally {
    replicas.read = original;
  }
});
