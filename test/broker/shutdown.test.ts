// Clean shutdown with work in flight: long-polling fetches are answered at once and close() returns quickly with
// the clean-shutdown marker written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import { ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { RawClient, startTestBroker } from './harness.js';

test('close() answers parked long-poll fetches at once and writes the clean-shutdown marker', async () => {
  const tb = await startTestBroker();
  try {
    const c = await RawClient.connect(tb.port);
    await c.send(ApiKeys.CreateTopics, 7, { topics: [{ name: 'sd', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
    const f = await RawClient.connect(tb.port);
    const t0 = Date.now();
    const parked = f.send(ApiKeys.Fetch, 11, {
      replicaId: -1, maxWaitMs: 20000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'sd', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '',
    });
    const produced = await c.send(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'sd', partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: Buffer.from('x') }] }) }] }] });
    assert.equal(produced.responses[0]!.partitionResponses[0]!.errorCode, 0);
    // A second fetch parks at the end of the log.
    const parked2 = f.send(ApiKeys.Fetch, 11, {
      replicaId: -1, maxWaitMs: 20000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'sd', partitions: [{ partition: 0, fetchOffset: 1n, partitionMaxBytes: 1 << 20 }] }], forgottenTopicsData: [], rackId: '',
    });
    await new Promise((r) => setTimeout(r, 100));
    const closing = tb.broker.close();
    const [fetchRes, fetchRes2] = await Promise.all([parked, parked2]);
    await closing;
    assert.ok(Date.now() - t0 < 5000, 'shutdown did not wait for max_wait_ms');
    assert.equal(fetchRes.responses[0]!.partitions[0]!.highWatermark, 1n, 'the first fetch was woken by the produce');
    assert.equal(fetchRes2.errorCode, 0, 'the parked fetch is answered at shutdown');
    assert.ok(existsSync(join(tb.dir, '.kafka_cleanshutdown')));
    c.close();
    f.close();
  } finally {
    await rm(tb.dir, { recursive: true, force: true });
  }
});
