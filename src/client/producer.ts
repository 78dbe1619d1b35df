// The producer: send() serializes, partitions and appends to the accumulator (synchronously when metadata is known
// and memory is free, so a send costs no promise hops beyond its own result); a sender, scheduled on the event loop,
// drains ready batches per leader into Produce requests, pipelined up to max.in.flight.requests.per.connection.
// Idempotence (default, as in Java >= 3.0): InitProducerId once, then per-partition sequence numbers assigned when a
// batch is first built; a retried batch is re-sent byte-identical (same sequence), so the broker deduplicates it and
// ordering holds across retries. Retriable errors retry with retry.backoff.ms until delivery.timeout.ms.
import { Cluster, kafkaError, sleep, type TopicMetadata } from './cluster.js';
import { ResolvedConfig, type RawConfig } from './config.js';
import { Accumulator, ProducerBatch, PartitionQueue, type Completion, type CompletionTarget, type RecordMetadata } from './accumulator.js';
import { estimateRecordSize } from './batch-builder.js';
import { decodeFetchedRecordObjects, type DecodedRecord } from './fetch-decoder.js';
import { incrementSequence } from '../protocol/records/batch-view.js';
import { createPartitioner, type Partitioner, type PartitionerFunction } from './partitioner.js';
import { resolveSerializer, type Serializer, type Header } from './serdes.js';
import { ApiKeys } from '../protocol/generated/api-keys.js';
import { ERROR_INFO } from '../protocol/generated/error-codes.js';
import { encodeProduceRequest } from '../protocol/generated/messages/produce-request.js';
import { decodeProduceResponse, type ProduceResponse } from '../protocol/generated/messages/produce-response.js';
import { encodeInitProducerIdRequest } from '../protocol/generated/messages/init-producer-id-request.js';
import { TransactionManager } from './transaction-manager.js';
import { decodeInitProducerIdResponse } from '../protocol/generated/messages/init-producer-id-response.js';
import { compress, compressionTypeFromName, CompressionType } from '../protocol/compression/index.js';
import {
  BufferExhaustedError,
  ClosedError,
  ConfigError,
  KafkaClientError,
  KafkaError,
  RecordTooLargeError,
  TimeoutError,
  UnsupportedFeatureError,
} from './errors.js';
import { groupBy, type TopicPartition } from './types.js';
import { RecordFuture } from './record-future.js';

type Target = CompletionTarget;

/** A record serialized and sized on its way into the accumulator (possibly after waiting for metadata or memory). */
interface Outgoing<K, V> {
  record: ProducerRecord<K, V>;
  keyBytes: Buffer | null;
  valueBytes: Buffer | null;
  headers: Header[] | null;
  estimate: number;
  timestamp: number;
  completion: Target;
}

function toCallback(t: Target): Completion {
  return typeof t === 'function' ? t : (err, md) => t.settle(err, md);
}

// Partitioner context per metadata snapshot (metadata refreshes create new TopicMetadata objects).
const contexts = new WeakMap<TopicMetadata, { numPartitions: number; availablePartitions: number[] }>();
function partitionerContext(meta: TopicMetadata): { numPartitions: number; availablePartitions: number[] } {
  let c = contexts.get(meta);
  if (!c) {
    c = { numPartitions: meta.partitions.length, availablePartitions: meta.partitions.filter((p) => p.leader >= 0).map((p) => p.partition) };
    contexts.set(meta, c);
  }
  return c;
}

function settle(t: Target, err: Error | null, md: RecordMetadata | null): void {
  if (typeof t === 'function') t(err, md);
  else t.settle(err, md);
}

export type { RecordMetadata } from './accumulator.js';

export type HeadersInput = Record<string, string | Buffer | null> | { key: string; value: string | Buffer | null }[];

export interface ProducerRecord<K, V> {
  topic: string;
  partition?: number | null;
  key?: K | null;
  value: V | null;
  headers?: HeadersInput;
  /** CreateTime in ms; defaults to Date.now(). */
  timestamp?: number | null;
}

export interface ProducerInterceptor<K, V> {
  onSend?(record: ProducerRecord<K, V>): ProducerRecord<K, V>;
  onAcknowledgement?(metadata: RecordMetadata | null, error: Error | null): void;
  close?(): void;
}

export interface PartitionInfo {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
}

/** Typed producer options (Kafka's dotted names are accepted too: 'linger.ms' = lingerMs). */
export interface ProducerOptions<K, V> {
  bootstrapServers?: string | string[];
  clientId?: string;
  acks?: 'all' | -1 | 0 | 1 | '-1' | '0' | '1';
  retries?: number;
  retryBackoffMs?: number;
  batchSize?: number;
  lingerMs?: number;
  bufferMemory?: number;
  maxBlockMs?: number;
  maxRequestSize?: number;
  deliveryTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxInFlightRequestsPerConnection?: number;
  enableIdempotence?: boolean;
  compressionType?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  transactionalId?: string | null;
  transactionTimeoutMs?: number;
  partitionerClass?: Partitioner | PartitionerFunction | string | null;
  partitionerIgnoreKeys?: boolean;
  keySerializer?: Serializer<K> | string;
  valueSerializer?: Serializer<V> | string;
  interceptors?: ProducerInterceptor<K, V>[];
  metadataMaxAgeMs?: number;
  reconnectBackoffMs?: number;
  reconnectBackoffMaxMs?: number;
  retryBackoffMaxMs?: number;
  [dotted: `${string}.${string}`]: unknown;
}

const RETRIABLE_WITH_METADATA = new Set([3, 5, 6, 74, 75]); // unknown topic, leader n/a, not leader, fenced/unknown leader epoch

function normalizeHeaders(h: HeadersInput | undefined): Header[] | null {
  if (!h) return null;
  const out: Header[] = [];
  const conv = (v: string | Buffer | null): Buffer | null => (v === null ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
  if (Array.isArray(h)) for (const x of h) out.push({ key: x.key, value: conv(x.value) });
  else for (const k of Object.keys(h)) out.push({ key: k, value: conv(h[k]!) });
  return out.length > 0 ? out : null;
}


export class Producer<K = Buffer | string, V = Buffer | string> {
  readonly config: ResolvedConfig;
  private readonly cluster: Cluster;
  private readonly acc: Accumulator;
  private readonly partitioner: Partitioner;
  private readonly keySer: Serializer<K>;
  private readonly valueSer: Serializer<V>;
  private readonly interceptors: ProducerInterceptor<K, V>[];
  private readonly acks: number;
  private readonly idempotent: boolean;
  private readonly compression: CompressionType;
  private readonly lingerMs: number;
  private readonly maxInFlight: number;
  private readonly maxRequestSize: number;
  private readonly deliveryTimeoutMs: number;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly maxBlockMs: number;
  private readonly requestTimeoutMs: number;
  private producerId = -1n;
  private producerEpoch = -1;
  private initPid: Promise<void> | null = null;
  private fatalError: Error | null = null;
  private runScheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private readonly inFlightPerNode = new Map<number, number>();
  private flushing = 0;
  private readonly flushWaiters: (() => void)[] = [];
  private closed = false;
  private metadataRefreshing = false;
  readonly transactionalId: string | null;
  private readonly txn: TransactionManager | null;

  constructor(options: ProducerOptions<K, V> | RawConfig) {
    this.config = new ResolvedConfig('producer', options as RawConfig);
    const c = this.config;
    this.cluster = new Cluster(c);
    const acks = c.str('acks');
    this.acks = acks === 'all' ? -1 : Number(acks);
    this.transactionalId = c.strOrNull('transactional.id');
    const explicitIdem = (options as RawConfig)['enableIdempotence'] ?? (options as RawConfig)['enable.idempotence'];
    let idem = c.bool('enable.idempotence');
    // Java: idempotence is on by default but silently off when the user picked incompatible settings without
    // asking for it; an explicit request with incompatible settings is a configuration error.
    const incompatible = this.acks !== -1 || c.int('max.in.flight.requests.per.connection') > 5 || c.int('retries') === 0;
    if (incompatible) {
      if (explicitIdem !== undefined && idem) throw new ConfigError('enable.idempotence requires acks=all, retries > 0 and max.in.flight.requests.per.connection <= 5');
      idem = false;
    }
    if (this.transactionalId && !idem) throw new ConfigError('transactional.id requires enable.idempotence');
    this.idempotent = idem;
    this.compression = compressionTypeFromName(c.str('compression.type')) ?? CompressionType.None;
    this.lingerMs = c.int('linger.ms');
    this.maxInFlight = c.int('max.in.flight.requests.per.connection');
    this.maxRequestSize = c.int('max.request.size');
    this.deliveryTimeoutMs = c.int('delivery.timeout.ms');
    this.retries = c.int('retries');
    this.retryBackoffMs = c.int('retry.backoff.ms');
    this.maxBlockMs = c.int('max.block.ms');
    this.requestTimeoutMs = c.int('request.timeout.ms');
    this.acc = new Accumulator(c.int('batch.size'), c.int('buffer.memory'), this.maxBlockMs);
    this.partitioner = createPartitioner(c.get('partitioner.class'), c.bool('partitioner.ignore.keys'));
    this.keySer = resolveSerializer<K>(c.get('key.serializer'), 'key.serializer');
    this.valueSer = resolveSerializer<V>(c.get('value.serializer'), 'value.serializer');
    const ic = (options as RawConfig)['interceptors'];
    this.interceptors = Array.isArray(ic) ? (ic as ProducerInterceptor<K, V>[]) : [];
    const transactionalId = this.transactionalId;
    this.txn =
      transactionalId === null
        ? null
        : new TransactionManager({
            cluster: this.cluster,
            transactionalId,
            maxBlockMs: this.maxBlockMs,
            retryBackoffMs: this.retryBackoffMs,
            producerIdAndEpoch: () => ({ producerId: this.producerId, producerEpoch: this.producerEpoch }),
            ensureProducerId: () => this.ensureProducerId(),
            flush: () => this.flush(),
            wakeup: () => this.wakeup(),
            failUnsent: (err, tp) => {
              for (const [topic, qs] of this.acc.queues) {
                if (tp && topic !== tp.topic) continue;
                for (const q of qs) if (q && (!tp || q.partition === tp.partition)) for (const b of q.batches.splice(0)) this.completeBatch(b, err, -1, -1);
              }
            },
          });
  }

  /** Sends a record. The promise resolves when the broker acknowledged it (per acks). */
  send(record: ProducerRecord<K, V>): Promise<RecordMetadata>;
  /** Sends a record; `callback(err, metadata)` runs on acknowledgement or failure (Java's Callback). */
  send(record: ProducerRecord<K, V>, callback: Completion): void;
  send(record: ProducerRecord<K, V>, callback?: Completion): Promise<RecordMetadata> | void {
    if (callback) {
      this.doSend(record, callback);
      return;
    }
    const future = new RecordFuture();
    this.doSend(record, future);
    return future;
  }

  private doSend(record: ProducerRecord<K, V>, completion: Completion | RecordFuture): void {
    if (this.interceptors.length > 0) {
      for (const i of this.interceptors) {
        if (i.onSend) {
          try {
            record = i.onSend(record);
          } catch {
            /* interceptor errors are ignored, as in Java */
          }
        }
      }
      const inner = toCallback(completion);
      completion = (err, md) => {
        for (const i of this.interceptors) {
          try {
            i.onAcknowledgement?.(md, err);
          } catch {
            /* ignored */
          }
        }
        inner(err, md);
      };
    }
    if (this.closed) return settle(completion, new ClosedError('Cannot send after the producer is closed.'), null);
    if (this.fatalError) return settle(completion, this.fatalError, null);
    let keyBytes: Buffer | null;
    let valueBytes: Buffer | null;
    let headers: Header[] | null;
    try {
      if (typeof record.topic !== 'string' || record.topic.length === 0) throw new ConfigError('record.topic is required');
      headers = normalizeHeaders(record.headers);
      keyBytes = record.key === undefined || record.key === null ? null : this.keySer.serialize(record.topic, record.key, headers ?? undefined);
      valueBytes = this.valueSer.serialize(record.topic, record.value, headers ?? undefined);
    } catch (e) {
      return settle(completion, e instanceof Error ? e : new Error(String(e)), null);
    }
    const estimate = estimateRecordSize(keyBytes, valueBytes, headers);
    const size = estimate + 61;
    if (size > this.maxRequestSize) {
      return settle(completion, new RecordTooLargeError(`The message is ${size} bytes when serialized which is larger than ${this.maxRequestSize}, which is the value of the max.request.size configuration.`), null);
    }
    if (size > this.acc.reservationFor(0) && size > this.config.int('buffer.memory')) {
      return settle(completion, new RecordTooLargeError(`The message is ${size} bytes when serialized which is larger than the total memory buffer you have configured with the buffer.memory configuration.`), null);
    }
    const out: Outgoing<K, V> = { record, keyBytes, valueBytes, headers, estimate, timestamp: record.timestamp ?? Date.now(), completion };
    const meta = this.cluster.topics.get(record.topic);
    if (meta && meta.partitions.length > 0) {
      this.appendKnown(out, Date.now() + this.maxBlockMs);
      return;
    }
    // slow path: wait for metadata (and then maybe memory), bounded by max.block.ms together
    void this.sendSlow(out);
  }

  private async sendSlow(out: Outgoing<K, V>): Promise<void> {
    const { record, completion } = out;
    const start = Date.now();
    // counted until appended (or failed), so flush() and close() cover sends still waiting for metadata/memory
    this.slowPending++;
    try {
      await this.cluster.topicMetadata(record.topic, this.maxBlockMs);
      if (this.closedHard) throw new ClosedError('producer closed before the record was delivered');
      this.appendKnown(out, start + this.maxBlockMs);
    } catch (e) {
      settle(completion, e instanceof Error ? e : new Error(String(e)), null);
    } finally {
      this.slowPending--;
      this.maybeFlushed();
    }
  }

  /**
   * buffer.memory is full and the record needs a new batch (or earlier records of its partition are already
   * waiting, and order must hold): wait, FIFO, until memory is free or the max.block.ms deadline passes.
   */
  private async appendAfterMemory(out: Outgoing<K, V>, partition: number, bytes: number, deadline: number): Promise<void> {
    const q = this.acc.queue(out.record.topic, partition);
    q.blocked++;
    this.slowPending++;
    try {
      const left = deadline - Date.now();
      if (left <= 0) throw new BufferExhaustedError(`Failed to allocate memory within the configured max blocking time ${this.maxBlockMs} ms.`);
      await this.acc.waitForMemory(bytes, left);
      if (this.closedHard) {
        this.acc.release(bytes);
        throw new ClosedError('producer closed before the record was delivered');
      }
      this.finishAppend(out, partition, bytes);
    } catch (e) {
      settle(out.completion, e instanceof Error ? e : new Error(String(e)), null);
    } finally {
      q.blocked--;
      this.slowPending--;
      this.maybeFlushed();
    }
  }

  private slowPending = 0;

  private maybeFlushed(): void {
    if (this.acc.incomplete === 0 && this.slowPending === 0 && this.flushWaiters.length > 0) for (const w of this.flushWaiters.splice(0)) w();
  }

  private appendKnown(out: Outgoing<K, V>, deadline: number): void {
    const { record, keyBytes, valueBytes, estimate, completion } = out;
    const meta = this.cluster.topics.get(record.topic)!;
    const n = meta.partitions.length;
    let partition: number;
    const explicit = record.partition !== undefined && record.partition !== null;
    const ctx = partitionerContext(meta);
    if (explicit) {
      partition = record.partition!;
      if (!Number.isInteger(partition) || partition < 0 || partition >= n) {
        return settle(completion, new KafkaClientError(`Invalid partition given with record: ${partition} is not in the range [0...${n}).`), null);
      }
    } else {
      try {
        partition = this.partitioner.partition(record.topic, record.key, keyBytes, record.value, valueBytes, ctx);
        // KIP-480: a sticky choice that would open a new batch switches partition first
        if (this.partitioner.onNewBatch && this.acc.wouldOpenBatch(record.topic, partition, estimate)) {
          const prev = partition;
          this.partitioner.onNewBatch(record.topic, ctx, prev);
          partition = this.partitioner.partition(record.topic, record.key, keyBytes, record.value, valueBytes, ctx);
        }
      } catch (e) {
        return settle(completion, e instanceof Error ? e : new Error(String(e)), null);
      }
      if (!Number.isInteger(partition) || partition < 0 || partition >= n) {
        return settle(completion, new KafkaClientError(`partitioner returned invalid partition ${partition} for topic ${record.topic}`), null);
      }
    }
    if (this.txn) {
      if (!this.txn.inTransaction) {
        return settle(completion, new KafkaClientError("Cannot perform a 'send' before completing a call to beginTransaction()"), null);
      }
      this.txn.notePartition(record.topic, partition);
    }
    const q = this.acc.queue(record.topic, partition);
    const opensBatch = this.acc.wouldOpenBatch(record.topic, partition, estimate);
    if (q.blocked > 0 || (opensBatch && !this.acc.hasMemoryFor(this.acc.reservationFor(estimate)))) {
      void this.appendAfterMemory(out, partition, opensBatch ? this.acc.reservationFor(estimate) : 0, deadline);
      return;
    }
    this.finishAppend(out, partition, 0);
  }

  private finishAppend(out: Outgoing<K, V>, partition: number, reserved: number): void {
    const { batch } = this.acc.append(out.record.topic, partition, out.timestamp, out.keyBytes, out.valueBytes, out.headers, out.estimate, out.completion, Date.now(), reserved);
    if (batch.closed || this.lingerMs === 0 || this.flushing > 0) this.wakeup();
    else this.scheduleAt(batch.createdMs + this.lingerMs);
  }

  private wakeup(): void {
    if (this.runScheduled) return;
    this.runScheduled = true;
    setImmediate(() => {
      this.runScheduled = false;
      this.run();
    });
  }

  private scheduleAt(at: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.run();
      },
      Math.max(0, at - Date.now()),
    );
  }

  private async ensureProducerId(): Promise<void> {
    if (!this.idempotent || this.producerId >= 0n) return;
    if (!this.initPid) {
      this.initPid = (async () => {
        const deadline = Date.now() + this.maxBlockMs;
        for (;;) {
          try {
            const target = this.transactionalId ? await this.cluster.coordinator(this.transactionalId, 1) : null;
            const spec = {
              apiKey: ApiKeys.InitProducerId,
              encode: (w: import('../protocol/primitives/writer.js').Writer, v: number) =>
                encodeInitProducerIdRequest(w, { transactionalId: this.transactionalId, transactionTimeoutMs: this.config.int('transaction.timeout.ms'), producerId: -1n, producerEpoch: -1 }, v),
              decode: (r: import('../protocol/primitives/reader.js').Reader, v: number) => decodeInitProducerIdResponse(r, v),
            };
            const resp = target === null ? await this.cluster.sendAny(spec) : await this.cluster.sendTo(target, spec);
            const err = kafkaError(resp.errorCode);
            if (err) throw err;
            this.producerId = resp.producerId ?? -1n;
            this.producerEpoch = resp.producerEpoch ?? -1;
            return;
          } catch (e) {
            if (e instanceof UnsupportedFeatureError) throw e;
            const retriable = e instanceof KafkaClientError && e.retriable;
            if (!retriable || Date.now() > deadline || this.closed) throw e;
            await sleep(this.retryBackoffMs);
          }
        }
      })();
      this.initPid.then(
        () => this.wakeup(),
        (e: unknown) => {
          this.initPid = null;
          this.fatal(e instanceof Error ? e : new Error(String(e)));
        },
      );
    }
    return this.initPid;
  }

  private fatal(err: Error): void {
    this.fatalError = err;
    for (const qs of this.acc.queues.values()) {
      for (const q of qs) {
        if (!q) continue;
        for (const b of q.batches.splice(0)) this.completeBatch(b, err, -1, -1);
      }
    }
  }

  /** The sender: drain ready batches into one Produce request per leader. */
  /**
   * An expired batch left a hole in a partition's sequence numbers; the broker would reject everything after it.
   * Like Java, start over with a new producer id: unsent batches are re-sequenced from 0 when next built.
   */
  private resetProducerIdAfterGap(): void {
    this.sequenceGap = false;
    if (!this.idempotent || this.transactionalId) return;
    this.producerId = -1n;
    this.producerEpoch = -1;
    this.initPid = null;
    for (const qs of this.acc.queues.values()) {
      for (const q of qs) {
        if (!q) continue;
        q.nextSequence = 0;
        for (const b of q.batches) {
          if (b.building) continue;
          b.built = null;
          b.baseSequence = -1;
        }
      }
    }
  }

  private sequenceGap = false;

  private run(): void {
    if (this.fatalError) return;
    if (this.sequenceGap && this.inFlightTotal() === 0) this.resetProducerIdAfterGap();
    if (this.idempotent && this.producerId < 0n) {
      void this.ensureProducerId().catch(() => undefined);
      return;
    }
    // keep draining while requests can be pipelined (each pass takes at most one batch per partition)
    for (let pass = 0; pass < this.maxInFlight; pass++) if (!this.drainOnce()) break;
  }

  /** One drain pass; returns whether any request was sent. */
  private drainOnce(): boolean {
    const now = Date.now();
    if (now - this.cluster.lastMetadataRefresh > this.config.int('metadata.max.age.ms')) this.refreshMetadataSoon(); // new partitions, moved leaders
    let nextWake = Infinity;
    let needMetadata = false;
    const byNode = new Map<number, ProducerBatch[]>();
    const nodeBytes = new Map<number, number>();
    for (const qs of this.acc.queues.values()) {
      for (const q of qs) {
        if (!q || q.batches.length === 0) continue;
        // expire batches past delivery.timeout.ms
        while (q.batches.length > 0 && now - q.batches[0]!.createdMs >= this.deliveryTimeoutMs && !q.batches[0]!.building) {
          const b = q.batches.shift()!;
          if (b.baseSequence >= 0) this.sequenceGap = true;
          this.completeBatch(b, new TimeoutError(`Expiring ${b.recordCount} record(s) for ${b.topic}-${b.partition}: ${now - b.createdMs} ms has passed since batch creation`), -1, -1);
        }
        const b = q.batches[0];
        if (!b) continue;
        const isRetry = b.attempts > 0;
        if (isRetry && q.inFlight.length > 0) continue; // resend a retried batch alone, to keep order
        if (b.retryAt > now) {
          nextWake = Math.min(nextWake, b.retryAt);
          continue;
        }
        if (b.needsMetadataAfter > 0) {
          if (this.cluster.lastMetadataRefresh < b.needsMetadataAfter) {
            needMetadata = true;
            continue;
          }
          b.needsMetadataAfter = 0;
        }
        const ready = b.closed || this.flushing > 0 || this.closed || now - b.createdMs >= this.lingerMs || q.batches.length > 1;
        if (!ready) {
          nextWake = Math.min(nextWake, b.createdMs + this.lingerMs);
          continue;
        }
        if (this.idempotent && q.inFlight.length >= this.maxInFlight) continue;
        if (this.txn && !this.txn.isAdded(q.topic, q.partition)) continue; // AddPartitionsToTxn pending
        const leader = this.cluster.leaderFor(q.topic, q.partition);
        if (leader < 0) {
          needMetadata = true;
          continue;
        }
        if ((this.inFlightPerNode.get(leader) ?? 0) >= this.maxInFlight) continue;
        if (b.building) continue;
        if (!b.built) {
          b.closed = true;
          if (this.compression !== CompressionType.None) {
            this.buildCompressed(b, q);
            continue;
          }
          this.buildBatch(b, q, undefined);
        }
        const used = nodeBytes.get(leader) ?? 0;
        if (used > 0 && used + b.built!.length > this.maxRequestSize) {
          nextWake = now;
          continue;
        }
        nodeBytes.set(leader, used + b.built!.length);
        q.batches.shift();
        let list = byNode.get(leader);
        if (!list) byNode.set(leader, (list = []));
        list.push(b);
      }
    }
    for (const [node, batches] of byNode) this.sendProduce(node, batches);
    if (needMetadata) this.refreshMetadataSoon();
    if (nextWake !== Infinity) this.scheduleAt(nextWake);
    return byNode.size > 0;
  }

  private inFlightTotal(): number {
    let n = 0;
    for (const v of this.inFlightPerNode.values()) n += v;
    return n;
  }

  private buildBatch(b: ProducerBatch, q: PartitionQueue, compressed: Buffer | undefined): void {
    if (this.idempotent && b.baseSequence < 0) {
      b.baseSequence = q.nextSequence;
      q.nextSequence = (q.nextSequence + b.recordCount) & 0x7fffffff;
    }
    b.built = b.builder.build({
      compression: compressed ? this.compression : CompressionType.None,
      compressedRecords: compressed,
      producerId: this.idempotent ? this.producerId : -1n,
      producerEpoch: this.idempotent ? this.producerEpoch : -1,
      baseSequence: this.idempotent ? b.baseSequence : -1,
      transactional: this.transactionalId !== null,
    });
  }

  private buildCompressed(b: ProducerBatch, q: PartitionQueue): void {
    b.building = true;
    compress(this.compression, b.builder.recordsSection()).then(
      (data) => {
        b.building = false;
        this.buildBatch(b, q, data);
        this.wakeup();
      },
      (e: unknown) => {
        b.building = false;
        const i = q.batches.indexOf(b);
        if (i >= 0) q.batches.splice(i, 1);
        this.completeBatch(b, e instanceof Error ? e : new Error(String(e)), -1, -1);
      },
    );
  }

  private refreshMetadataSoon(): void {
    if (this.metadataRefreshing) return;
    this.metadataRefreshing = true;
    const since = Date.now() - this.cluster.lastMetadataRefresh;
    const delay = Math.max(0, this.retryBackoffMs - since);
    setTimeout(() => {
      this.cluster
        .refreshMetadata()
        .catch(() => undefined)
        .finally(() => {
          this.metadataRefreshing = false;
          this.wakeup();
        });
    }, delay);
  }

  private sendProduce(node: number, batches: ProducerBatch[]): void {
    this.inFlightPerNode.set(node, (this.inFlightPerNode.get(node) ?? 0) + 1);
    for (const b of batches) {
      b.attempts++;
      this.acc.queue(b.topic, b.partition).inFlight.push(b);
    }
    const topics = groupBy(batches, (b) => b.topic, (b) => ({ index: b.partition, records: b.built! }));
    const request = {
      transactionalId: this.transactionalId,
      acks: this.acks,
      timeoutMs: this.requestTimeoutMs,
      topicData: [...topics].map(([name, partitionData]) => ({ name, partitionData })),
    };
    const noResponse = this.acks === 0;
    this.cluster
      .sendTo<ProduceResponse | undefined>(node, {
        apiKey: ApiKeys.Produce,
        minVersion: 3,
        encode: (w, v) => encodeProduceRequest(w, request, v),
        decode: (r, v) => decodeProduceResponse(r, v),
        noResponse,
      })
      .then(
        (resp) => {
          this.inFlightPerNode.set(node, (this.inFlightPerNode.get(node) ?? 1) - 1);
          if (noResponse || !resp) {
            for (const b of batches) this.finish(b, null, -1, -1);
          } else {
            this.handleResponse(batches, resp);
          }
          this.wakeup();
        },
        (e: unknown) => {
          this.inFlightPerNode.set(node, (this.inFlightPerNode.get(node) ?? 1) - 1);
          const err = e instanceof Error ? e : new Error(String(e));
          const retriable = err instanceof KafkaClientError && err.retriable;
          for (const b of batches) this.failOrRetry(b, err, retriable, true);
          this.wakeup();
        },
      );
  }

  private handleResponse(batches: ProducerBatch[], resp: ProduceResponse): void {
    const results = new Map<string, { errorCode: number; baseOffset: bigint; logAppendTimeMs?: bigint; errorMessage?: string | null }>();
    for (const t of resp.responses) for (const p of t.partitionResponses) results.set(`${t.name}\0${p.index}`, p);
    for (const b of batches) {
      const r = results.get(`${b.topic}\0${b.partition}`);
      if (!r) {
        this.failOrRetry(b, new KafkaClientError(`no response for ${b.topic}-${b.partition}`, true), true, false);
        continue;
      }
      const code = r.errorCode;
      if (code === 0 || code === 46 /* DUPLICATE_SEQUENCE_NUMBER: already written */) {
        const lat = r.logAppendTimeMs !== undefined ? Number(r.logAppendTimeMs) : -1;
        this.finish(b, null, Number(r.baseOffset), lat);
        continue;
      }
      const err = kafkaError(code, r.errorMessage)!;
      if (code === 10 /* MESSAGE_TOO_LARGE */ || code === 18 /* RECORD_LIST_TOO_LARGE */) {
        // like Java: a multi-record batch the broker finds too large is split in two and retried
        if (b.recordCount > 1 && !this.closedHard && Date.now() - b.createdMs < this.deliveryTimeoutMs) {
          this.splitAndRequeue(b);
          continue;
        }
        this.failOrRetry(b, new RecordTooLargeError(`${err.message} (batch of ${b.recordCount} records, ${b.built?.length} bytes)`), false, false);
        continue;
      }
      let retriable = err.retriable;
      if (this.idempotent && !this.transactionalId && (code === 45 /* OUT_OF_ORDER_SEQUENCE_NUMBER */ || code === 59) /* UNKNOWN_PRODUCER_ID */) {
        // OUT_OF_ORDER behind an earlier failed batch of the partition: resend in order. Otherwise the broker
        // lost this producer's state (e.g. records deleted, state not restored): like Java, continue under a
        // new producer id, re-sequencing what is not yet acknowledged.
        const q = this.acc.queue(b.topic, b.partition);
        const earlierPending = q.batches.some((x) => x.baseSequence >= 0 && x.baseSequence < b.baseSequence) || q.inFlight.some((x) => x !== b && x.baseSequence < b.baseSequence);
        if (code === 59 || !earlierPending) this.sequenceGap = true;
        retriable = true;
      }
      if (RETRIABLE_WITH_METADATA.has(code)) {
        // do not resend to the same (stale) leader: wait for metadata newer than this error
        b.needsMetadataAfter = Date.now();
        this.refreshMetadataSoon();
      }
      this.failOrRetry(b, err, retriable, false);
    }
  }

  private removeInFlight(b: ProducerBatch): PartitionQueue {
    const q = this.acc.queue(b.topic, b.partition);
    const i = q.inFlight.indexOf(b);
    if (i >= 0) q.inFlight.splice(i, 1);
    return q;
  }

  private failOrRetry(b: ProducerBatch, err: Error, retriable: boolean, connectionLevel: boolean): void {
    const q = this.removeInFlight(b);
    const now = Date.now();
    if (connectionLevel) this.refreshMetadataSoon();
    if (retriable && !this.closedHard && b.attempts <= this.retries && now - b.createdMs < this.deliveryTimeoutMs) {
      b.retryAt = now + Math.min(this.config.int('retry.backoff.max.ms'), this.retryBackoffMs * 2 ** Math.min(b.attempts - 1, 10));
      // re-insert in sequence order before any batch not yet sent
      let i = 0;
      while (i < q.batches.length && q.batches[i]!.baseSequence >= 0 && q.batches[i]!.baseSequence < b.baseSequence) i++;
      if (b.baseSequence < 0) i = 0;
      q.batches.splice(i, 0, b);
      return;
    }
    if (!retriable && b.attempts > 0 && err instanceof KafkaError) {
      /* surface the broker's error as is */
    }
    this.completeBatch(b, err, -1, -1);
  }

  private closedHard = false;

  /**
   * Replaces a batch by two halves holding the same records, callbacks and (when idempotent) the same sequence
   * range, so later batches of the partition stay valid; both halves are resent before anything newer.
   */
  private splitAndRequeue(b: ProducerBatch): void {
    const q = this.removeInFlight(b);
    const raw = b.builder.build({ compression: CompressionType.None, producerId: -1n, producerEpoch: -1, baseSequence: -1, transactional: false });
    const records: DecodedRecord[] = [];
    decodeFetchedRecordObjects(raw, { fetchOffset: 0, checkCrcs: false, readCommitted: false, aborted: null }, (r) => records.push(r));
    const n1 = Math.ceil(records.length / 2);
    const halves: ProducerBatch[] = [];
    let sequenceOffset = 0;
    for (const [h, part] of [records.slice(0, n1), records.slice(n1)].entries()) {
      const nb = new ProducerBatch(b.topic, b.partition, b.createdMs, h === 0 ? b.reservedBytes : 0, Math.ceil(raw.length / 2) + 256);
      for (const r of part) {
        const i = r.offset; // the decoded batch starts at offset 0: offset = index in the original batch
        nb.builder.append(b.timestamps[i]!, r.key, r.value, r.headers.length > 0 ? r.headers : null);
        nb.completions.push(b.completions[i]!);
        nb.keySizes.push(b.keySizes[i]!);
        nb.valueSizes.push(b.valueSizes[i]!);
        nb.timestamps.push(b.timestamps[i]!);
      }
      nb.closed = true;
      nb.attempts = b.attempts;
      if (b.baseSequence >= 0) nb.baseSequence = incrementSequence(b.baseSequence, sequenceOffset);
      sequenceOffset += part.length;
      halves.push(nb);
    }
    b.done = true; // its records now live in the halves
    let i = 0;
    if (b.baseSequence >= 0) while (i < q.batches.length && q.batches[i]!.baseSequence >= 0 && q.batches[i]!.baseSequence < b.baseSequence) i++;
    q.batches.splice(i, 0, ...halves);
  }

  private finish(b: ProducerBatch, err: Error | null, baseOffset: number, logAppendTime: number): void {
    this.removeInFlight(b);
    this.completeBatch(b, err, baseOffset, logAppendTime);
  }

  private metadataOf(b: ProducerBatch, i: number, baseOffset: number, logAppendTime: number): RecordMetadata {
    return {
      topic: b.topic,
      partition: b.partition,
      offset: baseOffset >= 0 ? baseOffset + i : -1,
      timestamp: logAppendTime >= 0 ? logAppendTime : b.timestamps[i]!,
      serializedKeySize: b.keySizes[i]!,
      serializedValueSize: b.valueSizes[i]!,
    };
  }

  private completeBatch(b: ProducerBatch, err: Error | null, baseOffset: number, logAppendTime: number): void {
    if (b.done) return;
    b.done = true;
    if (err && this.txn) this.txn.onBatchFailed(err);
    this.acc.release(b.reservedBytes);
    const n = b.completions.length;
    this.acc.incomplete -= n;
    for (let i = 0; i < n; i++) {
      const cb = b.completions[i]!;
      try {
        if (err) settle(cb, err, null);
        else if (cb instanceof RecordFuture) cb.settleLazy(() => this.metadataOf(b, i, baseOffset, logAppendTime));
        else
          settle(cb, null, {
            topic: b.topic,
            partition: b.partition,
            offset: baseOffset >= 0 ? baseOffset + i : -1,
            timestamp: logAppendTime >= 0 ? logAppendTime : b.timestamps[i]!,
            serializedKeySize: b.keySizes[i]!,
            serializedValueSize: b.valueSizes[i]!,
          });
      } catch {
        /* a throwing user callback must not break the sender */
      }
    }
    this.maybeFlushed();
  }

  /** Sends everything buffered now (ignoring linger.ms) and waits until all of it is acknowledged or failed. */
  async flush(): Promise<void> {
    if (this.acc.incomplete === 0 && this.slowPending === 0) return;
    this.flushing++;
    try {
      const p = new Promise<void>((resolve) => this.flushWaiters.push(resolve));
      this.wakeup();
      await p;
    } finally {
      this.flushing--;
    }
  }

  /** Metadata of a topic's partitions (waits up to max.block.ms for the topic). */
  async partitionsFor(topic: string): Promise<PartitionInfo[]> {
    const t = await this.cluster.topicMetadata(topic, this.maxBlockMs);
    return t.partitions.map((p) => ({ topic, partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr, offlineReplicas: p.offlineReplicas }));
  }

  /** Delivers what is buffered (up to `timeoutMs`), then closes all connections. */
  async close(timeoutMs = Infinity): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if ((this.acc.incomplete > 0 || this.slowPending > 0) && !this.fatalError) {
      const flushed = this.flush();
      if (timeoutMs === Infinity) await flushed;
      else {
        let t: NodeJS.Timeout | undefined;
        await Promise.race([flushed, new Promise<void>((r) => (t = setTimeout(r, timeoutMs)))]);
        if (t) clearTimeout(t);
      }
    }
    this.closedHard = true;
    this.acc.failAllWaiters(new ClosedError('producer closed before the record was delivered'));
    if (this.acc.incomplete > 0) this.fatal(new ClosedError('producer closed before the record was delivered'));
    if (this.timer) clearTimeout(this.timer);
    this.partitioner.close?.();
    for (const i of this.interceptors) i.close?.();
    this.cluster.close();
  }

  // ---- transactions: Java's KafkaProducer API, implemented by TransactionManager ----

  private requireTxn(): TransactionManager {
    if (!this.txn) throw new ConfigError('Transactional method invoked on a non-transactional producer (set transactional.id).');
    return this.txn;
  }

  /** Registers the transactional.id with its coordinator (fencing older producers with the same id). */
  initTransactions(): Promise<void> {
    return this.requireTxn().init();
  }

  beginTransaction(): Promise<void> {
    return this.requireTxn().begin();
  }

  /** Adds consumed offsets to the transaction (committed atomically with the transaction's records). */
  sendOffsetsToTransaction(
    offsets: (TopicPartition & { offset: number; metadata?: string | null })[],
    group: string | { groupId: string | null; generationId: number; memberId: string; groupInstanceId: string | null },
  ): Promise<void> {
    return this.requireTxn().sendOffsets(offsets, group);
  }

  commitTransaction(): Promise<void> {
    return this.requireTxn().commit();
  }

  abortTransaction(): Promise<void> {
    return this.requireTxn().abort();
  }

  /** Retriable classification, exposed for tests and the CLI. */
  static isRetriable(code: number): boolean {
    return ERROR_INFO[code]?.retriable ?? false;
  }
}
