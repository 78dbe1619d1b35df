// Shared fixtures for coordinator tests: a coordinator over an in-memory __consumer_offsets with a manual clock,
// and small builders for consumer-protocol subscription/assignment bytes.
import { GroupCoordinator, InMemoryOffsetsTopic, ManualScheduler, type GroupCoordinatorConfig } from '../../src/coordinator/index.js';

export interface Fixture {
  gc: GroupCoordinator;
  clock: ManualScheduler;
  topic: InMemoryOffsetsTopic;
}

export const FAST_CONFIG: Partial<GroupCoordinatorConfig> = {
  groupInitialRebalanceDelayMs: 100,
  groupMinSessionTimeoutMs: 1000,
};

export async function startCoordinator(
  config: Partial<GroupCoordinatorConfig> = {},
  topic = new InMemoryOffsetsTopic(),
  clock = new ManualScheduler(),
  existing?: (topic: string, partition: number) => boolean,
): Promise<Fixture> {
  const gc = new GroupCoordinator({
    config: { ...FAST_CONFIG, ...config },
    offsetsTopic: topic,
    node: () => ({ nodeId: 1, host: 'localhost', port: 9092 }),
    scheduler: clock,
    topics: existing ? { partitionExists: existing } : undefined,
  });
  await gc.startup();
  return { gc, clock, topic };
}

/** Lets promise callbacks (log appends, parked responses) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

/** ConsumerProtocolSubscription v0: version, topics, user data. */
export function subscription(topics: string[]): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(6);
  head.writeInt16BE(0, 0);
  head.writeInt32BE(topics.length, 2);
  parts.push(head);
  for (const t of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(Buffer.byteLength(t), 0);
    parts.push(len, Buffer.from(t));
  }
  const userData = Buffer.alloc(4);
  userData.writeInt32BE(-1, 0);
  parts.push(userData);
  return Buffer.concat(parts);
}

/** Tracks a promise so tests can check whether it is still parked. */
export function track<T>(p: Promise<T>): { done: () => boolean; value: () => T; promise: Promise<T> } {
  let settled = false;
  let v: T | undefined;
  void p.then((x) => {
    settled = true;
    v = x;
  });
  return {
    done: () => settled,
    value: () => {
      if (!settled) throw new Error('promise still pending');
      return v as T;
    },
    promise: p,
  };
}
