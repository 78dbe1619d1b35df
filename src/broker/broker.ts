// A whole single-node broker: storage, topic metadata, the group coordinator, the request router and the TCP
// server, started in dependency order and stopped in reverse (the SIGTERM sequence lives in close()).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseProperties, randomKafkaUuid } from '../storage/dir-files.js';
import { LogManager, logConfigFromProperties, type PartitionLog } from '../storage/index.js';
import { GroupCoordinator, groupCoordinatorConfigFrom, type OffsetsTopic } from '../coordinator/index.js';
import { BROKER_CONFIGS, BrokerConfig, type Listener } from './config/broker-config.js';
import type { BrokerServices } from './context.js';
import { FetchSessionCache } from './fetch-sessions.js';
import { createLogger, type Logger } from './logger.js';
import { LocalFileMetadataStore, type MetadataStore } from './metadata/metadata-store.js';
import { SocketServer } from './network/socket-server.js';
import { ProducerIdManager } from './producer-ids.js';
import { ReplicaManager } from './replica-manager.js';
import { RequestRouter } from './request-router.js';
import { OFFSETS_TOPIC, TopicManager } from './topic-manager.js';

export interface StartBrokerOptions {
  logger?: Logger;
  /** Replaces the local metadata file (tests, or ZooKeeper later). */
  metadataStore?: MetadataStore;
}

export interface Broker {
  readonly port: number;
  readonly host: string;
  readonly brokerId: number;
  readonly services: BrokerServices;
  /** Clean shutdown: stop accepting, finish in-flight requests, flush, checkpoint, clean-shutdown marker. */
  close(): Promise<void>;
}

class ErrorWithCode extends Error {
  constructor(
    message: string,
    readonly errorCode: number,
  ) {
    super(message);
  }
}

/** __consumer_offsets access for the group coordinator, over this broker's partitions. */
function offsetsTopicOver(topics: TopicManager): OffsetsTopic {
  const partitionOf = (n: number) => {
    const p = topics.partition(OFFSETS_TOPIC, n);
    if (!p) throw new ErrorWithCode(`${OFFSETS_TOPIC}-${n} does not exist`, 3);
    return p;
  };
  return {
    async append(partition: number, batch: Buffer): Promise<bigint> {
      const p = partitionOf(partition);
      try {
        const info = await p.log.append(batch, { leaderEpoch: p.leaderEpoch });
        p.maybeAdvanceHighWatermark();
        return BigInt(info.firstOffset);
      } catch (e) {
        const code = (e as { kafkaErrorCode?: number }).kafkaErrorCode ?? -1;
        throw new ErrorWithCode((e as Error).message, code);
      }
    },
    async *readAll(partition: number): AsyncIterable<Buffer> {
      const log: PartitionLog = partitionOf(partition).log;
      let offset = log.logStartOffset;
      while (offset < log.logEndOffset) {
        const r = await log.read(offset, 1 << 20, log.logEndOffset, true);
        if (r.data.length === 0 || r.nextOffset <= offset) break;
        yield r.data;
        offset = r.nextOffset;
      }
    },
  };
}

/** The cluster id recorded in a log dir's meta.properties (when the metadata file is gone but data is not). */
async function clusterIdOnDisk(dirs: string[]): Promise<string | undefined> {
  for (const d of dirs) {
    try {
      const id = parseProperties(await readFile(join(d, 'meta.properties'), 'utf8')).get('cluster.id');
      if (id) return id;
    } catch {}
  }
  return undefined;
}

function brokerLogProps(config: BrokerConfig): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of BROKER_CONFIGS) {
    if (!d.name.startsWith('log.') && d.name !== 'message.max.bytes') continue;
    const v = config.raw(d.name);
    if (v !== null) out[d.name] = v;
  }
  return out;
}

export async function startBroker(config: BrokerConfig, opts: StartBrokerOptions = {}): Promise<Broker> {
  const brokerId = config.brokerId();
  const log = opts.logger ?? createLogger({ brokerId });
  for (const w of config.warnings) log.warn(w);
  const logDirs = config.logDirs();
  const store = opts.metadataStore ?? new LocalFileMetadataStore(logDirs[0]!);
  const existing = await store.load();
  const clusterId = existing?.clusterId ?? (await clusterIdOnDisk(logDirs)) ?? randomKafkaUuid();

  const started = Date.now();
  // The log manager asks for topic configs while loading; the topic manager exists only after it.
  const ref: { topics?: TopicManager; server?: SocketServer } = {};
  const logs = await LogManager.open({
    logDirs,
    clusterId,
    nodeId: brokerId,
    defaultConfig: logConfigFromProperties({}, brokerLogProps(config)),
    topicConfig: (topic) => ref.topics?.get(topic)?.logConfig,
    retentionCheckIntervalMs: config.int('log.retention.check.interval.ms'),
    checkpointIntervalMs: config.int('log.flush.offset.checkpoint.interval.ms') || 60000,
    cleanerEnable: config.bool('log.cleaner.enable'),
    cleanerBackoffMs: config.int('log.cleaner.backoff.ms'),
    producerIdExpirationMs: config.int('producer.id.expiration.ms'),
  });
  log.info({ dirs: logDirs, unclean: logs.uncleanDirs, partitions: logs.allLogs().length, ms: Date.now() - started }, 'logs loaded');

  const tm = new TopicManager(config, store, logs, log.child({ component: 'topics' }));
  ref.topics = tm;
  await tm.load(existing, clusterId);

  const offsetsPartitions = config.int('offsets.topic.num.partitions');
  if (!tm.get(OFFSETS_TOPIC)) {
    await tm.createTopic(
      OFFSETS_TOPIC,
      offsetsPartitions,
      { 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': String(config.int('offsets.topic.segment.bytes')) },
      true,
    );
  }

  const listener = config.servedListener();
  let stopping = false;
  const endpoint = (): Listener => {
    const adv = config.advertisedListeners(ref.server?.port);
    return adv.find((l) => l.name === listener.name) ?? adv[0]!;
  };

  const coordinatorLog = log.child({ component: 'coordinator' });
  const coordinator = new GroupCoordinator({
    config: {
      ...groupCoordinatorConfigFrom((name) => {
        try {
          return config.raw(name);
        } catch {
          return undefined;
        }
      }),
      // One broker: __consumer_offsets has exactly the partitions created above, whatever the config says now.
      offsetsTopicNumPartitions: tm.get(OFFSETS_TOPIC)!.partitions.length,
    },
    offsetsTopic: offsetsTopicOver(tm),
    topics: {
      partitionExists: (t, p) => tm.partition(t, p) !== undefined,
      topic: (name) => {
        const st = tm.get(name);
        return st ? { topicId: st.record.topicId, numPartitions: st.partitions.length } : undefined;
      },
      topicName: (id) => tm.getById(id)?.record.name,
    },
    node: () => {
      const ep = endpoint();
      return { nodeId: brokerId, host: ep.host, port: ep.port };
    },
    logger: {
      info: (m: string) => coordinatorLog.info(m),
      warn: (m: string) => coordinatorLog.warn(m),
      error: (m: string) => coordinatorLog.error(m),
      debug: (m: string) => coordinatorLog.debug(m),
    } as never,
  });
  await coordinator.startup();

  const services: BrokerServices = {
    config,
    brokerId,
    topics: tm,
    replicas: new ReplicaManager(tm, log.child({ component: 'replicas' })),
    logs,
    coordinator,
    fetchSessions: new FetchSessionCache(config.int('max.incremental.fetch.session.cache.slots')),
    producerIds: new ProducerIdManager(tm),
    log,
    endpoint,
    shuttingDown: () => stopping,
  };
  const router = new RequestRouter(services);
  const maxRequests = config.int('queued.max.requests');
  const queuedBytes = config.int('queued.max.request.bytes');
  const server = new SocketServer(
    {
      host: listener.host,
      port: listener.port,
      maxFrameBytes: config.int('socket.request.max.bytes'),
      maxInFlightRequests: Math.min(maxRequests, 1000),
      maxInFlightBytes: queuedBytes > 0 ? queuedBytes : 64 * 1024 * 1024,
      idleTimeoutMs: config.int('connections.max.idle.ms'),
      maxConnections: config.int('max.connections'),
      maxConnectionsPerIp: config.int('max.connections.per.ip'),
      backlog: config.int('socket.listen.backlog.size'),
    },
    router.handle,
    log.child({ component: 'network' }),
  );
  ref.server = server;
  logs.startBackgroundTasks();
  const port = await server.listen();
  log.info({ brokerId, clusterId, listener: `${listener.name}://${listener.host}:${port}`, ms: Date.now() - started }, 'Gregor broker started');

  let closing: Promise<void> | undefined;
  return {
    port,
    host: listener.host,
    brokerId,
    services,
    close() {
      closing ??= (async () => {
        log.info('shutting down');
        stopping = true;
        // Delayed fetches answer now instead of waiting out max.wait.ms.
        for (const st of tm.all()) for (const p of st.partitions) p.notify();
        // No new requests from here on; then parked JoinGroup/SyncGroup get NOT_COORDINATOR, so draining the
        // connections does not wait on rebalances.
        server.stopAccepting();
        await coordinator.shutdown();
        await server.close(config.int('request.timeout.ms'));
        await logs.close();
        log.info('shut down cleanly');
      })();
      return closing;
    },
  };
}
