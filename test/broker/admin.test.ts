import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { ErrorCodes } from '../../src/protocol/generated/error-codes.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { ConfigSource } from '../../src/broker/config/broker-config.js';
import { RawClient, startTestBroker, type TestBroker } from './harness.js';

let tb: TestBroker;
let c: RawClient;
before(async () => {
  tb = await startTestBroker({ 'log.retention.hours': '5', 'num.partitions': '3' });
  c = await RawClient.connect(tb.port);
});
after(async () => {
  c?.close();
  await tb?.stop();
});

const create = (name: string, numPartitions: number, replicationFactor = 1, validateOnly = false, configs: Record<string, string> = {}) =>
  c.send(ApiKeys.CreateTopics, 7, {
    topics: [{ name, numPartitions, replicationFactor, assignments: [], configs: Object.entries(configs).map(([k, v]) => ({ name: k, value: v })) }],
    timeoutMs: 5000,
    validateOnly,
  });

test('CreateTopics: validate_only, defaults, duplicates, bad names, replication factor, bad configs', async () => {
  const v = await create('t-valid', 4, 1, true);
  assert.equal(v.topics[0]!.errorCode, 0);
  assert.equal(v.topics[0]!.numPartitions, 4);
  const md0 = await c.send(ApiKeys.Metadata, 12, { topics: [{ name: 't-valid' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  assert.equal(md0.topics[0]!.errorCode, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, 'validate_only created nothing');
  const d = await create('t-default', -1, -1);
  assert.equal(d.topics[0]!.errorCode, 0);
  assert.equal(d.topics[0]!.numPartitions, 3, 'num.partitions default');
  assert.ok(d.topics[0]!.topicId && d.topics[0]!.topicId !== 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.equal((await create('t-default', 1)).topics[0]!.errorCode, ErrorCodes.TOPIC_ALREADY_EXISTS);
  assert.equal((await create('bad name!', 1)).topics[0]!.errorCode, ErrorCodes.INVALID_TOPIC_EXCEPTION);
  const rf = await create('t-rf', 1, 3);
  assert.equal(rf.topics[0]!.errorCode, ErrorCodes.INVALID_REPLICATION_FACTOR);
  assert.match(rf.topics[0]!.errorMessage!, /larger than available brokers: 1/);
  assert.equal((await create('t-cfg', 1, 1, false, { 'retention.ms': 'abc' })).topics[0]!.errorCode, ErrorCodes.INVALID_CONFIG);
  assert.equal((await create('t-cfg', 1, 1, false, { 'no.such.config': '1' })).topics[0]!.errorCode, ErrorCodes.INVALID_CONFIG);
  assert.equal((await create('t-zero', 0)).topics[0]!.errorCode, ErrorCodes.INVALID_PARTITIONS);
});

test('Metadata auto-creates on request and reports topic ids, internal topics', async () => {
  const md = await c.send(ApiKeys.Metadata, 12, { topics: [{ name: 'auto-1' }], allowAutoTopicCreation: true, includeTopicAuthorizedOperations: false });
  assert.equal(md.topics[0]!.errorCode, 0);
  assert.equal(md.topics[0]!.partitions.length, 3);
  assert.deepEqual(md.topics[0]!.partitions[0]!.isrNodes, [0]);
  const no = await c.send(ApiKeys.Metadata, 12, { topics: [{ name: 'auto-2' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  assert.equal(no.topics[0]!.errorCode, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION);
  const all = await c.send(ApiKeys.Metadata, 1, { topics: null });
  assert.ok(all.topics.find((t) => t.name === '__consumer_offsets')!.isInternal);
  const v0 = await c.send(ApiKeys.Metadata, 0, { topics: [] });
  assert.ok(v0.topics.length >= 2, 'v0 empty list = all topics');
});

test('CreatePartitions grows a topic; shrinking is refused; validate_only changes nothing', async () => {
  await create('grow', 1);
  const bad = await c.send(ApiKeys.CreatePartitions, 3, { topics: [{ name: 'grow', count: 1, assignments: null }], timeoutMs: 5000, validateOnly: false });
  assert.equal(bad.results[0]!.errorCode, ErrorCodes.INVALID_PARTITIONS);
  const vo = await c.send(ApiKeys.CreatePartitions, 3, { topics: [{ name: 'grow', count: 4, assignments: null }], timeoutMs: 5000, validateOnly: true });
  assert.equal(vo.results[0]!.errorCode, 0);
  const ok = await c.send(ApiKeys.CreatePartitions, 3, { topics: [{ name: 'grow', count: 3, assignments: null }], timeoutMs: 5000, validateOnly: false });
  assert.equal(ok.results[0]!.errorCode, 0);
  const md = await c.send(ApiKeys.Metadata, 12, { topics: [{ name: 'grow' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  assert.equal(md.topics[0]!.partitions.length, 3);
});

test('DeleteTopics by name and by id; internal topics are protected', async () => {
  await create('del-1', 1);
  const d2 = await create('del-2', 1);
  const r = await c.send(ApiKeys.DeleteTopics, 5, { topicNames: ['del-1', 'missing'], timeoutMs: 5000 });
  assert.deepEqual(r.responses.map((x) => x.errorCode), [0, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION]);
  const r6 = await c.send(ApiKeys.DeleteTopics, 6, { topics: [{ name: null, topicId: d2.topics[0]!.topicId! }], timeoutMs: 5000 });
  assert.equal(r6.responses[0]!.errorCode, 0);
  assert.equal(r6.responses[0]!.name, 'del-2');
  const internal = await c.send(ApiKeys.DeleteTopics, 5, { topicNames: ['__consumer_offsets'], timeoutMs: 5000 });
  assert.notEqual(internal.responses[0]!.errorCode, 0);
  // A deleted topic can be created again, empty.
  assert.equal((await create('del-1', 1)).topics[0]!.errorCode, 0);
});

test('DescribeConfigs: sources, defaults and synonyms for topics and the broker', async () => {
  await create('cfg', 1, 1, false, { 'cleanup.policy': 'compact' });
  const r = await c.send(ApiKeys.DescribeConfigs, 4, {
    resources: [
      { resourceType: 2, resourceName: 'cfg', configurationKeys: null },
      { resourceType: 4, resourceName: '0', configurationKeys: ['log.retention.hours', 'num.io.threads'] },
      { resourceType: 2, resourceName: 'missing', configurationKeys: null },
    ],
    includeSynonyms: true,
    includeDocumentation: false,
  });
  const topic = r.results[0]!;
  const get = (n: string) => topic.configs.find((x) => x.name === n)!;
  assert.equal(get('cleanup.policy').value, 'compact');
  assert.equal(get('cleanup.policy').configSource, ConfigSource.DYNAMIC_TOPIC_CONFIG);
  assert.equal(get('retention.ms').value, String(5 * 3600000));
  assert.equal(get('retention.ms').configSource, ConfigSource.STATIC_BROKER_CONFIG);
  assert.deepEqual(get('retention.ms').synonyms!.map((s) => [s.name, s.value, s.source]), [
    ['log.retention.hours', '5', ConfigSource.STATIC_BROKER_CONFIG],
    ['log.retention.hours', '168', ConfigSource.DEFAULT_CONFIG],
  ]);
  assert.equal(get('segment.bytes').configSource, ConfigSource.DEFAULT_CONFIG);
  const broker = r.results[1]!;
  assert.deepEqual(broker.configs.map((x) => [x.name, x.value, x.readOnly]), [['log.retention.hours', '5', true], ['num.io.threads', '8', true]]);
  assert.equal(r.results[2]!.errorCode, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION);
});

test('AlterConfigs replaces, IncrementalAlterConfigs edits; invalid values refused; validate_only', async () => {
  await create('alter', 1, 1, false, { 'retention.ms': '1000' });
  const describe = async () => {
    const r = await c.send(ApiKeys.DescribeConfigs, 4, { resources: [{ resourceType: 2, resourceName: 'alter', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
    return Object.fromEntries(r.results[0]!.configs.filter((x) => x.configSource === ConfigSource.DYNAMIC_TOPIC_CONFIG).map((x) => [x.name, x.value]));
  };
  const a = await c.send(ApiKeys.AlterConfigs, 2, { resources: [{ resourceType: 2, resourceName: 'alter', configs: [{ name: 'segment.bytes', value: '1048576' }] }], validateOnly: false });
  assert.equal(a.responses[0]!.errorCode, 0);
  assert.deepEqual(await describe(), { 'segment.bytes': '1048576' });
  const inc = await c.send(ApiKeys.IncrementalAlterConfigs, 1, {
    resources: [{ resourceType: 2, resourceName: 'alter', configs: [{ name: 'retention.ms', configOperation: 0, value: '2000' }, { name: 'segment.bytes', configOperation: 1, value: null }, { name: 'cleanup.policy', configOperation: 2, value: 'compact' }] }],
    validateOnly: false,
  });
  assert.equal(inc.responses[0]!.errorCode, 0);
  assert.deepEqual(await describe(), { 'retention.ms': '2000', 'cleanup.policy': 'delete,compact' });
  const bad = await c.send(ApiKeys.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'alter', configs: [{ name: 'retention.ms', configOperation: 0, value: 'soon' }] }], validateOnly: false });
  assert.equal(bad.responses[0]!.errorCode, ErrorCodes.INVALID_CONFIG);
  const vo = await c.send(ApiKeys.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 2, resourceName: 'alter', configs: [{ name: 'retention.ms', configOperation: 0, value: '5' }] }], validateOnly: true });
  assert.equal(vo.responses[0]!.errorCode, 0);
  assert.equal((await describe())['retention.ms'], '2000');
  const brk = await c.send(ApiKeys.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '60000' }] }], validateOnly: false });
  assert.equal(brk.responses[0]!.errorCode, 0);
  const ro = await c.send(ApiKeys.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 4, resourceName: '0', configs: [{ name: 'broker.id', configOperation: 0, value: '7' }] }], validateOnly: false });
  assert.equal(ro.responses[0]!.errorCode, ErrorCodes.INVALID_CONFIG);
});

test('DeleteRecords, DescribeCluster, DescribeLogDirs, OffsetForLeaderEpoch, DescribeTopicPartitions', async () => {
  await create('misc', 2);
  const b = encodeRecordBatch({ records: [{ value: Buffer.from('a') }, { value: Buffer.from('b') }, { value: Buffer.from('c') }] });
  await c.send(ApiKeys.Produce, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 'misc', partitionData: [{ index: 0, records: b }] }] });
  const dr = await c.send(ApiKeys.DeleteRecords, 2, { topics: [{ name: 'misc', partitions: [{ partitionIndex: 0, offset: 2n }, { partitionIndex: 1, offset: 5n }] }], timeoutMs: 5000 });
  assert.equal(dr.topics[0]!.partitions[0]!.lowWatermark, 2n);
  assert.equal(dr.topics[0]!.partitions[1]!.errorCode, ErrorCodes.OFFSET_OUT_OF_RANGE);
  const lo = await c.send(ApiKeys.ListOffsets, 8, { replicaId: -1, isolationLevel: 0, topics: [{ name: 'misc', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -2n }] }] });
  assert.equal(lo.topics[0]!.partitions[0]!.offset, 2n);
  const dc = await c.send(ApiKeys.DescribeCluster, 1, { includeClusterAuthorizedOperations: false, endpointType: 1 });
  assert.equal(dc.brokers.length, 1);
  assert.equal(dc.brokers[0]!.port, tb.port);
  assert.equal(dc.controllerId, 0);
  const dl = await c.send(ApiKeys.DescribeLogDirs, 4, { topics: [{ topic: 'misc', partitions: [0, 1] }] });
  assert.equal(dl.results[0]!.logDir, tb.dir);
  const parts = dl.results[0]!.topics.find((t) => t.name === 'misc')!.partitions;
  assert.equal(parts.length, 2);
  assert.ok(parts.find((p) => p.partitionIndex === 0)!.partitionSize > 0n);
  const ofle = await c.send(ApiKeys.OffsetForLeaderEpoch, 4, { replicaId: -1, topics: [{ topic: 'misc', partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }] }] });
  assert.equal(ofle.topics[0]!.partitions[0]!.endOffset, 3n);
  const dtp = await c.send(ApiKeys.DescribeTopicPartitions, 0, { topics: [{ name: 'misc' }], responsePartitionLimit: 1, cursor: null });
  assert.equal(dtp.topics[0]!.partitions.length, 1);
  assert.deepEqual(dtp.nextCursor, { topicName: 'misc', partitionIndex: 1 });
});

test('group APIs reach the coordinator: FindCoordinator, KIP-848 ConsumerGroupHeartbeat, ListGroups', async () => {
  await create('cg-topic', 2);
  const fc = await c.send(ApiKeys.FindCoordinator, 4, { keyType: 0, coordinatorKeys: ['kip848'] });
  assert.equal(fc.coordinators![0]!.errorCode, 0);
  assert.equal(fc.coordinators![0]!.port, tb.port);
  let hb = await c.send(ApiKeys.ConsumerGroupHeartbeat, 0, {
    groupId: 'kip848', memberId: 'member-a-0000000000', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 5000,
    subscribedTopicNames: ['cg-topic'], serverAssignor: null, topicPartitions: [],
  });
  for (let i = 0; i < 20 && hb.errorCode === ErrorCodes.COORDINATOR_LOAD_IN_PROGRESS; i++) {
    await new Promise((r) => setTimeout(r, 50));
    hb = await c.send(ApiKeys.ConsumerGroupHeartbeat, 0, { groupId: 'kip848', memberId: 'member-a-0000000000', memberEpoch: 0, rebalanceTimeoutMs: 5000, subscribedTopicNames: ['cg-topic'], topicPartitions: [] });
  }
  assert.equal(hb.errorCode, 0, hb.errorMessage ?? '');
  assert.ok(hb.memberEpoch > 0);
  const lg = await c.send(ApiKeys.ListGroups, 4, { statesFilter: [] });
  assert.ok(lg.groups.some((g) => g.groupId === 'kip848'));
});

test('broker loggers: IncrementalAlterConfigs sets the log level, DescribeConfigs shows it', async () => {
  const set = await c.send(ApiKeys.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 8, resourceName: '0', configs: [{ name: 'root', configOperation: 0, value: 'DEBUG' }] }], validateOnly: false });
  assert.equal(set.responses[0]!.errorCode, 0);
  const d = await c.send(ApiKeys.DescribeConfigs, 4, { resources: [{ resourceType: 8, resourceName: '0', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  assert.equal(d.results[0]!.configs[0]!.value, 'DEBUG');
  const bad = await c.send(ApiKeys.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 8, resourceName: '0', configs: [{ name: 'root', configOperation: 0, value: 'LOUD' }] }], validateOnly: false });
  assert.equal(bad.responses[0]!.errorCode, ErrorCodes.INVALID_CONFIG);
  await c.send(ApiKeys.IncrementalAlterConfigs, 1, { resources: [{ resourceType: 8, resourceName: '0', configs: [{ name: 'root', configOperation: 0, value: 'OFF' }] }], validateOnly: false });
});
