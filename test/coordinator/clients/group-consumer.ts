// A long-running group member for the coordinator's interop tests, with kafkajs or @platformatic/kafka (classic
// or KIP-848 "consumer" protocol). Same JSON-lines protocol as group_consumer.py:
//   {"ev":"ready"} {"ev":"assigned","tps":[...]} {"ev":"revoked","tps":[...]} {"ev":"rec","p","o","v"}
//   {"ev":"committed","p","o"} {"ev":"error","msg"}, each with "t" (ms). Commits after each record.
// Usage: node --import tsx group-consumer.ts <kafkajs|platformatic|platformatic-consumer> <bootstrap> <topic> <group> [sessionMs]
import type { Consumer as KafkajsConsumer } from 'kafkajs';

const [client, bootstrap, topic, group, sessionArg] = process.argv.slice(2);
const sessionMs = Number(sessionArg ?? 6000);

function emit(ev: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ ...ev, t: Date.now() })}\n`);
}

let stop: () => Promise<void> = async () => {};
let stopping = false;
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    void stop().finally(() => {
      emit({ ev: 'closed' });
      process.exit(0);
    });
  });
}

async function runKafkajs(): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'gregor-group-test', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const consumer: KafkajsConsumer = kafka.consumer({ groupId: group, sessionTimeout: sessionMs, heartbeatInterval: Math.max(500, Math.floor(sessionMs / 6)), rebalanceTimeout: 20_000 });
  stop = () => consumer.disconnect();
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    emit({ ev: 'assigned', tps: [...(e.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b) });
  });
  consumer.on(consumer.events.REBALANCING, () => emit({ ev: 'revoked', tps: 'all' }));
  consumer.on(consumer.events.CRASH, (e) => emit({ ev: 'error', msg: String(e.payload.error) }));
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  emit({ ev: 'ready' });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ partition, message }) => {
      emit({ ev: 'rec', p: partition, o: Number(message.offset), v: message.value?.toString() ?? '' });
      const next = (BigInt(message.offset) + 1n).toString();
      await consumer.commitOffsets([{ topic, partition, offset: next }]);
      emit({ ev: 'committed', p: partition, o: Number(next) });
    },
  });
}

async function runPlatformatic(kip848: boolean): Promise<void> {
  const { Consumer, MessagesStreamModes, MessagesStreamFallbackModes } = await import('@platformatic/kafka');
  const consumer = new Consumer({
    clientId: 'gregor-group-test',
    groupId: group,
    bootstrapBrokers: bootstrap.split(','),
    sessionTimeout: sessionMs,
    heartbeatInterval: Math.max(500, Math.floor(sessionMs / 6)),
    rebalanceTimeout: 20_000,
    // Ride out a broker restart (the default gives up after 3 quick retries).
    retries: 30,
    retryDelay: 500,
    ...(kip848 ? { groupProtocol: 'consumer' as const } : {}),
  } as ConstructorParameters<typeof Consumer>[0]);
  const report = (): void => {
    const tps = (consumer.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions);
    emit({ ev: 'assigned', tps: [...tps].sort((a, b) => a - b) });
  };
  consumer.on('consumer:group:join', report);
  consumer.on('consumer:group:rebalance', () => emit({ ev: 'revoked', tps: 'all' }));
  // KIP-848 assignments change through heartbeats, without a join event.
  let last = '';
  consumer.on('consumer:heartbeat:end', () => {
    const now = JSON.stringify(consumer.assignments ?? []);
    if (now !== last) {
      last = now;
      report();
    }
  });
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.COMMITTED, fallbackMode: MessagesStreamFallbackModes.EARLIEST, autocommit: false });
  stop = async () => {
    await stream.close().catch(() => {});
    await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
  };
  emit({ ev: 'ready' });
  for await (const message of stream) {
    emit({ ev: 'rec', p: message.partition, o: Number(message.offset), v: Buffer.isBuffer(message.value) ? message.value.toString() : String(message.value ?? '') });
    await message.commit();
    emit({ ev: 'committed', p: message.partition, o: Number(message.offset) + 1 });
  }
}

const run = client === 'kafkajs' ? runKafkajs() : runPlatformatic(client === 'platformatic-consumer');
run.catch((e: unknown) => {
  emit({ ev: 'error', msg: e instanceof Error ? (e.stack ?? e.message) : String(e), fatal: true });
  process.exit(1);
});
