// Crash and clean-restart behaviour of `gregor server` as a child process: acknowledged (acks=all) records survive
// SIGKILL; SIGTERM shuts down cleanly (exit 0, clean-shutdown marker, no recovery on the next start); topic
// metadata, topic ids and idempotent-producer state survive both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startGregor } from '../helpers/broker.js';
import { kafkajsProduce, kcatConsume } from '../helpers/real-clients.js';
import { ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { RawClient } from './harness.js';

function loadedLine(output: string): { unclean: string[] } | undefined {
  const lines = output.split('\n').filter((l) => l.includes('"logs loaded"'));
  const last = lines.at(-1);
  return last ? (JSON.parse(last) as { unclean: string[] }) : undefined;
}

test('SIGKILL: every acks=all record is there after restart; idempotent dedup survives', async () => {
  const b = await startGregor({ env: { GREGOR_LOG_LEVEL: 'info' } });
  try {
    const messages = Array.from({ length: 300 }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`.repeat(20)) }));
    await kafkajsProduce({ bootstrap: b.bootstrap, topic: 'crash', messages, compression: 'gzip' });
    // An idempotent batch written with a raw client, so it can be re-sent byte for byte after the crash.
    const c = await RawClient.connect(b.port);
    const init = await c.send(ApiKeys.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 });
    const pid = init.producerId!;
    const idem = encodeRecordBatch({ records: [{ value: Buffer.from('once') }], producerId: pid, producerEpoch: 0, baseSequence: 0 });
    const p1 = await c.send(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'crash', partitionData: [{ index: 0, records: Buffer.from(idem) }] }] });
    assert.equal(p1.responses[0]!.partitionResponses[0]!.errorCode, 0);
    const firstOffset = p1.responses[0]!.partitionResponses[0]!.baseOffset;
    c.close();
    await b.kill9();
    assert.ok(!existsSync(join(b.dataDir, '.kafka_cleanshutdown')));
    await b.restart();
    assert.deepEqual(loadedLine(b.output())?.unclean, [b.dataDir], 'the crash is detected');
    const got = await kcatConsume({ bootstrap: b.bootstrap, topic: 'crash', count: 301 });
    assert.deepEqual(got.slice(0, 300).map((m) => m.value!.toString()), messages.map((m) => m.value.toString()));
    const c2 = await RawClient.connect(b.port);
    const p2 = await c2.send(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'crash', partitionData: [{ index: 0, records: Buffer.from(idem) }] }] });
    assert.equal(p2.responses[0]!.partitionResponses[0]!.errorCode, 0);
    assert.equal(p2.responses[0]!.partitionResponses[0]!.baseOffset, firstOffset, 'the retry is recognised as a duplicate');
    const ids = await c2.send(ApiKeys.InitProducerId, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 });
    assert.notEqual(ids.producerId, pid, 'producer ids are not reused after a crash');
    c2.close();
  } finally {
    await b.close();
  }
});

test('SIGTERM: clean exit, marker written, no recovery on restart, topic ids kept', async () => {
  const b = await startGregor({ env: { GREGOR_LOG_LEVEL: 'info' } });
  try {
    const messages = Array.from({ length: 100 }, (_, i) => ({ key: null, value: Buffer.from(`clean-${i}`) }));
    await kafkajsProduce({ bootstrap: b.bootstrap, topic: 'clean', messages });
    const c = await RawClient.connect(b.port);
    const md1 = await c.send(ApiKeys.Metadata, 12, { topics: [{ name: 'clean' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    c.close();
    const exit = await b.stop('SIGTERM');
    assert.equal(exit.code, 0);
    assert.ok(existsSync(join(b.dataDir, '.kafka_cleanshutdown')));
    await b.restart();
    assert.deepEqual(loadedLine(b.output())?.unclean, [], 'no recovery after a clean shutdown');
    const got = await kcatConsume({ bootstrap: b.bootstrap, topic: 'clean', count: 100 });
    assert.deepEqual(got.map((m) => m.value!.toString()), messages.map((m) => m.value.toString()));
    const c2 = await RawClient.connect(b.port);
    const md2 = await c2.send(ApiKeys.Metadata, 12, { topics: [{ name: 'clean' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    assert.equal(md2.topics[0]!.topicId, md1.topics[0]!.topicId);
    c2.close();
  } finally {
    await b.close();
  }
});

test('invalid configuration stops start-up with a clear message', async () => {
  await assert.rejects(startGregor({ overrides: { 'num.partitions': 'many' }, startTimeoutMs: 15000 }), /num\.partitions/);
});
