// Topics and partitions of this broker: the metadata cache every handler reads, and the lifecycle operations
// (create, delete, add partitions, alter configs) that change it. Each change is persisted through the
// MetadataStore before it is visible, and partition logs are opened/deleted through storage's LogManager.
import { ErrorCodes } from '../protocol/generated/error-codes.js';
import type { CompressionType } from '../protocol/compression/types.js';
import { topicCodec } from './recompress.js';
import { logConfigFromProperties, type LogConfig, type LogManager } from '../storage/index.js';
import { randomKafkaUuid, readPartitionMetadata } from '../storage/dir-files.js';
import { BROKER_CONFIGS, type BrokerConfig, validateTopicConfig } from './config/broker-config.js';
import type { ClusterMetadata, MetadataStore, TopicRecord } from './metadata/metadata-store.js';
import { Partition } from './partition.js';
import type { Logger } from './logger.js';

export const OFFSETS_TOPIC = '__consumer_offsets';
export const TRANSACTION_STATE_TOPIC = '__transaction_state';
const MAX_TOPIC_NAME_LENGTH = 249;
/** Upper bound on partitions of one topic: a bad request must not make the broker open millions of logs. */
export const MAX_PARTITIONS_PER_TOPIC = 10000;
const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

/** A Kafka error for one resource (topic, partition, config), carried to the response. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface TopicState {
  record: TopicRecord;
  partitions: Partition[];
  /** Effective log config (broker defaults + topic overrides). */
  logConfig: LogConfig;
  /** Produce-path settings storage does not use: compression.type and the timestamp bounds. */
  produce: ProduceSettings;
}

export interface ProduceSettings {
  /** compression.type: codec to store batches with, null = as the producer sent them. */
  codec: CompressionType | null;
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  /** min.insync.replicas: acks=all needs at least this many replicas in the ISR. */
  minInsyncReplicas: number;
}

export function validateTopicName(name: string): string | undefined {
  if (name.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return undefined;
}

export class TopicManager {
  private readonly topics = new Map<string, TopicState>();
  private readonly byId = new Map<string, TopicState>();
  /** Topic names being created right now (concurrent auto-create from several requests). */
  private readonly creating = new Map<string, Promise<TopicState>>();
  private meta!: ClusterMetadata;

  constructor(
    private readonly config: BrokerConfig,
    private readonly store: MetadataStore,
    private readonly logs: LogManager,
    private readonly log: Logger,
  ) {}

  get brokerId(): number {
    return this.config.brokerId();
  }

  get clusterId(): string {
    return this.meta.clusterId;
  }

  get metadata(): ClusterMetadata {
    return this.meta;
  }

  /** Loads (or initialises) the stored metadata and opens every partition's log. */
  async load(existing: ClusterMetadata | null, clusterId: string): Promise<void> {
    this.meta = existing ?? {
      version: 1,
      clusterId,
      topics: [],
      brokerConfigs: { perBroker: {}, defaults: {} },
      nextProducerIdBlock: 0,
    };
    for (const [k, v] of Object.entries(this.meta.brokerConfigs.defaults)) this.config.setDynamic(k, v, false);
    for (const [k, v] of Object.entries(this.meta.brokerConfigs.perBroker)) this.config.setDynamic(k, v, true);
    const known = new Set(this.meta.topics.map((t) => t.name));
    const stray = this.logs.allLogs().filter((l) => !known.has(l.topicPartition.topic));
    if (!existing && stray.length > 0) {
      // No metadata file but partition logs on disk (metadata lost, or data from an older layout): adopt them
      // rather than lose data; the topic id comes from partition.metadata.
      const byTopic = new Map<string, { partitions: number; topicId: string | null }>();
      for (const l of stray) {
        const e = byTopic.get(l.topicPartition.topic) ?? { partitions: 0, topicId: null };
        e.partitions = Math.max(e.partitions, l.topicPartition.partition + 1);
        e.topicId ??= await readPartitionMetadata(l.dir);
        byTopic.set(l.topicPartition.topic, e);
      }
      for (const [name, e] of byTopic) {
        this.meta.topics.push({ name, topicId: e.topicId ?? newTopicId(), numPartitions: e.partitions, configs: {}, ...(this.isInternal(name) ? { internal: true } : {}) });
        this.log.warn({ topic: name, partitions: e.partitions }, 'adopted partition logs found without cluster metadata');
      }
    } else {
      // Logs of topics the metadata does not know: a deletion interrupted by a crash. Finish it.
      for (const l of stray) {
        this.log.warn({ topic: l.topicPartition.topic, partition: l.topicPartition.partition }, 'deleting stray partition log of a deleted topic');
        await this.logs.deleteLog(l.topicPartition);
      }
    }
    for (const rec of this.meta.topics) await this.open(rec);
    if (!existing) await this.persist();
  }

  private brokerLogProps(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const d of BROKER_CONFIGS) {
      if (!d.name.startsWith('log.') && d.name !== 'message.max.bytes') continue;
      const v = this.config.raw(d.name);
      if (v !== null) out[d.name] = v;
    }
    return out;
  }

  logConfigFor(rec: TopicRecord): LogConfig {
    return logConfigFromProperties(rec.configs, this.brokerLogProps());
  }

  /** A topic config's effective raw value: the topic override, else the broker's default for it. */
  effectiveTopicValue(rec: TopicRecord, key: string): string | null {
    return rec.configs[key] ?? this.config.topicDefaultRaw(key).value;
  }

  produceSettingsFor(rec: TopicRecord): ProduceSettings {
    const num = (k: string): number => {
      const v = Number(this.effectiveTopicValue(rec, k));
      return Number.isFinite(v) && v < Number.MAX_SAFE_INTEGER ? v : Number.MAX_SAFE_INTEGER;
    };
    // Kafka: the older message.timestamp.difference.max.ms still bounds both directions when set lower.
    const diff = num('message.timestamp.difference.max.ms');
    return {
      codec: topicCodec(this.effectiveTopicValue(rec, 'compression.type')),
      timestampBeforeMaxMs: Math.min(num('message.timestamp.before.max.ms'), diff),
      timestampAfterMaxMs: Math.min(num('message.timestamp.after.max.ms'), diff),
      minInsyncReplicas: num('min.insync.replicas'),
    };
  }

  private async open(rec: TopicRecord): Promise<TopicState> {
    const logConfig = this.logConfigFor(rec);
    const partitions: Partition[] = [];
    for (let p = 0; p < rec.numPartitions; p++) {
      const log = await this.logs.getOrCreateLog({ topic: rec.name, partition: p }, { topicId: rec.topicId, config: logConfig });
      log.updateConfig(logConfig);
      const partition = new Partition(rec.name, p, log, this.brokerId);
      // Never go back to an older leader epoch than the log has seen (data copied from elsewhere, or a later
      // milestone that bumps epochs on election).
      partition.leaderEpoch = Math.max(0, log.leaderEpochCache.latestEpoch);
      // Becoming leader with ISR = {self}: everything in the log is committed (the checkpointed HW may lag after a
      // crash, since it is only written periodically).
      partition.maybeAdvanceHighWatermark();
      partitions.push(partition);
    }
    const st: TopicState = { record: rec, partitions, logConfig, produce: this.produceSettingsFor(rec) };
    this.topics.set(rec.name, st);
    this.byId.set(rec.topicId, st);
    return st;
  }

  private persist(): Promise<void> {
    this.meta.topics = [...this.topics.values()].map((t) => t.record);
    return this.store.save(this.meta);
  }

  get(name: string): TopicState | undefined {
    return this.topics.get(name);
  }

  getById(id: string): TopicState | undefined {
    return this.byId.get(id);
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.topics.get(topic)?.partitions[index];
  }

  all(): TopicState[] {
    return [...this.topics.values()];
  }

  isInternal(name: string): boolean {
    return name === OFFSETS_TOPIC || name === TRANSACTION_STATE_TOPIC;
  }

  /** Checks a CreateTopics entry; throws ApiError with Kafka's code and message. */
  validateCreate(name: string, numPartitions: number, replicationFactor: number, configs: Record<string, string>): void {
    const bad = validateTopicName(name);
    if (bad) throw new ApiError(ErrorCodes.INVALID_TOPIC_EXCEPTION, bad);
    if (this.topics.has(name) || this.creating.has(name)) throw new ApiError(ErrorCodes.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
    if (numPartitions <= 0) throw new ApiError(ErrorCodes.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
    if (numPartitions > MAX_PARTITIONS_PER_TOPIC) throw new ApiError(ErrorCodes.INVALID_PARTITIONS, `Number of partitions must be at most ${MAX_PARTITIONS_PER_TOPIC}.`);
    if (replicationFactor <= 0) throw new ApiError(ErrorCodes.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
    if (replicationFactor > 1) {
      throw new ApiError(
        ErrorCodes.INVALID_REPLICATION_FACTOR,
        `Replication factor: ${replicationFactor} larger than available brokers: 1.`,
      );
    }
    for (const [k, v] of Object.entries(configs)) {
      const err = validateTopicConfig(k, v);
      if (err) throw new ApiError(ErrorCodes.INVALID_CONFIG, err);
    }
    try {
      logConfigFromProperties(configs, this.brokerLogProps());
    } catch (e) {
      throw new ApiError(ErrorCodes.INVALID_CONFIG, (e as Error).message);
    }
  }

  async createTopic(name: string, numPartitions: number, configs: Record<string, string> = {}, internal = false): Promise<TopicState> {
    const pending = this.creating.get(name);
    if (pending) return pending;
    const p = (async () => {
      const rec: TopicRecord = { name, topicId: newTopicId(), numPartitions, configs, ...(internal ? { internal } : {}) };
      // Metadata first: a crash before the logs exist just creates them at the next start, while logs without
      // metadata would be taken for the remains of a deleted topic.
      this.meta.topics = [...[...this.topics.values()].map((t) => t.record), rec];
      await this.store.save(this.meta);
      const st = await this.open(rec);
      this.log.info({ topic: name, partitions: numPartitions, topicId: rec.topicId }, 'created topic');
      return st;
    })();
    this.creating.set(name, p);
    try {
      return await p;
    } finally {
      this.creating.delete(name);
    }
  }

  /** Metadata/auto-create path: creates with broker defaults if enabled, returns undefined when not allowed. */
  async autoCreate(name: string): Promise<TopicState | undefined> {
    const existing = this.topics.get(name);
    if (existing) return existing;
    if (this.isInternal(name) || validateTopicName(name)) return undefined;
    return this.createTopic(name, this.config.int('num.partitions'));
  }

  async deleteTopic(name: string): Promise<void> {
    const st = this.topics.get(name);
    if (!st) throw new ApiError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    this.topics.delete(name);
    this.byId.delete(st.record.topicId);
    await this.persist();
    for (const p of st.partitions) {
      p.notify(); // wake delayed fetches so they see the topic is gone
      await this.logs.deleteLog({ topic: name, partition: p.index });
    }
    this.log.info({ topic: name }, 'deleted topic');
  }

  async createPartitions(name: string, total: number, validateOnly: boolean): Promise<void> {
    const st = this.topics.get(name);
    if (!st) throw new ApiError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
    const cur = st.record.numPartitions;
    if (total < cur) {
      throw new ApiError(ErrorCodes.INVALID_PARTITIONS, `Topic currently has ${cur} partitions, which is higher than the requested ${total}.`);
    }
    if (total === cur) throw new ApiError(ErrorCodes.INVALID_PARTITIONS, `Topic already has ${cur} partitions.`);
    if (total > MAX_PARTITIONS_PER_TOPIC) throw new ApiError(ErrorCodes.INVALID_PARTITIONS, `Number of partitions must be at most ${MAX_PARTITIONS_PER_TOPIC}.`);
    if (validateOnly) return;
    for (let p = cur; p < total; p++) {
      const log = await this.logs.getOrCreateLog({ topic: name, partition: p }, { topicId: st.record.topicId, config: st.logConfig });
      st.partitions.push(new Partition(name, p, log, this.brokerId));
    }
    st.record.numPartitions = total;
    await this.persist();
  }

  /** Replaces (AlterConfigs) or edits (IncrementalAlterConfigs) a topic's overrides, after validation. */
  async setTopicConfigs(name: string, configs: Record<string, string>, validateOnly: boolean): Promise<void> {
    const st = this.topics.get(name);
    if (!st) throw new ApiError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist`);
    for (const [k, v] of Object.entries(configs)) {
      const err = validateTopicConfig(k, v);
      if (err) throw new ApiError(ErrorCodes.INVALID_CONFIG, err);
    }
    let logConfig: LogConfig;
    try {
      logConfig = logConfigFromProperties(configs, this.brokerLogProps());
    } catch (e) {
      throw new ApiError(ErrorCodes.INVALID_CONFIG, (e as Error).message);
    }
    if (validateOnly) return;
    st.record.configs = configs;
    st.logConfig = logConfig;
    st.produce = this.produceSettingsFor(st.record);
    for (const p of st.partitions) p.log.updateConfig(logConfig);
    await this.persist();
  }

  /** Broker-level dynamic config change: every topic's effective log config may change. */
  async persistBrokerConfigs(perBroker: Record<string, string>, defaults: Record<string, string>): Promise<void> {
    this.meta.brokerConfigs = { perBroker, defaults };
    for (const st of this.topics.values()) {
      st.logConfig = this.logConfigFor(st.record);
      st.produce = this.produceSettingsFor(st.record);
      for (const p of st.partitions) p.log.updateConfig(st.logConfig);
    }
    await this.persist();
  }

  /** Reserves a block of producer ids (persisted first, so ids are never handed out twice across restarts). */
  async allocateProducerIdBlock(size: number): Promise<number> {
    const start = this.meta.nextProducerIdBlock;
    this.meta.nextProducerIdBlock = start + size;
    await this.store.save(this.meta);
    return start;
  }
}

function newTopicId(): string {
  for (;;) {
    const id = randomKafkaUuid();
    if (id !== ZERO_UUID) return id;
  }
}
