// Shared plumbing of producer, consumer and admin: bootstrap, one connection per broker (reconnect with
// exponential backoff), the metadata cache (brokers, topics, partition leaders) with coalesced refreshes, and
// coordinator lookup. Everything above this layer addresses brokers by node id.
import { Connection, type RequestSpec } from './connection.js';
import { ResolvedConfig, parseBootstrap } from './config.js';
import { ApiKeys } from '../protocol/generated/api-keys.js';
import { ERROR_INFO } from '../protocol/generated/error-codes.js';
import { encodeMetadataRequest } from '../protocol/generated/messages/metadata-request.js';
import { decodeMetadataResponse, type MetadataResponse } from '../protocol/generated/messages/metadata-response.js';
import { encodeFindCoordinatorRequest } from '../protocol/generated/messages/find-coordinator-request.js';
import { decodeFindCoordinatorResponse } from '../protocol/generated/messages/find-coordinator-response.js';
import { ConnectionError, KafkaError, TimeoutError, ClosedError } from './errors.js';

/** Which connection to a broker a request uses: regular traffic, or the dedicated coordinator connection. */
export type Lane = 'data' | 'coordinator';
const COORDINATOR_KEY_BASE = -2_000_000;

export interface BrokerInfo {
  id: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionMetadata {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  errorCode: number;
}

export interface TopicMetadata {
  name: string;
  topicId: string;
  isInternal: boolean;
  errorCode: number;
  partitions: PartitionMetadata[];
}

/** A Kafka error from an error code (or null for NONE). */
export function kafkaError(code: number, message?: string | null): KafkaError | null {
  if (code === 0) return null;
  const info = ERROR_INFO[code];
  return new KafkaError(code, info?.name ?? `UNKNOWN_ERROR_${code}`, info?.retriable ?? false, message ?? undefined);
}

export function throwIfError(code: number, message?: string | null): void {
  const e = kafkaError(code, message);
  if (e) throw e;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export class Cluster {
  readonly config: ResolvedConfig;
  private readonly bootstrap: { host: string; port: number }[];
  private readonly clientId: string;
  brokers = new Map<number, BrokerInfo>();
  topics = new Map<string, TopicMetadata>();
  clusterId: string | null = null;
  controllerId = -1;
  private readonly connections = new Map<number, Connection>();
  private readonly connecting = new Map<number, Promise<Connection>>();
  private readonly backoff = new Map<number, { failures: number; until: number }>();
  private bootstrapConn: Connection | null = null;
  private bootstrapIndex = 0;
  private metadataInFlight: Promise<void> | null = null;
  private metadataWanted: Set<string> | null = new Set();
  /** Topics the owner cares about; refreshes ask for these (null = all topics). */
  interest: Set<string> | null = new Set();
  lastMetadataRefresh = 0;
  private closed = false;
  private readonly coordinators = new Map<string, number>();

  constructor(config: ResolvedConfig) {
    this.config = config;
    this.bootstrap = parseBootstrap(config.list('bootstrap.servers'));
    this.clientId = config.str('client.id');
    this.bootstrapIndex = Math.floor(Math.random() * this.bootstrap.length);
  }

  private newConnection(host: string, port: number, nodeId: number): Connection {
    return new Connection({
      host,
      port,
      nodeId,
      clientId: this.clientId,
      requestTimeoutMs: this.config.int('request.timeout.ms'),
      connectTimeoutMs: this.config.int('socket.connection.setup.timeout.ms'),
    });
  }

  private backoffMs(key: number): number {
    const b = this.backoff.get(key);
    if (!b) return 0;
    return Math.max(0, b.until - Date.now());
  }

  private noteFailure(key: number): void {
    const b = this.backoff.get(key) ?? { failures: 0, until: 0 };
    b.failures++;
    const base = this.config.int('reconnect.backoff.ms');
    const max = this.config.int('reconnect.backoff.max.ms');
    const delay = Math.min(max, base * 2 ** Math.min(b.failures - 1, 20));
    b.until = Date.now() + delay * (0.8 + Math.random() * 0.4);
    this.backoff.set(key, b);
  }

  /** A connection to node `id` (opened on first use, reopened after a failure once its backoff has passed). */
  async connection(id: number, lane: Lane = 'data'): Promise<Connection> {
    if (this.closed) throw new ClosedError('client is closed');
    // Group/transaction coordinator traffic gets its own connection (as in Java): a JoinGroup the coordinator
    // holds for a whole rebalance must not queue fetches, heartbeats or commits behind it (Kafka answers a
    // connection's requests strictly in order).
    const key = lane === 'data' ? id : COORDINATOR_KEY_BASE - id;
    const existing = this.connections.get(key);
    if (existing?.isOpen) return existing;
    const inflight = this.connecting.get(key);
    if (inflight) return inflight;
    const broker = this.brokers.get(id);
    if (!broker) {
      await this.refreshMetadata();
      if (!this.brokers.has(id)) throw new ConnectionError(`unknown broker ${id}`);
      return this.connection(id, lane);
    }
    const p = (async () => {
      const wait = this.backoffMs(id);
      if (wait > 0) await sleep(wait);
      const conn = this.newConnection(broker.host, broker.port, id);
      try {
        await conn.connect();
      } catch (e) {
        this.noteFailure(id);
        throw e;
      }
      if (this.closed) {
        conn.close();
        throw new ClosedError('client is closed');
      }
      this.backoff.delete(id);
      this.connections.set(key, conn);
      conn.onClose(() => {
        if (this.connections.get(key) === conn) this.connections.delete(key);
      });
      return conn;
    })();
    this.connecting.set(key, p);
    try {
      return await p;
    } finally {
      this.connecting.delete(key);
    }
  }

  /** Any usable connection: an open one to a known broker, else a bootstrap server. */
  async anyConnection(): Promise<Connection> {
    if (this.closed) throw new ClosedError('client is closed');
    let best: Connection | null = null;
    for (const [key, c] of this.connections) if (key >= 0 && c.isOpen && (!best || c.inFlight < best.inFlight)) best = c;
    if (best) return best;
    if (this.bootstrapConn?.isOpen) return this.bootstrapConn;
    for (const id of this.brokers.keys()) {
      if (this.backoffMs(id) > 0) continue;
      try {
        return await this.connection(id);
      } catch {
        /* try next */
      }
    }
    // bootstrap servers, round robin, each with its own backoff (keys -1, -2, ...)
    let lastErr: unknown = null;
    for (let i = 0; i < this.bootstrap.length; i++) {
      const idx = (this.bootstrapIndex + i) % this.bootstrap.length;
      const key = -1 - idx;
      const wait = this.backoffMs(key);
      if (wait > 0 && i < this.bootstrap.length - 1) continue;
      if (wait > 0) await sleep(wait);
      const { host, port } = this.bootstrap[idx]!;
      const conn = this.newConnection(host, port, -1);
      try {
        await conn.connect();
        this.backoff.delete(key);
        this.bootstrapIndex = (idx + 1) % this.bootstrap.length;
        this.bootstrapConn?.close();
        this.bootstrapConn = conn;
        return conn;
      } catch (e) {
        this.noteFailure(key);
        lastErr = e;
      }
    }
    throw lastErr instanceof Error ? lastErr : new ConnectionError('no broker reachable');
  }

  /** Sends to any broker, retrying on connection errors until `timeoutMs`. */
  async sendAny<T>(spec: RequestSpec<T>, timeoutMs = this.config.int('default.api.timeout.ms')): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const conn = await this.anyConnection();
        return await conn.send(spec);
      } catch (e) {
        if (!(e instanceof ConnectionError) && !(e instanceof TimeoutError)) throw e;
        if (this.closed || Date.now() + this.config.int('retry.backoff.ms') > deadline) throw e;
        await sleep(this.config.int('retry.backoff.ms'));
      }
    }
  }

  /** Sends to node `id`. */
  async sendTo<T>(id: number, spec: RequestSpec<T>, lane: Lane = 'data'): Promise<T> {
    const conn = await this.connection(id, lane);
    return conn.send(spec);
  }

  /** Adds topics to the set metadata refreshes cover. */
  addInterest(topics: Iterable<string>): void {
    if (this.interest === null) return;
    for (const t of topics) this.interest.add(t);
  }

  /**
   * Refreshes metadata for `topics` (default: the interest set; null = all topics). Concurrent callers share one
   * request; a caller arriving while one is in flight gets a new one afterwards if it asked for more topics.
   */
  async refreshMetadata(topics?: Iterable<string> | null, allowAutoCreate = false): Promise<void> {
    const want: Set<string> | null = topics === null ? null : topics === undefined ? (this.interest === null ? null : new Set(this.interest)) : new Set(topics);
    while (this.metadataInFlight) {
      const covered = this.metadataWanted === null || (want !== null && [...want].every((t) => this.metadataWanted!.has(t)));
      const p = this.metadataInFlight;
      await p.catch(() => undefined);
      if (covered) {
        await p; // rethrow its error if it failed
        return;
      }
    }
    this.metadataWanted = want;
    const p = this.fetchMetadata(want, allowAutoCreate);
    this.metadataInFlight = p;
    try {
      await p;
    } finally {
      this.metadataInFlight = null;
    }
  }

  private async fetchMetadata(want: Set<string> | null, allowAutoCreate: boolean): Promise<void> {
    const resp = await this.sendAny<MetadataResponse>({
      apiKey: ApiKeys.Metadata,
      encode: (w, v) =>
        encodeMetadataRequest(
          w,
          {
            topics: want === null ? (v === 0 ? [] : null) : [...want].map((name) => ({ name })),
            ...(v >= 4 ? { allowAutoTopicCreation: allowAutoCreate } : {}),
          },
          v,
        ),
      decode: (r, v) => decodeMetadataResponse(r, v),
    });
    this.applyMetadata(resp, want === null);
  }

  private applyMetadata(resp: MetadataResponse, full: boolean): void {
    const brokers = new Map<number, BrokerInfo>();
    for (const b of resp.brokers) brokers.set(b.nodeId, { id: b.nodeId, host: b.host, port: b.port, rack: b.rack ?? null });
    this.brokers = brokers;
    // a connection to a broker that left the cluster or moved is closed
    for (const c of this.connections.values()) {
      const b = brokers.get(c.nodeId);
      if (!b || b.host !== c.host || b.port !== c.port) c.close();
    }
    this.clusterId = resp.clusterId ?? null;
    this.controllerId = resp.controllerId ?? -1;
    if (full) this.topics = new Map();
    for (const t of resp.topics) {
      if (t.name === null || t.name === undefined) continue;
      if (t.errorCode !== 0 && t.partitions.length === 0) {
        if (t.errorCode === 3 /* UNKNOWN_TOPIC_OR_PARTITION */) this.topics.delete(t.name);
        else this.topics.set(t.name, { name: t.name, topicId: t.topicId ?? '', isInternal: t.isInternal ?? false, errorCode: t.errorCode, partitions: [] });
        continue;
      }
      const partitions = t.partitions
        .map((p) => ({
          partition: p.partitionIndex,
          leader: p.leaderId,
          leaderEpoch: p.leaderEpoch ?? -1,
          replicas: p.replicaNodes,
          isr: p.isrNodes,
          offlineReplicas: p.offlineReplicas ?? [],
          errorCode: p.errorCode,
        }))
        .sort((a, b) => a.partition - b.partition);
      this.topics.set(t.name, { name: t.name, topicId: t.topicId ?? '', isInternal: t.isInternal ?? false, errorCode: t.errorCode, partitions });
    }
    this.lastMetadataRefresh = Date.now();
  }

  /** Metadata of `topic`, fetching (and waiting up to `timeoutMs` for it to exist) when unknown. */
  async topicMetadata(topic: string, timeoutMs: number, allowAutoCreate = true): Promise<TopicMetadata> {
    this.addInterest([topic]);
    const deadline = Date.now() + timeoutMs;
    let t = this.topics.get(topic);
    let attempt = 0;
    while (!t || t.partitions.length === 0) {
      if (this.closed) throw new ClosedError('client is closed');
      if (attempt > 0) {
        const left = deadline - Date.now();
        if (left <= 0) {
          if (t && t.errorCode !== 0) throw kafkaError(t.errorCode)!;
          throw new TimeoutError(`topic ${topic} not present in metadata after ${timeoutMs} ms`);
        }
        await sleep(Math.min(left, this.config.int('retry.backoff.ms') * Math.min(2 ** (attempt - 1), 10)));
      }
      attempt++;
      try {
        await this.refreshMetadata([...(this.interest ?? [topic])], allowAutoCreate);
      } catch (e) {
        if (Date.now() >= deadline) throw e;
      }
      t = this.topics.get(topic);
      if (t && t.errorCode !== 0 && !(ERROR_INFO[t.errorCode]?.retriable ?? false) && t.partitions.length === 0) {
        throw kafkaError(t.errorCode)!;
      }
    }
    return t;
  }

  leaderFor(topic: string, partition: number): number {
    const t = this.topics.get(topic);
    const p = t?.partitions[partition];
    return p && p.partition === partition ? p.leader : (t?.partitions.find((x) => x.partition === partition)?.leader ?? -1);
  }

  /** Coordinator node for a group (keyType 0) or transactional id (keyType 1), cached until invalidated. */
  async coordinator(key: string, keyType: 0 | 1, timeoutMs = this.config.int('default.api.timeout.ms')): Promise<number> {
    const cacheKey = `${keyType}:${key}`;
    const cached = this.coordinators.get(cacheKey);
    if (cached !== undefined && this.brokers.has(cached)) return cached;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const resp = await this.sendAny(
        {
          apiKey: ApiKeys.FindCoordinator,
          encode: (w, v) => encodeFindCoordinatorRequest(w, v >= 4 ? { keyType, coordinatorKeys: [key] } : v >= 1 ? { key, keyType } : { key }, v),
          decode: (r, v) => decodeFindCoordinatorResponse(r, v),
        },
        timeoutMs,
      );
      let code: number;
      let nodeId: number;
      let host: string;
      let port: number;
      let message: string | null | undefined;
      if (resp.coordinators && resp.coordinators.length > 0) {
        const c = resp.coordinators[0]!;
        code = c.errorCode;
        nodeId = c.nodeId;
        host = c.host;
        port = c.port;
        message = c.errorMessage;
      } else {
        code = resp.errorCode ?? 0;
        nodeId = resp.nodeId ?? -1;
        host = resp.host ?? '';
        port = resp.port ?? 0;
        message = resp.errorMessage;
      }
      if (code === 0) {
        if (!this.brokers.has(nodeId)) this.brokers.set(nodeId, { id: nodeId, host, port, rack: null });
        this.coordinators.set(cacheKey, nodeId);
        return nodeId;
      }
      const err = kafkaError(code, message)!;
      if (!err.retriable || Date.now() >= deadline) throw err;
      await sleep(this.config.int('retry.backoff.ms'));
    }
  }

  invalidateCoordinator(key: string, keyType: 0 | 1): void {
    this.coordinators.delete(`${keyType}:${key}`);
  }

  /** ApiVersions of one broker (used by the CLI's kafka-broker-api-versions). */
  async apiVersionsOf(id: number): Promise<{ apiKey: number; minVersion: number; maxVersion: number }[]> {
    const c = await this.connection(id);
    return c.brokerApiVersions;
  }

  close(): void {
    this.closed = true;
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
    this.bootstrapConn?.close();
    this.bootstrapConn = null;
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
