// __consumer_offsets formats: our encoders against the codecs generated from Kafka's JSON schemas (both ways, all
// versions), Kafka's group -> partition hash, and a record batch written by the coordinator read back raw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InMemoryOffsetsTopic, javaStringHashCode, partitionForGroup, readOffsetsPartition } from '../../src/coordinator/index.js';
import {
  decodeClassicKey,
  decodeGroupMetadataValue,
  decodeKey,
  decodeOffsetCommitValue,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from '../../src/coordinator/records.js';
import { encodeConsumerKey } from '../../src/coordinator/consumer-group-records.js';
import { Reader } from '../../src/protocol/primitives/reader.js';
import { Writer } from '../../src/protocol/primitives/writer.js';
import { decodeGroupMetadataKey } from '../../src/protocol/generated/internal/group-metadata-key.js';
import * as gmv from '../../src/protocol/generated/internal/group-metadata-value.js';
import { decodeOffsetCommitKey } from '../../src/protocol/generated/internal/offset-commit-key.js';
import * as ocv from '../../src/protocol/generated/internal/offset-commit-value.js';
import { decodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { startCoordinator, subscription, track, flush } from './helpers.js';

function versioned<T>(buf: Buffer, decode: (r: Reader, v: number) => T): { version: number; value: T; rest: number } {
  const r = new Reader(buf);
  const version = r.readInt16();
  const value = decode(r, version);
  return { version, value, rest: r.remaining() };
}

function withVersion(version: number, encode: (w: Writer) => void): Buffer {
  const w = new Writer();
  w.writeInt16(version);
  encode(w);
  return Buffer.from(w.toBuffer());
}

test('Java String.hashCode and Kafka\'s partitionFor', () => {
  assert.equal(javaStringHashCode(''), 0);
  assert.equal(javaStringHashCode('hello'), 99162322);
  // Reference: the definition s[0]*31^(n-1) + ... + s[n-1], computed exactly and wrapped to int32.
  const reference = (s: string): number => {
    let h = 0n;
    for (let i = 0; i < s.length; i++) h = h * 31n + BigInt(s.charCodeAt(i));
    return Number(BigInt.asIntN(32, h));
  };
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => javaStringHashCode(s) === reference(s)));
  // "polygenelubricants".hashCode() == Integer.MIN_VALUE: Utils.abs maps it to 0, not a negative partition.
  assert.equal(javaStringHashCode('polygenelubricants'), -2147483648);
  assert.equal(partitionForGroup('polygenelubricants', 50), 0);
  // UTF-16 code units, not code points: a surrogate pair counts twice.
  assert.equal(javaStringHashCode('😀'), 0xd83d * 31 + 0xde00);
  fc.assert(
    fc.property(fc.string(), (s) => {
      const p = partitionForGroup(s, 50);
      return Number.isInteger(p) && p >= 0 && p < 50;
    }),
  );
});

test('OffsetCommitKey v1 / GroupMetadataKey v2 decode with the generated codecs', () => {
  const k = versioned(encodeOffsetCommitKey('grp', 'topic', 7), decodeOffsetCommitKey);
  assert.deepEqual({ v: k.version, g: k.value.group, t: k.value.topic, p: k.value.partition, rest: k.rest }, { v: 1, g: 'grp', t: 'topic', p: 7, rest: 0 });
  const g = versioned(encodeGroupMetadataKey('grp'), decodeGroupMetadataKey);
  assert.deepEqual([g.version, g.value.group, g.rest], [2, 'grp', 0]);
  assert.deepEqual(decodeKey(encodeOffsetCommitKey('a', 'b', 3)), { kind: 'offset', group: 'a', topic: 'b', partition: 3 });
  assert.deepEqual(decodeKey(encodeGroupMetadataKey('a')), { kind: 'group', group: 'a' });
  // KIP-848 keys (v3+) share the topic: decodeClassicKey passes them over, decodeKey refuses them.
  const kip848Key = encodeConsumerKey(3, 'a');
  assert.equal(decodeClassicKey(kip848Key), null);
  assert.deepEqual(decodeClassicKey(encodeGroupMetadataKey('a')), { kind: 'group', group: 'a' });
  assert.throws(() => decodeKey(kip848Key), /unknown __consumer_offsets key version 3/);
});

test('OffsetCommitValue: v3 normally, v1 with an expire timestamp; every version decodes', () => {
  const v3 = versioned(encodeOffsetCommitValue({ offset: 42n, leaderEpoch: 5, metadata: 'md', commitTimestamp: 1000, expireTimestamp: null }), ocv.decodeOffsetCommitValue);
  assert.equal(v3.version, 3);
  assert.deepEqual([v3.value.offset, v3.value.leaderEpoch, v3.value.metadata, v3.value.commitTimestamp, v3.rest], [42n, 5, 'md', 1000n, 0]);
  const v1 = versioned(encodeOffsetCommitValue({ offset: 1n, leaderEpoch: -1, metadata: '', commitTimestamp: 10, expireTimestamp: 20 }), ocv.decodeOffsetCommitValue);
  assert.equal(v1.version, 1);
  assert.equal(v1.value.expireTimestamp, 20n);
  for (let version = 0; version <= 4; version++) {
    const buf = withVersion(version, (w) =>
      ocv.encodeOffsetCommitValue(w, { offset: 9n, leaderEpoch: 3, metadata: 'm', commitTimestamp: 77n, expireTimestamp: version === 1 ? 88n : undefined }, version),
    );
    const d = decodeOffsetCommitValue(buf);
    assert.equal(d.offset, 9n, `v${version}`);
    assert.equal(d.metadata, 'm');
    assert.equal(d.commitTimestamp, 77);
    assert.equal(d.leaderEpoch, version >= 3 ? 3 : -1);
    assert.equal(d.expireTimestamp, version === 1 ? 88 : null);
  }
});

test('GroupMetadataValue v3 matches the generated codec; v0-v4 written by Kafka decode', () => {
  const value = {
    protocolType: 'consumer',
    generation: 4,
    protocol: 'range',
    leader: 'm1',
    currentStateTimestamp: 123456,
    members: [
      { memberId: 'm1', groupInstanceId: 'i1', clientId: 'c1', clientHost: '/1.2.3.4', rebalanceTimeout: 300000, sessionTimeout: 45000, subscription: Buffer.from('sub'), assignment: Buffer.from('asg') },
      { memberId: 'm2', groupInstanceId: null, clientId: 'c2', clientHost: '/5.6.7.8', rebalanceTimeout: 1, sessionTimeout: 2, subscription: Buffer.alloc(0), assignment: Buffer.alloc(0) },
    ],
  };
  const ours = encodeGroupMetadataValue(value);
  const d = versioned(ours, gmv.decodeGroupMetadataValue);
  assert.equal(d.version, 3);
  assert.equal(d.rest, 0);
  assert.equal(d.value.currentStateTimestamp, 123456n);
  assert.deepEqual(
    d.value.members.map((m) => [m.memberId, m.groupInstanceId, m.clientHost, m.rebalanceTimeout, m.sessionTimeout, m.subscription.toString(), m.assignment.toString()]),
    [
      ['m1', 'i1', '/1.2.3.4', 300000, 45000, 'sub', 'asg'],
      ['m2', null, '/5.6.7.8', 1, 2, '', ''],
    ],
  );
  for (let version = 0; version <= 4; version++) {
    const buf = withVersion(version, (w) =>
      gmv.encodeGroupMetadataValue(
        w,
        {
          ...value,
          currentStateTimestamp: version >= 2 ? 123456n : undefined,
          members: value.members.map((m) => ({ ...m, groupInstanceId: version >= 3 ? m.groupInstanceId : undefined, rebalanceTimeout: version >= 1 ? m.rebalanceTimeout : undefined })),
        },
        version,
      ),
    );
    const back = decodeGroupMetadataValue(buf);
    assert.equal(back.generation, 4, `v${version}`);
    assert.equal(back.leader, 'm1');
    assert.equal(back.members.length, 2);
    assert.equal(back.members[0].groupInstanceId, version >= 3 ? 'i1' : null);
    assert.equal(back.members[0].assignment.toString(), 'asg');
    assert.equal(back.currentStateTimestamp, version >= 2 ? 123456 : -1);
  }
});

test('garbage values are rejected with an error, never a huge allocation', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      const buf = Buffer.from(bytes);
      for (const f of [decodeKey, decodeOffsetCommitValue, decodeGroupMetadataValue]) {
        try {
          f(buf);
        } catch (e) {
          assert.ok(e instanceof Error);
        }
      }
    }),
  );
});

test('the coordinator writes v2 record batches that decode to the committed offsets and the group', async () => {
  const { gc, clock, topic } = await startCoordinator();
  const j = track(
    gc.handleJoinGroup({ groupId: 'grp', sessionTimeoutMs: 10_000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription(['t']) }] }, { apiVersion: 3, clientId: 'cli', clientHost: '127.0.0.1' }),
  );
  clock.advance(100);
  await flush();
  const { memberId, generationId } = j.value();
  await gc.handleSyncGroup({ groupId: 'grp', generationId: generationId ?? 0, memberId, assignments: [{ memberId, assignment: Buffer.from('A') }] }, { apiVersion: 3, clientId: 'cli', clientHost: 'h' });
  await gc.handleOffsetCommit(
    { groupId: 'grp', generationIdOrMemberEpoch: generationId, memberId, topics: [{ name: 't', partitions: [{ partitionIndex: 2, committedOffset: 99n, committedMetadata: null }] }] },
    { apiVersion: 8, clientId: 'cli', clientHost: 'h' },
  );
  const p = gc.partitionFor('grp');
  assert.equal(p, partitionForGroup('grp', 50));
  const batches = (topic.partitions.get(p) ?? []).map((b) => decodeRecordBatch(b));
  assert.ok(batches.length >= 2);
  const records = batches.flatMap((b) => b.records);
  const offsetRecord = records.find((r) => r.key && decodeKey(r.key).kind === 'offset');
  assert.ok(offsetRecord?.value);
  assert.deepEqual(decodeKey(offsetRecord.key as Buffer), { kind: 'offset', group: 'grp', topic: 't', partition: 2 });
  assert.equal(decodeOffsetCommitValue(offsetRecord.value).offset, 99n);
  const groupRecord = records.find((r) => r.key && decodeKey(r.key).kind === 'group');
  const gv = decodeGroupMetadataValue(groupRecord?.value as Buffer);
  assert.deepEqual([gv.protocolType, gv.generation, gv.protocol, gv.leader, gv.members[0].clientId, gv.members[0].clientHost], ['consumer', 1, 'range', memberId, 'cli', '/127.0.0.1']);
  assert.equal(gv.members[0].assignment.toString(), 'A');
  await gc.shutdown();
});

test('replay honours transactions: committed transactional offsets count, aborted ones do not', async () => {
  const { encodeRecordBatch } = await import('../../src/protocol/records/record-batch.js');
  const topic = new InMemoryOffsetsTopic();
  const offsetValue = (o: bigint) => encodeOffsetCommitValue({ offset: o, leaderEpoch: -1, metadata: '', commitTimestamp: 1, expireTimestamp: null });
  const marker = (type: number) => {
    const k = Buffer.alloc(4);
    k.writeInt16BE(0, 0);
    k.writeInt16BE(type, 2);
    return encodeRecordBatch({ records: [{ key: k, value: Buffer.from([0, 0, 0, 0, 0, 0]) }], control: true, transactional: true, producerId: 7, producerEpoch: 0 });
  };
  const txn = (pid: number, o: bigint) =>
    encodeRecordBatch({ records: [{ key: encodeOffsetCommitKey('g', 't', 0), value: offsetValue(o) }], transactional: true, producerId: pid, producerEpoch: 0, baseSequence: 0 });
  await topic.append(0, encodeRecordBatch({ records: [{ key: encodeOffsetCommitKey('g', 't', 0), value: offsetValue(1n) }] }));
  await topic.append(0, txn(7, 5n));
  await topic.append(0, marker(1)); // COMMIT
  await topic.append(0, txn(7, 9n));
  await topic.append(0, marker(0)); // ABORT
  const records = await readOffsetsPartition(topic, 0);
  assert.deepEqual(records.map((r) => decodeOffsetCommitValue(r.value as Buffer).offset), [1n, 5n]);
});

test('KIP-848 record keys (v3, v5-v8) match the generated codecs', async () => {
  const { encodeConsumerKey, decodeConsumerKey } = await import('../../src/coordinator/consumer-group-records.js');
  const { decodeConsumerGroupMemberMetadataKey } = await import('../../src/protocol/generated/internal/consumer-group-member-metadata-key.js');
  const { decodeConsumerGroupMetadataKey } = await import('../../src/protocol/generated/internal/consumer-group-metadata-key.js');
  const { decodeConsumerGroupCurrentMemberAssignmentKey } = await import('../../src/protocol/generated/internal/consumer-group-current-member-assignment-key.js');
  const m = versioned(encodeConsumerKey(5, 'grp', 'mem'), decodeConsumerGroupMemberMetadataKey);
  assert.deepEqual([m.version, m.value.groupId, m.value.memberId, m.rest], [5, 'grp', 'mem', 0]);
  const g = versioned(encodeConsumerKey(3, 'grp'), decodeConsumerGroupMetadataKey);
  assert.deepEqual([g.version, g.value.groupId, g.rest], [3, 'grp', 0]);
  const c = versioned(encodeConsumerKey(8, 'grp', 'mem'), decodeConsumerGroupCurrentMemberAssignmentKey);
  assert.deepEqual([c.version, c.value.groupId, c.value.memberId], [8, 'grp', 'mem']);
  assert.deepEqual(decodeConsumerKey(encodeConsumerKey(7, 'grp', 'mem')), { version: 7, group: 'grp', memberId: 'mem' });
  assert.equal(decodeConsumerKey(encodeOffsetCommitKey('g', 't', 0)), null);
});
