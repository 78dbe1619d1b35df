// Cluster metadata persistence: topics, ids and configs survive restarts; logs without metadata are adopted when
// the metadata file is missing, and deleted as remains of a deleted topic when the metadata does not list them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { METADATA_FILE, type ClusterMetadata } from '../../src/broker/metadata/metadata-store.js';
import { ConfigSource } from '../../src/broker/config/broker-config.js';
import { RawClient, startTestBroker } from './harness.js';

async function describe(port: number, topic: string) {
  const c = await RawClient.connect(port);
  try {
    const md = await c.send(ApiKeys.Metadata, 12, { topics: [{ name: topic }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const lo = await c.send(ApiKeys.ListOffsets, 8, { replicaId: -1, isolationLevel: 0, topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
    const cfg = await c.send(ApiKeys.DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: topic, configurationKeys: ['retention.ms'] }], includeSynonyms: false, includeDocumentation: false });
    return { md: md.topics[0]!, end: lo.topics[0]!.partitions[0]!.offset, retention: cfg.results[0]!.configs[0]?.value };
  } finally {
    c.close();
  }
}

test('topics survive restarts; lost metadata is rebuilt from the logs; stray logs are removed', async () => {
  let tb = await startTestBroker();
  const dir = tb.dir;
  try {
    const c = await RawClient.connect(tb.port);
    await c.send(ApiKeys.CreateTopics, 7, { topics: [{ name: 'keep', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '12345' }] }], timeoutMs: 5000, validateOnly: false });
    await c.send(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'keep', partitionData: [{ index: 0, records: encodeRecordBatch({ records: [{ value: Buffer.from('x') }, { value: Buffer.from('y') }] }) }] }] });
    c.close();
    const before = await describe(tb.port, 'keep');
    assert.equal(before.end, 2n);
    const c1 = await RawClient.connect(tb.port);
    const alter = await c1.send(ApiKeys.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '7777' }] }], validateOnly: false });
    assert.equal(alter.responses[0]!.errorCode, 0);
    c1.close();
    await tb.stop(true);

    tb = await startTestBroker({}, dir);
    const c2 = await RawClient.connect(tb.port);
    const bcfg = await c2.send(ApiKeys.DescribeConfigs, 4, { resources: [{ resourceType: 4, resourceName: '0', configurationKeys: ['log.retention.ms'] }], includeSynonyms: false, includeDocumentation: false });
    assert.equal(bcfg.results[0]!.configs[0]!.value, '7777', 'dynamic broker config survives restart');
    assert.equal(bcfg.results[0]!.configs[0]!.configSource, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG);
    c2.close();
    const after = await describe(tb.port, 'keep');
    assert.equal(after.md.topicId, before.md.topicId);
    assert.equal(after.md.partitions.length, 2);
    assert.equal(after.end, 2n);
    assert.equal(after.retention, '12345');
    await tb.stop(true);

    // Lost metadata: the logs are adopted with their topic ids (configs are gone with the file).
    await rm(join(dir, METADATA_FILE));
    tb = await startTestBroker({}, dir);
    const adopted = await describe(tb.port, 'keep');
    assert.equal(adopted.md.topicId, before.md.topicId);
    assert.equal(adopted.md.partitions.length, 2);
    assert.equal(adopted.end, 2n);
    await tb.stop(true);

    // Metadata without the topic (a deletion interrupted after the metadata write): its logs are removed.
    const meta = JSON.parse(await readFile(join(dir, METADATA_FILE), 'utf8')) as ClusterMetadata;
    meta.topics = meta.topics.filter((t) => t.name !== 'keep');
    await writeFile(join(dir, METADATA_FILE), JSON.stringify(meta));
    tb = await startTestBroker({}, dir);
    assert.notEqual((await describe(tb.port, 'keep')).md.errorCode, 0);
    assert.ok(!existsSync(join(dir, 'keep-0')));
  } finally {
    await tb.stop();
  }
});
