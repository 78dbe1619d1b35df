// Consumer groups on Gregor's broker: eager (range) and cooperative-sticky rebalances between Gregor consumers,
// a cooperative group shared with a librdkafka consumer, and `for await` consumption.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startGregor, type GregorBroker } from '../helpers/broker.js';
import { confluentConsume } from '../helpers/real-clients.js';
import { Admin, Producer, Consumer, type TopicPartition } from '../../src/client/index.js';

let broker: GregorBroker;

before(async () => {
  broker = await startGregor({ overrides: { 'group.initial.rebalance.delay.ms': '0' } });
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  await admin.createTopics([
    { name: 'eager', numPartitions: 4 },
    { name: 'coop', numPartitions: 4 },
    { name: 'coop-mixed', numPartitions: 4 },
    { name: 'iter', numPartitions: 1 },
    { name: 're-a', numPartitions: 1 },
    { name: 're-b', numPartitions: 2 },
    { name: 'other', numPartitions: 1 },
    { name: 'slow', numPartitions: 2 },
  ]);
  await admin.close();
});

after(async () => {
  await broker?.close();
});

const fast = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 300, enableAutoCommit: false, autoOffsetReset: 'earliest' as const };
const names = (tps: TopicPartition[]) => tps.map((t) => t.partition).sort();

/** Each consumer polls in its own loop (as separate applications would) until `done()`. */
async function pollUntil(consumers: Consumer<Buffer, Buffer>[], done: () => boolean, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  await Promise.all(
    consumers.map(async (c) => {
      while (!done() && Date.now() < deadline) await c.poll(100);
    }),
  );
  if (!done()) throw new Error('condition not reached');
}

test('range: a second member takes half the partitions; eager revoke of everything first', async () => {
  const events: string[] = [];
  const a = new Consumer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap, groupId: 'g-eager', ...fast });
  const b = new Consumer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap, groupId: 'g-eager', ...fast });
  a.subscribe(['eager'], { onPartitionsRevoked: (tps) => void events.push(`a-revoked:${names(tps)}`), onPartitionsAssigned: (tps) => void events.push(`a-assigned:${names(tps)}`) });
  await pollUntil([a], () => a.assignment().length === 4);
  b.subscribe(['eager']);
  await pollUntil([a, b], () => a.assignment().length === 2 && b.assignment().length === 2);
  assert.deepEqual([...names(a.assignment()), ...names(b.assignment())].sort(), [0, 1, 2, 3]);
  assert.deepEqual(events.slice(0, 3), ['a-assigned:0,1,2,3', 'a-revoked:0,1,2,3', `a-assigned:${names(a.assignment())}`]);
  await b.close();
  await pollUntil([a], () => a.assignment().length === 4);
  await a.close();
});

test('cooperative-sticky: only moved partitions are revoked, the rest stay assigned throughout', async () => {
  const revokedA: number[][] = [];
  const opts = { bootstrapServers: broker.bootstrap, groupId: 'g-coop', partitionAssignmentStrategy: ['cooperative-sticky'], ...fast };
  const a = new Consumer<Buffer, Buffer>(opts);
  const b = new Consumer<Buffer, Buffer>(opts);
  a.subscribe(['coop'], { onPartitionsRevoked: (tps) => void revokedA.push(names(tps)) });
  await pollUntil([a], () => a.assignment().length === 4);
  b.subscribe(['coop']);
  await pollUntil([a, b], () => a.assignment().length === 2 && b.assignment().length === 2);
  assert.equal(revokedA.length, 1);
  assert.equal(revokedA[0]!.length, 2, 'only the two partitions that moved were revoked');
  assert.deepEqual([...names(a.assignment()), ...names(b.assignment())].sort(), [0, 1, 2, 3]);
  await a.close();
  await b.close();
});

test('cooperative-sticky group shared with a librdkafka consumer', async () => {
  const p = new Producer<string, string>({ bootstrapServers: broker.bootstrap, valueSerializer: 'string' });
  await Promise.all(Array.from({ length: 40 }, (_, i) => p.send({ topic: 'coop-mixed', partition: i % 4, value: `m${i}` })));
  await p.close();
  const a = new Consumer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap, groupId: 'g-mixed', partitionAssignmentStrategy: ['cooperative-sticky'], ...fast });
  a.subscribe(['coop-mixed']);
  await pollUntil([a], () => a.assignment().length === 4);
  let stop = false;
  const loop = (async () => {
    while (!stop) await a.poll(100);
  })();
  const theirs = await confluentConsume({
    bootstrap: broker.bootstrap,
    topic: 'coop-mixed',
    count: 20,
    groupId: 'g-mixed',
    config: { 'partition.assignment.strategy': 'cooperative-sticky', 'session.timeout.ms': 6000 },
    timeoutMs: 40000,
  });
  const mine = names(a.assignment());
  stop = true;
  await loop;
  await a.close();
  const theirPartitions = [...new Set(theirs.map((m) => m.partition))].sort();
  assert.equal(theirPartitions.length, 2, `librdkafka got ${theirPartitions}`);
  assert.deepEqual([...mine, ...theirPartitions].sort(), [0, 1, 2, 3]);
});

test('for await iterates records until close()', async () => {
  const p = new Producer<string, string>({ bootstrapServers: broker.bootstrap, valueSerializer: 'string' });
  await Promise.all(Array.from({ length: 5 }, (_, i) => p.send({ topic: 'iter', value: `r${i}` })));
  await p.close();
  const c = new Consumer<string, string>({ bootstrapServers: broker.bootstrap, groupId: 'g-iter', valueDeserializer: 'string', ...fast });
  c.subscribe(['iter']);
  const seen: string[] = [];
  for await (const r of c) {
    seen.push(r.value!);
    if (seen.length === 5) await c.close();
  }
  assert.deepEqual(seen, ['r0', 'r1', 'r2', 'r3', 'r4']);
});

test('poll(timeout) keeps its deadline while a rebalance holds JoinGroup', async () => {
  const a = new Consumer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap, groupId: 'g-deadline', ...fast, maxPollIntervalMs: 10000 });
  const b = new Consumer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap, groupId: 'g-deadline', ...fast, maxPollIntervalMs: 10000 });
  a.subscribe(['eager']);
  await pollUntil([a], () => a.assignment().length === 4);
  // b joins; the coordinator parks b's JoinGroup until a rejoins, which happens only when a polls again
  b.subscribe(['eager']);
  const t0 = Date.now();
  await b.poll(200);
  assert.ok(Date.now() - t0 < 2000, `poll(200) returned after ${Date.now() - t0} ms`);
  await pollUntil([a, b], () => a.assignment().length === 2 && b.assignment().length === 2);
  await a.close();
  await b.close();
});

test('static membership: a restarted member with the same group.instance.id gets its partitions back', async () => {
  const opts = { bootstrapServers: broker.bootstrap, groupId: 'g-static', ...fast };
  const a = new Consumer<Buffer, Buffer>({ ...opts, groupInstanceId: 'instance-a' });
  const b = new Consumer<Buffer, Buffer>({ ...opts, groupInstanceId: 'instance-b' });
  a.subscribe(['eager']);
  b.subscribe(['eager']);
  await pollUntil([a, b], () => a.assignment().length === 2 && b.assignment().length === 2);
  const before = names(a.assignment());
  await a.close(); // a static member does not leave the group
  const a2 = new Consumer<Buffer, Buffer>({ ...opts, groupInstanceId: 'instance-a' });
  a2.subscribe(['eager']);
  await pollUntil([a2, b], () => a2.assignment().length === 2);
  assert.deepEqual(names(a2.assignment()), before);
  assert.equal(b.assignment().length, 2);
  await a2.close();
  await b.close();
});

test('RegExp subscription matches topics by name', async () => {
  const c = new Consumer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap, groupId: 'g-regex', ...fast });
  c.subscribe(/^re-/);
  await pollUntil([c], () => c.assignment().length === 3);
  assert.deepEqual(c.assignment().map((t) => `${t.topic}-${t.partition}`).sort(), ['re-a-0', 're-b-0', 're-b-1']);
  assert.deepEqual(c.subscription(), ['re-a', 're-b']);
  await c.close();
});

test('a member that stops polling for max.poll.interval.ms leaves; the other takes over its partitions', async () => {
  const opts = { bootstrapServers: broker.bootstrap, groupId: 'g-slow', ...fast, maxPollIntervalMs: 1500 };
  const a = new Consumer<Buffer, Buffer>(opts);
  const b = new Consumer<Buffer, Buffer>(opts);
  a.subscribe(['slow']);
  b.subscribe(['slow']);
  await pollUntil([a, b], () => a.assignment().length === 1 && b.assignment().length === 1);
  // a stops polling; b keeps polling and ends up with both partitions
  await pollUntil([b], () => b.assignment().length === 2, 15000);
  await a.close();
  await b.close();
});

test('added partitions are picked up (metadata.max.age.ms) and assigned by a rebalance', async () => {
  const admin = new Admin({ bootstrapServers: broker.bootstrap });
  await admin.createTopics([{ name: 'grow', numPartitions: 1 }]);
  const c = new Consumer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap, groupId: 'g-grow', ...fast, metadataMaxAgeMs: 300 });
  c.subscribe(['grow']);
  await pollUntil([c], () => c.assignment().length === 1);
  await admin.createPartitions({ grow: 3 });
  await admin.close();
  await pollUntil([c], () => c.assignment().length === 3, 15000);
  await c.close();
});

test('subscribing to a topic that does not exist yet creates it (allow.auto.create.topics)', async () => {
  const c = new Consumer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap, groupId: 'g-auto', ...fast });
  c.subscribe(['auto-created-by-consumer']);
  await pollUntil([c], () => c.assignment().length > 0, 15000);
  await c.close();
});

test('onPartitionsRevoked runs while the partitions are still assigned: it can commit their positions', async () => {
  const p = new Producer<string, string>({ bootstrapServers: broker.bootstrap, valueSerializer: 'string' });
  await Promise.all(Array.from({ length: 8 }, (_, i) => p.send({ topic: 'eager', partition: i % 4, value: `r${i}` })));
  await p.close();
  const committedInListener: number[] = [];
  const a: Consumer<Buffer, Buffer> = new Consumer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap, groupId: 'g-revoke', ...fast });
  a.subscribe(['eager'], {
    onPartitionsRevoked: async (tps) => {
      committedInListener.push(tps.length);
      await a.commitSync();
    },
  });
  await pollUntil([a], () => a.assignment().length === 4);
  let n = 0;
  const deadline = Date.now() + 10000;
  while (n < 8 && Date.now() < deadline) n += (await a.poll(200)).count;
  const b = new Consumer<Buffer, Buffer>({ bootstrapServers: broker.bootstrap, groupId: 'g-revoke', ...fast });
  b.subscribe(['eager']);
  await pollUntil([a, b], () => a.assignment().length === 2 && b.assignment().length === 2);
  assert.deepEqual(committedInListener, [4]);
  const committed = await b.committed([0, 1, 2, 3].map((partition) => ({ topic: 'eager', partition })));
  assert.ok(committed.every((c) => c !== null && c.offset >= 2), JSON.stringify(committed));
  await a.close();
  await b.close();
});
