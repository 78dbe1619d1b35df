import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writer } from '../../src/protocol/primitives/writer.js';
import { encodeOffsetCommitKey } from '../../src/protocol/generated/internal/offset-commit-key.js';
import { encodeOffsetCommitValue } from '../../src/protocol/generated/internal/offset-commit-value.js';
import { encodeGroupMetadataKey } from '../../src/protocol/generated/internal/group-metadata-key.js';
import { encodeGroupMetadataValue } from '../../src/protocol/generated/internal/group-metadata-value.js';
import { createFormatter, type RawRecord } from '../../src/cli/lib/formatters.js';

function record(over: Partial<RawRecord>): RawRecord {
  return { topic: 't', partition: 0, offset: 0, timestamp: 1000, timestampType: 'CreateTime', key: null, value: Buffer.from('v'), headers: [], ...over };
}

function versioned(version: number, body: (w: Writer) => void): Buffer {
  const w = new Writer();
  w.writeInt16(version);
  body(w);
  return Buffer.from(w.toBuffer());
}

test('default formatter: value only by default, null literal, columns in Kafka\'s order', () => {
  const f = createFormatter('kafka.tools.DefaultMessageFormatter', new Map());
  assert.equal(f.format(record({})).toString(), 'v\n');
  assert.equal(f.format(record({ value: null })).toString(), 'null\n');
  const all = createFormatter(
    'org.apache.kafka.tools.consumer.DefaultMessageFormatter',
    new Map([
      ['print.timestamp', 'true'],
      ['print.partition', 'true'],
      ['print.offset', 'true'],
      ['print.headers', 'true'],
      ['print.key', 'true'],
      ['null.literal', '<none>'],
    ]),
  );
  const out = all.format(record({ partition: 2, offset: 7, key: Buffer.from('k'), headers: [{ key: 'h1', value: Buffer.from('a') }, { key: 'h2', value: null }] }));
  assert.equal(out.toString(), 'CreateTime:1000\tPartition:2\tOffset:7\th1:a,h2:<none>\tk\tv\n');
  assert.equal(all.format(record({ timestampType: 'NoTimestampType' })).toString(), 'NO_TIMESTAMP\tPartition:0\tOffset:0\tNO_HEADERS\t<none>\tv\n');
  const noValue = createFormatter('kafka.tools.DefaultMessageFormatter', new Map([['print.key', 'true'], ['print.value', 'false'], ['line.separator', '\\n--\\n']]));
  assert.equal(noValue.format(record({ key: Buffer.from('k') })).toString(), 'k\n--\n');
});

test('default formatter applies key/value deserializers', () => {
  const f = createFormatter('kafka.tools.DefaultMessageFormatter', new Map([['print.key', 'true'], ['key.deserializer', 'org.apache.kafka.common.serialization.IntegerDeserializer']]));
  const key = Buffer.alloc(4);
  key.writeInt32BE(42);
  assert.equal(f.format(record({ key })).toString(), '42\tv\n');
});

test('OffsetsMessageFormatter (both class names) decodes offset commits and skips group metadata', () => {
  const key = versioned(1, (w) => encodeOffsetCommitKey(w, { group: 'my-group', topic: 'test', partition: 3 }, 1));
  const v3 = versioned(3, (w) => encodeOffsetCommitValue(w, { offset: 42n, leaderEpoch: 5, metadata: '', commitTimestamp: 1700000000000n }, 3));
  const v1 = versioned(1, (w) => encodeOffsetCommitValue(w, { offset: 7n, metadata: 'm', commitTimestamp: 1n, expireTimestamp: 2n }, 1));
  for (const name of ['kafka.coordinator.group.GroupMetadataManager$OffsetsMessageFormatter', 'kafka.coordinator.GroupMetadataManager$OffsetsMessageFormatter']) {
    const f = createFormatter(name, new Map());
    assert.equal(
      f.format(record({ key, value: v3 })).toString(),
      '[my-group,test-3]::OffsetAndMetadata(offset=42, leaderEpoch=Optional[5], metadata=, commitTimestamp=1700000000000, expireTimestamp=None)\n',
    );
    assert.equal(
      f.format(record({ key, value: v1 })).toString(),
      '[my-group,test-3]::OffsetAndMetadata(offset=7, leaderEpoch=Optional.empty, metadata=m, commitTimestamp=1, expireTimestamp=Some(2))\n',
    );
    assert.equal(f.format(record({ key, value: null })).toString(), '[my-group,test-3]::NULL\n');
    const groupKey = versioned(2, (w) => encodeGroupMetadataKey(w, { group: 'my-group' }, 2));
    assert.equal(f.format(record({ key: groupKey })).length, 0);
    assert.equal(f.format(record({ key: null })).length, 0);
  }
});

test('GroupMetadataMessageFormatter prints the group as Kafka\'s GroupMetadata.toString', () => {
  const key = versioned(2, (w) => encodeGroupMetadataKey(w, { group: 'g' }, 2));
  const value = versioned(3, (w) =>
    encodeGroupMetadataValue(
      w,
      {
        protocolType: 'consumer',
        generation: 4,
        protocol: 'range',
        leader: 'm1',
        currentStateTimestamp: 5n,
        members: [{ memberId: 'm1', groupInstanceId: null, clientId: 'c1', clientHost: '/127.0.0.1', rebalanceTimeout: 300000, sessionTimeout: 45000, subscription: Buffer.alloc(0), assignment: Buffer.alloc(0) }],
      },
      3,
    ),
  );
  const f = createFormatter('kafka.coordinator.group.GroupMetadataManager$GroupMetadataMessageFormatter', new Map());
  assert.equal(
    f.format(record({ key, value })).toString(),
    'g::GroupMetadata(groupId=g, generation=4, protocolType=Some(consumer), currentState=Stable, members=HashMap(m1 -> MemberMetadata(memberId=m1, groupInstanceId=None, clientId=c1, clientHost=/127.0.0.1, sessionTimeoutMs=45000, rebalanceTimeoutMs=300000, supportedProtocols=List(range))))\n',
  );
  assert.equal(f.format(record({ key, value: null })).toString(), 'g::NULL\n');
});
