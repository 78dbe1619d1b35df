// log.flush.before.ack / flush.before.ack (Gregor extension): the broker and topic configs that make storage
// fdatasync appended batches before a produce is acknowledged. Checked end to end: the config reaches the
// partition's LogConfig, an acks=all produce answers only once the partition's recovery point (everything below it
// is on disk) has reached the log end offset, and a real fdatasync happened in between.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { ErrorCodes } from '../../src/protocol/generated/error-codes.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { ConfigSource } from '../../src/broker/config/broker-config.js';
import { RawClient, startTestBroker, type TestBroker } from './harness.js';

// Counts FileHandle.datasync calls (storage's fdatasync) for the whole file; restored at the end.
const probe = await open(join(tmpdir(), '.'), 'r');
const fileHandleProto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
await probe.close();
const realDatasync = fileHandleProto.datasync;
let datasyncs = 0;
fileHandleProto.datasync = function (this: unknown) {
  datasyncs++;
  return realDatasync.call(this);
};
after(() => {
  fileHandleProto.datasync = realDatasync;
});

async function withBroker(overrides: Record<string, string>, fn: (tb: TestBroker, c: RawClient) => Promise<void>): Promise<void> {
  const tb = await startTestBroker(overrides);
  const c = await RawClient.connect(tb.port);
  try {
    await fn(tb, c);
  } finally {
    c.close();
    await tb.stop();
  }
}

async function createTopic(c: RawClient, name: string, configs: Record<string, string> = {}): Promise<number> {
  const r = await c.send(ApiKeys.CreateTopics, 7, {
    topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })) }],
    timeoutMs: 5000,
    validateOnly: false,
  });
  return r.topics[0]!.errorCode;
}

/** Produces `n` records with acks=all; returns the datasync calls made while the request was in flight. */
async function produceAll(c: RawClient, topic: string, n: number): Promise<number> {
  const records = encodeRecordBatch({ records: Array.from({ length: n }, (_, i) => ({ value: Buffer.from(`v${i}`) })) });
  const before = datasyncs;
  const r = await c.send(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
  assert.equal(r.responses[0]!.partitionResponses[0]!.errorCode, 0);
  return datasyncs - before;
}

function logOf(tb: TestBroker, topic: string) {
  const p = tb.broker.services.topics.partition(topic, 0);
  assert.ok(p, `${topic}-0 exists`);
  return p.log;
}

test('broker log.flush.before.ack=true: acks=all produce is on disk when acknowledged; DescribeConfigs lists it', async () => {
  await withBroker({ 'log.flush.before.ack': 'true' }, async (tb, c) => {
    assert.equal(await createTopic(c, 'durable'), 0);
    const log = logOf(tb, 'durable');
    assert.equal(log.config.fsyncBeforeAck, true);
    for (let i = 0; i < 3; i++) {
      const synced = await produceAll(c, 'durable', 5);
      assert.ok(synced >= 1, 'an fdatasync happened before the ack');
      assert.equal(log.logEndOffset, (i + 1) * 5);
      assert.equal(log.recoveryPoint, log.logEndOffset, 'everything acknowledged is below the recovery point');
    }
    // Appended data still reads back.
    const f = await c.send(ApiKeys.Fetch, 12, {
      clusterId: null, replicaId: -1, replicaState: { replicaId: -1, replicaEpoch: -1n }, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20,
      isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'durable', topicId: '', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20, replicaDirectoryId: '' }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const fp = f.responses[0]!.partitions[0]!;
    assert.equal(fp.errorCode, 0);
    assert.equal(fp.highWatermark, 15n);
    assert.ok(fp.records && fp.records.length > 0);

    const d = await c.send(ApiKeys.DescribeConfigs, 4, {
      resources: [
        { resourceType: 4, resourceName: '0', configurationKeys: ['log.flush.before.ack'] },
        { resourceType: 2, resourceName: 'durable', configurationKeys: ['flush.before.ack'] },
      ],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    const b = d.results[0]!.configs;
    assert.deepEqual(b.map((x) => [x.name, x.value, x.configSource]), [['log.flush.before.ack', 'true', ConfigSource.STATIC_BROKER_CONFIG]]);
    const t = d.results[1]!.configs;
    assert.deepEqual(t.map((x) => [x.name, x.value, x.configSource]), [['flush.before.ack', 'true', ConfigSource.STATIC_BROKER_CONFIG]]);
    assert.deepEqual(t[0]!.synonyms!.map((s) => [s.name, s.value, s.source]), [
      ['log.flush.before.ack', 'true', ConfigSource.STATIC_BROKER_CONFIG],
      ['log.flush.before.ack', 'false', ConfigSource.DEFAULT_CONFIG],
    ]);
  });
});

test('default broker: off unless the topic sets flush.before.ack; the topic key is validated and alterable', async () => {
  await withBroker({}, async (tb, c) => {
    assert.equal(await createTopic(c, 'plain'), 0);
    const plain = logOf(tb, 'plain');
    assert.equal(plain.config.fsyncBeforeAck, false);
    await produceAll(c, 'plain', 5);
    assert.ok(plain.recoveryPoint < plain.logEndOffset, 'without the option the ack does not wait for fdatasync');

    assert.equal(await createTopic(c, 'bad', { 'flush.before.ack': 'sometimes' }), ErrorCodes.INVALID_CONFIG);
    assert.equal(await createTopic(c, 'per-topic', { 'flush.before.ack': 'true' }), 0);
    const perTopic = logOf(tb, 'per-topic');
    assert.equal(perTopic.config.fsyncBeforeAck, true);
    assert.ok((await produceAll(c, 'per-topic', 5)) >= 1);
    assert.equal(perTopic.recoveryPoint, perTopic.logEndOffset);

    const d = await c.send(ApiKeys.DescribeConfigs, 4, {
      resources: [{ resourceType: 2, resourceName: 'per-topic', configurationKeys: ['flush.before.ack'] }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    assert.deepEqual(d.results[0]!.configs.map((x) => [x.name, x.value, x.configSource]), [['flush.before.ack', 'true', ConfigSource.DYNAMIC_TOPIC_CONFIG]]);

    // Turned on at runtime for an existing topic: the open partition log picks it up.
    const inc = await c.send(ApiKeys.IncrementalAlterConfigs, 1, {
      resources: [{ resourceType: 2, resourceName: 'plain', configs: [{ name: 'flush.before.ack', configOperation: 0, value: 'true' }] }],
      validateOnly: false,
    });
    assert.equal(inc.responses[0]!.errorCode, 0);
    assert.equal(plain.config.fsyncBeforeAck, true);
    await produceAll(c, 'plain', 5);
    assert.equal(plain.recoveryPoint, plain.logEndOffset);
  });
});
