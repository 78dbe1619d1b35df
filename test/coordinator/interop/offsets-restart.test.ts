// Committed offsets with real clients against Gregor: they survive broker restarts (SIGKILL and SIGTERM) and a
// consumer of the same group resumes from them; auto.offset.reset earliest / latest / none behave as with Kafka;
// and __consumer_offsets read raw with kcat decodes, with Kafka's record formats, to the committed offsets.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { decodeClassicKey, decodeGroupMetadataValue, decodeOffsetCommitValue } from '../../../src/coordinator/records.js';
import { partitionForGroup } from '../../../src/coordinator/partitioning.js';
import { startGregor, type GregorBroker } from '../../helpers/broker.js';
import { kcatConsume, runSystemPython } from '../../helpers/real-clients.js';
import { Member, produce, type MemberClient } from './harness.js';

const PARTITIONS = 3;
let broker: GregorBroker;
const members: Member[] = [];

before(async () => {
  broker = await startGregor({
    overrides: {
      'num.partitions': String(PARTITIONS),
      'auto.create.topics.enable': 'true',
      'group.initial.rebalance.delay.ms': '300',
      'group.min.session.timeout.ms': '1000',
    },
  });
});

after(async () => {
  await Promise.all(members.map((m) => m.close().catch(() => {})));
  await broker?.close();
});

function member(client: MemberClient, topic: string, group: string, reset: 'earliest' | 'latest' | 'none' = 'earliest', sessionMs = 6000): Member {
  const m = new Member({ client, bootstrap: broker.bootstrap, topic, group, name: `${client}-${members.length}`, sessionMs, reset, assignor: 'range' });
  members.push(m);
  return m;
}

async function committedOffsets(group: string, topic: string): Promise<number[]> {
  const kafka = new Kafka({ clientId: 'offsets-check', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const r = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return r[0].partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

/** Consumes until every partition reached `upTo` (exclusive), then closes (LeaveGroup). */
async function consumeAll(client: MemberClient, topic: string, group: string, upTo: number): Promise<Member> {
  const m = member(client, topic, group);
  await m.waitFor(
    () => Array.from({ length: PARTITIONS }, (_, p) => m.events.some((e) => e.ev === 'committed' && e.p === p && e.o === upTo)).every(Boolean),
    60_000,
    `commits up to ${upTo}`,
  );
  await m.close();
  return m;
}

describe('committed offsets with real clients', { concurrency: false }, () => {
  for (const [how, client] of [
    ['SIGKILL', 'confluent'],
    ['SIGTERM', 'kafka-python'],
  ] as const) {
    test(`offsets survive a broker ${how}; a ${client} consumer of the same group resumes from them`, { timeout: 180_000 }, async () => {
      const topic = `resume-${how.toLowerCase()}`;
      const group = `g-${randomBytes(4).toString('hex')}`;
      await produce(broker.bootstrap, topic, PARTITIONS, 5, 0);
      await consumeAll(client, topic, group, 5);
      assert.deepEqual(await committedOffsets(group, topic), [5, 5, 5]);
      if (how === 'SIGKILL') await broker.kill9();
      else await broker.stop('SIGTERM');
      await broker.restart();
      assert.deepEqual(await committedOffsets(group, topic), [5, 5, 5], 'offsets after the restart');
      await produce(broker.bootstrap, topic, PARTITIONS, 5, 5);
      const again = await consumeAll(client, topic, group, 10);
      const offsets = again.records().map((r) => r.o ?? -1);
      assert.ok(offsets.length >= PARTITIONS * 5);
      assert.ok(offsets.every((o) => o >= 5), `resumed from the committed offsets, got ${offsets.join(',')}`);
    });
  }

  test('a live group survives a broker restart: members keep their generation and partitions (group metadata reloaded)', { timeout: 180_000 }, async () => {
    const topic = 'live-restart';
    const group = `live-${randomBytes(4).toString('hex')}`;
    await produce(broker.bootstrap, topic, PARTITIONS, 2, 0);
    // The session must outlast the broker's restart (a few seconds under tsx), as in production.
    const a = member('confluent', topic, group, 'earliest', 30_000);
    await a.waitFor(() => a.assigned.size > 0, 60_000, 'first member');
    const b = member('confluent', topic, group, 'earliest', 30_000);
    await b.waitFor(() => b.assigned.size > 0 && a.assigned.size + b.assigned.size === PARTITIONS, 60_000, 'two members');
    const before = [[...a.assigned].sort(), [...b.assigned].sort()];
    const marks = [a.events.length, b.events.length];
    await broker.stop('SIGTERM');
    await broker.restart();
    await produce(broker.bootstrap, topic, PARTITIONS, 2, 2);
    const got = (m: Member) => m.records().filter((r) => (r.o ?? 0) >= 2).length;
    await a.waitFor(() => got(a) + got(b) >= PARTITIONS * 2, 60_000, 'records after the restart');
    assert.deepEqual([[...a.assigned].sort(), [...b.assigned].sort()], before, `${a.diagnostics()}\n${b.diagnostics()}\n${broker.output().split("\n").filter((l) => l.includes("coordinator")).slice(-30).join("\n")}`);
    const rebalances = [a, b].flatMap((m, i) => m.events.slice(marks[i]).filter((e) => e.ev === 'revoked' || e.ev === 'assigned'));
    assert.deepEqual(rebalances, [], 'no rebalance: the reloaded group accepted the members\' heartbeats');
    await Promise.all([a.close(), b.close()]);
  });

  test('a KIP-848 group (@platformatic/kafka) survives a broker restart with its epochs and partitions', { timeout: 180_000 }, async () => {
    const topic = 'kip848-restart';
    const group = `k-${randomBytes(4).toString('hex')}`;
    await produce(broker.bootstrap, topic, PARTITIONS, 2, 0);
    const a = member('platformatic-consumer', topic, group);
    await a.waitFor(() => a.assigned.size === PARTITIONS, 60_000, 'first member');
    const b = member('platformatic-consumer', topic, group);
    await b.waitFor(() => b.assigned.size > 0 && a.assigned.size + b.assigned.size === PARTITIONS, 60_000, 'two members');
    const before = [[...a.assigned].sort(), [...b.assigned].sort()];
    await broker.stop('SIGTERM');
    await broker.restart();
    await produce(broker.bootstrap, topic, PARTITIONS, 2, 2);
    const got = (m: Member) => m.records().filter((r) => (r.o ?? 0) >= 2).length;
    await b.waitFor(() => got(a) + got(b) >= PARTITIONS * 2, 60_000, `records after the restart ${broker.output().split('\n').filter((l) => l.includes('coordinator')).slice(-12).join('\n')}`);
    assert.deepEqual([[...a.assigned].sort(), [...b.assigned].sort()], before, `${a.diagnostics()}\n${b.diagnostics()}`);
    assert.equal(a.errors().length + b.errors().length, 0, 'no member was fenced');
    await Promise.all([a.close(), b.close()]);
  });

  test('auto.offset.reset: earliest reads from the start, latest only new records, none fails', { timeout: 180_000 }, async () => {
    const topic = 'reset';
    let produced = 3;
    await produce(broker.bootstrap, topic, PARTITIONS, produced, 0);
    for (const client of ['confluent', 'kafka-python'] as const) {
      const earliest = member(client, topic, `e-${randomBytes(4).toString('hex')}`, 'earliest');
      await earliest.waitFor(() => earliest.records().length >= PARTITIONS * produced, 60_000, 'earliest records');
      assert.deepEqual([...new Set(earliest.records().map((r) => r.o))].sort(), Array.from({ length: produced }, (_, i) => i));

      const latest = member(client, topic, `l-${randomBytes(4).toString('hex')}`, 'latest');
      await latest.waitFor(() => latest.assigned.size === PARTITIONS, 60_000, 'latest assignment');
      // Give it time to look up its positions (log end) before producing.
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(latest.records().length, 0);
      const base = produced;
      await produce(broker.bootstrap, topic, PARTITIONS, 2, base);
      produced += 2;
      await latest.waitFor(() => latest.records().length >= PARTITIONS * 2, 60_000, 'new records');
      assert.ok(latest.records().every((r) => (r.o ?? 0) >= base), 'latest skipped the old records');

      const none = member(client, topic, `n-${randomBytes(4).toString('hex')}`, 'none');
      await none.waitFor(() => none.errors().length > 0, 60_000, 'an error for auto.offset.reset=none');
      assert.equal(none.records().length, 0);
      assert.match(none.errors()[0].msg ?? '', client === 'confluent' ? /offset|reset/i : /NoOffsetForPartition/);
      await Promise.all([earliest, latest, none].map((m) => m.close()));
    }
  });

  test('admin clients see a live group: kafka-python and kafkajs list/describe it and read its offsets', { timeout: 120_000 }, async () => {
    const topic = 'admin-view';
    const group = `admin-${randomBytes(4).toString('hex')}`;
    await produce(broker.bootstrap, topic, PARTITIONS, 2, 0);
    const m = member('confluent', topic, group);
    await m.waitFor(() => m.events.filter((e) => e.ev === 'committed').length >= PARTITIONS * 2, 60_000, 'commits');
    const py = await runSystemPython<{ groups: [string, string][]; described: { state: string; protocol_type: string; protocol: string; members: { client_id: string; client_host: string; assignment: number[] }[] }; offsets: [number, number][] }>(
      `
import json, sys
from kafka import KafkaAdminClient
from kafka.coordinator.protocol import ConsumerProtocolMemberAssignment
req = json.load(sys.stdin)
a = KafkaAdminClient(bootstrap_servers=req['bootstrap'], client_id='gregor-admin-test')
groups = a.list_consumer_groups()
d = a.describe_consumer_groups([req['group']])[0]
members = []
for mem in d.members:
    asg = mem.member_assignment
    if isinstance(asg, (bytes, bytearray)):
        asg = ConsumerProtocolMemberAssignment.decode(asg)
    members.append({'client_id': mem.client_id, 'client_host': mem.client_host,
                    'assignment': sorted(p for t, ps in asg.assignment for p in ps)})
offs = a.list_consumer_group_offsets(req['group'])
a.close()
print(json.dumps({'groups': [list(g) for g in groups], 'described': {'state': d.state, 'protocol_type': d.protocol_type,
      'protocol': d.protocol, 'members': members}, 'offsets': sorted([tp.partition, om.offset] for tp, om in offs.items())}))
`,
      { bootstrap: broker.bootstrap, group },
    );
    assert.ok(py.groups.some(([id, type]) => id === group && type === 'consumer'));
    assert.equal(py.described.state, 'Stable');
    assert.equal(py.described.protocol_type, 'consumer');
    assert.equal(py.described.protocol, 'range');
    assert.equal(py.described.members.length, 1);
    assert.equal(py.described.members[0].client_host, '/127.0.0.1');
    assert.deepEqual(py.described.members[0].assignment, [0, 1, 2]);
    assert.deepEqual(py.offsets, [
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    const kafka = new Kafka({ clientId: 'admin-check', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const d = await admin.describeGroups([group]);
      assert.equal(d.groups[0].state, 'Stable');
      assert.equal(d.groups[0].members.length, 1);
      const listed = await admin.listGroups();
      assert.ok(listed.groups.some((g) => g.groupId === group && g.protocolType === 'consumer'));
      // A live group cannot be deleted.
      await assert.rejects(admin.deleteGroups([group]), (e: { groups?: { error?: { type?: string } }[] }) => e.groups?.[0]?.error?.type === 'NON_EMPTY_GROUP');
    } finally {
      await admin.disconnect();
    }
    await m.close();
  });

  test('__consumer_offsets read raw with kcat decodes with Kafka\'s formats to the committed offsets', { timeout: 120_000 }, async () => {
    const topic = 'raw';
    const group = `raw-${randomBytes(4).toString('hex')}`;
    await produce(broker.bootstrap, topic, PARTITIONS, 4, 0);
    await consumeAll('confluent', topic, group, 4);
    const partition = partitionForGroup(group, 50);
    const records = await kcatConsume({ bootstrap: broker.bootstrap, topic: '__consumer_offsets', partition, count: 1_000_000, timeoutMs: 30_000 });
    const latest = new Map<number, bigint>();
    let sawGroup = false;
    for (const r of records) {
      assert.ok(r.key);
      // null: key versions 3+, KIP-848 consumer-group records of other groups that hash to the same partition.
      const key = decodeClassicKey(r.key);
      if (key === null || key.group !== group) continue;
      if (key.kind === 'offset' && key.topic === topic && r.value) latest.set(key.partition, decodeOffsetCommitValue(r.value).offset);
      if (key.kind === 'group' && r.value) {
        const v = decodeGroupMetadataValue(r.value);
        assert.equal(v.protocolType, 'consumer');
        sawGroup = true;
      }
    }
    assert.ok(sawGroup, 'a GroupMetadata record for the group');
    assert.deepEqual([...latest].sort((a, b) => a[0] - b[0]), [
      [0, 4n],
      [1, 4n],
      [2, 4n],
    ]);
  });
});
