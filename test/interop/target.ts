// What interop tests run against: Gregor's broker (default), or librdkafka's mock cluster when
// INTEROP_TARGET=mock — useful to tell a broker bug from a test bug (the mock cannot serve @platformatic/kafka).
import { startGregor } from '../helpers/broker.js';
import { startMockCluster } from '../helpers/mock-cluster.js';
import type { ClientName } from '../helpers/real-clients.js';

export interface InteropTarget {
  kind: 'gregor' | 'mock';
  bootstrap: string;
  /** Clients this target can serve. */
  clients: ClientName[];
  /** Gregor's log.dirs (its partition logs can be inspected); undefined for the mock. */
  dataDir?: string;
  close(): Promise<void>;
}

export const ALL_CLIENTS: ClientName[] = ['kcat', 'confluent', 'kafka-python', 'kafkajs', 'platformatic'];

/** Starts the target with every topic in `topics` available with `partitions` partitions. */
export async function startTarget(topics: string[], partitions: number, overrides: Record<string, string> = {}): Promise<InteropTarget> {
  if (process.env.INTEROP_TARGET === 'mock') {
    const mock = await startMockCluster({ brokers: 1, topics: topics.map((name) => ({ name, partitions })) });
    return { kind: 'mock', bootstrap: mock.bootstrap, clients: ALL_CLIENTS.filter((c) => c !== 'platformatic'), close: () => mock.stop() };
  }
  // Topics are auto-created on first use with num.partitions partitions.
  const broker = await startGregor({
    overrides: { 'num.partitions': String(partitions), 'auto.create.topics.enable': 'true', ...overrides },
  });
  return {
    kind: 'gregor',
    bootstrap: broker.bootstrap,
    clients: ALL_CLIENTS,
    dataDir: broker.dataDir,
    close: async () => {
      await broker.close();
    },
  };
}
