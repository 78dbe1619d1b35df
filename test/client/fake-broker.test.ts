// The producer's error handling against scripted fake brokers (real sockets, Gregor's generated codecs):
// NOT_LEADER_OR_FOLLOWER -> metadata refresh and retry at the new leader; a retriable error -> the same batch resent
// byte-identical (same idempotent sequence); MESSAGE_TOO_LARGE -> non-retriable RecordTooLargeError; a broker that
// never answers -> request.timeout.ms, retries, then delivery.timeout.ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { decodeRequest, encodeResponse, FrameDecoder } from '../../src/protocol/messages.js';
import { API_VERSIONS, ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { RecordBatchView } from '../../src/protocol/records/batch-view.js';
import { Producer, RecordTooLargeError, TimeoutError } from '../../src/client/index.js';

type Handler = (apiKey: number, version: number, body: unknown) => unknown | null; // null = no answer

interface FakeBroker {
  id: number;
  port: number;
  server: Server;
  produceBatches: Buffer[];
}

async function fakeBroker(id: number, handler: Handler): Promise<FakeBroker> {
  const fb: FakeBroker = { id, port: 0, server: null as unknown as Server, produceBatches: [] };
  const sockets = new Set<Socket>();
  fb.server = createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    const frames = new FrameDecoder();
    sock.on('data', (d: Buffer) => {
      for (const frame of frames.push(d)) {
        const { header, body } = decodeRequest(frame);
        let resp: unknown;
        if (header.apiKey === ApiKeys.ApiVersions) {
          resp = { errorCode: 0, apiKeys: API_VERSIONS.filter((a) => [0, 3, 18, 22].includes(a.apiKey)).map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion })), throttleTimeMs: 0 };
        } else {
          if (header.apiKey === ApiKeys.Produce) {
            for (const t of (body as { topicData: { partitionData: { records: Buffer | null }[] }[] }).topicData) for (const p of t.partitionData) fb.produceBatches.push(Buffer.from(p.records!));
          }
          resp = handler(header.apiKey, header.apiVersion, body);
        }
        if (resp === null) continue;
        sock.write(encodeResponse(header.apiKey as 18, header.apiVersion, header.correlationId, resp as never));
      }
    });
  });
  await new Promise<void>((r) => fb.server.listen(0, '127.0.0.1', r));
  fb.port = (fb.server.address() as { port: number }).port;
  const close = fb.server.close.bind(fb.server);
  fb.server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof fb.server.close;
  return fb;
}

function metadata(brokers: FakeBroker[], leader: () => number): unknown {
  return {
    throttleTimeMs: 0,
    brokers: brokers.map((b) => ({ nodeId: b.id, host: '127.0.0.1', port: b.port, rack: null })),
    clusterId: 'fake',
    controllerId: brokers[0]!.id,
    topics: [{ errorCode: 0, name: 't', topicId: 'AAAAAAAAAAAAAAAAAAAAAA', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: leader(), leaderEpoch: 0, replicaNodes: [leader()], isrNodes: [leader()], offlineReplicas: [] }] }],
  };
}

function produceResponse(errorCode: number, baseOffset = 0n): unknown {
  return { responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode, baseOffset, logAppendTimeMs: -1n, logStartOffset: 0n, recordErrors: [], errorMessage: null }] }], throttleTimeMs: 0 };
}

const initPid = { throttleTimeMs: 0, errorCode: 0, producerId: 42n, producerEpoch: 0 };

test('NOT_LEADER_OR_FOLLOWER: refresh metadata, retry at the new leader, same sequence', async () => {
  let leader = 1;
  const brokers: FakeBroker[] = [];
  const common = (k: number, body: unknown): unknown | undefined => {
    if (k === ApiKeys.Metadata) return metadata(brokers, () => leader);
    if (k === ApiKeys.InitProducerId) return initPid;
    void body;
    return undefined;
  };
  const b1 = await fakeBroker(1, (k, _v, body) => {
    const c = common(k, body);
    if (c !== undefined) return c;
    leader = 2; // leadership moved: tell the client so
    return produceResponse(6);
  });
  const b2 = await fakeBroker(2, (k, _v, body) => common(k, body) ?? produceResponse(0, 100n));
  brokers.push(b1, b2);
  const p = new Producer<string, string>({ bootstrapServers: `127.0.0.1:${b1.port}`, valueSerializer: 'string', retryBackoffMs: 10 });
  try {
    const md = await p.send({ topic: 't', partition: 0, value: 'x' });
    assert.equal(md.offset, 100);
    assert.equal(b1.produceBatches.length, 1);
    assert.equal(b2.produceBatches.length, 1);
    assert.deepEqual(b2.produceBatches[0], b1.produceBatches[0], 'the retried batch is byte-identical');
    const v = new RecordBatchView(b2.produceBatches[0]!);
    assert.equal(v.producerId, 42);
    assert.equal(v.baseSequence, 0);
  } finally {
    await p.close();
    b1.server.close();
    b2.server.close();
  }
});

test('retriable error: the batch is resent; non-retriable MESSAGE_TOO_LARGE fails fast', async () => {
  const brokers: FakeBroker[] = [];
  const answers = [19 /* NOT_ENOUGH_REPLICAS */, 0, 10 /* MESSAGE_TOO_LARGE */];
  const b = await fakeBroker(1, (k) => {
    if (k === ApiKeys.Metadata) return metadata(brokers, () => 1);
    if (k === ApiKeys.InitProducerId) return initPid;
    return produceResponse(answers.shift() ?? 0, 7n);
  });
  brokers.push(b);
  const p = new Producer<string, string>({ bootstrapServers: `127.0.0.1:${b.port}`, valueSerializer: 'string', retryBackoffMs: 10 });
  try {
    assert.equal((await p.send({ topic: 't', partition: 0, value: 'a' })).offset, 7);
    assert.equal(b.produceBatches.length, 2);
    assert.deepEqual(b.produceBatches[0], b.produceBatches[1]);
    await assert.rejects(p.send({ topic: 't', partition: 0, value: 'b' }), (e: unknown) => e instanceof RecordTooLargeError && !e.retriable);
    assert.equal(b.produceBatches.length, 3, 'MESSAGE_TOO_LARGE is not retried');
    assert.equal(new RecordBatchView(b.produceBatches[2]!).baseSequence, 1);
  } finally {
    await p.close();
    b.server.close();
  }
});

test('a broker that never answers: request.timeout.ms, retries, then delivery.timeout.ms', async () => {
  const brokers: FakeBroker[] = [];
  const b = await fakeBroker(1, (k) => {
    if (k === ApiKeys.Metadata) return metadata(brokers, () => 1);
    if (k === ApiKeys.InitProducerId) return initPid;
    return null;
  });
  brokers.push(b);
  const p = new Producer<string, string>({ bootstrapServers: `127.0.0.1:${b.port}`, valueSerializer: 'string', requestTimeoutMs: 200, deliveryTimeoutMs: 1000, retryBackoffMs: 20, lingerMs: 0 });
  try {
    const t0 = Date.now();
    await assert.rejects(p.send({ topic: 't', partition: 0, value: 'a' }), TimeoutError);
    const took = Date.now() - t0;
    assert.ok(took >= 900 && took < 5000, `failed after ${took} ms`);
    assert.ok(b.produceBatches.length >= 2, `sent ${b.produceBatches.length} times`);
  } finally {
    await p.close(100);
    b.server.close();
  }
});

test('UNKNOWN_PRODUCER_ID: continue under a new producer id, re-sequenced from 0', async () => {
  const brokers: FakeBroker[] = [];
  let pids = 0;
  const answers = [0, 59 /* UNKNOWN_PRODUCER_ID */];
  const b = await fakeBroker(1, (k) => {
    if (k === ApiKeys.Metadata) return metadata(brokers, () => 1);
    if (k === ApiKeys.InitProducerId) return { ...initPid, producerId: BigInt(100 + pids++) };
    return produceResponse(answers.shift() ?? 0, 3n);
  });
  brokers.push(b);
  const p = new Producer<string, string>({ bootstrapServers: `127.0.0.1:${b.port}`, valueSerializer: 'string', retryBackoffMs: 10 });
  try {
    await p.send({ topic: 't', partition: 0, value: 'first' });
    await p.send({ topic: 't', partition: 0, value: 'second' });
    const views = b.produceBatches.map((x) => new RecordBatchView(x));
    assert.deepEqual(
      views.map((v) => [v.producerId, v.baseSequence]),
      [
        [100, 0],
        [100, 1],
        [101, 0],
      ],
    );
  } finally {
    await p.close();
    b.server.close();
  }
});

test('MESSAGE_TOO_LARGE on a multi-record batch: split in halves (same sequence range) until accepted', async () => {
  const brokers: FakeBroker[] = [];
  let next = 0n;
  const b = await fakeBroker(1, (k, _v, body) => {
    if (k === ApiKeys.Metadata) return metadata(brokers, () => 1);
    if (k === ApiKeys.InitProducerId) return initPid;
    const records = (body as { topicData: { partitionData: { records: Buffer }[] }[] }).topicData[0]!.partitionData[0]!.records;
    const count = new RecordBatchView(records).recordCount;
    if (count > 2) return produceResponse(10);
    const base = next;
    next += BigInt(count);
    return produceResponse(0, base);
  });
  brokers.push(b);
  const p = new Producer<string, string>({ bootstrapServers: `127.0.0.1:${b.port}`, valueSerializer: 'string', lingerMs: 20, retryBackoffMs: 5 });
  try {
    const md = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((value) => p.send({ topic: 't', partition: 0, value })));
    assert.deepEqual(
      md.map((m) => m.offset),
      [0, 1, 2, 3, 4],
    );
    const accepted = b.produceBatches.map((x) => new RecordBatchView(x)).filter((v) => v.recordCount <= 2);
    assert.deepEqual(
      accepted.map((v) => [v.baseSequence, v.recordCount]),
      [
        [0, 2],
        [2, 1],
        [3, 2],
      ],
    );
  } finally {
    await p.close();
    b.server.close();
  }
});
