// All partition logs of a broker across its log dirs: loading at startup (in parallel, lazily, with the clean
// shutdown marker deciding whether segments must be verified), creating and deleting partition logs, the per-dir
// checkpoint files, and the background work Kafka schedules (retention, flush.ms, checkpoints, the log cleaner).
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from './clock.js';
import { readOffsetCheckpoint, writeOffsetCheckpoint } from './checkpoint-files.js';
import {
  ensureMetaProperties,
  hasCleanShutdownMarker,
  readPartitionMetadata,
  removeCleanShutdownMarker,
  writeCleanShutdownMarker,
  writePartitionMetadata,
  type MetaProperties,
} from './dir-files.js';
import { FilePool } from './file-pool.js';
import {
  CLEANER_CHECKPOINT,
  LOG_START_OFFSET_CHECKPOINT,
  RECOVERY_POINT_CHECKPOINT,
  REPLICATION_CHECKPOINT,
  parsePartitionDirName,
  partitionDirName,
  tpKey,
  type TopicPartition,
} from './file-names.js';
import { makeLogConfig, isCompacted, type LogConfig } from './log-config.js';
import { PartitionLog } from './partition-log.js';
import { LogSegment } from './segment.js';
import { LogCleaner } from './cleaner.js';
import { randomKafkaUuid } from './dir-files.js';

export interface LogManagerOptions {
  logDirs: string[];
  clusterId?: string;
  nodeId?: number;
  /** Broker-wide defaults (already resolved from server.properties, e.g. with logConfigFromProperties). */
  defaultConfig?: Partial<LogConfig>;
  /** Per-topic overrides, consulted when a log is loaded or created. */
  topicConfig?: (topic: string) => Partial<LogConfig> | undefined;
  clock?: Clock;
  /** Cap on open file descriptors for segment files (LRU). */
  maxOpenFiles?: number;
  /** How many partitions load at once per dir (Kafka's num.recovery.threads.per.data.dir, higher since I/O is async). */
  loadConcurrency?: number;
  /** log.retention.check.interval.ms */
  retentionCheckIntervalMs?: number;
  /** log.flush.scheduler.interval.ms (flush.ms is checked this often) */
  flushCheckIntervalMs?: number;
  /** log.flush.offset.checkpoint.interval.ms */
  checkpointIntervalMs?: number;
  /** log.cleaner.enable */
  cleanerEnable?: boolean;
  /** log.cleaner.backoff.ms */
  cleanerBackoffMs?: number;
  /** producer.id.expiration.ms */
  producerIdExpirationMs?: number;
  /** Broker epoch written into the clean shutdown marker. */
  brokerEpoch?: number;
}

interface DirState {
  path: string;
  meta: MetaProperties | null;
}

export class LogManager {
  readonly clock: Clock;
  readonly pool: FilePool;
  readonly cleaner: LogCleaner;
  private readonly logs = new Map<string, { log: PartitionLog; dir: string }>();
  private readonly dirs: DirState[];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly pendingDeletes = new Set<NodeJS.Timeout>();
  private closed = false;
  /** Partitions whose log dir had no clean-shutdown marker at startup. */
  uncleanDirs: string[] = [];

  private constructor(readonly opts: LogManagerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.pool = new FilePool(opts.maxOpenFiles ?? 1024);
    this.dirs = opts.logDirs.map((path) => ({ path, meta: null }));
    this.cleaner = new LogCleaner(this.clock);
  }

  /** Opens every log dir and every partition log in them. */
  static async open(opts: LogManagerOptions): Promise<LogManager> {
    if (opts.logDirs.length === 0) throw new Error('LogManager needs at least one log dir');
    const m = new LogManager(opts);
    for (const d of m.dirs) await m.loadDir(d);
    return m;
  }

  configFor(topic: string): LogConfig {
    return makeLogConfig({ ...(this.opts.defaultConfig ?? {}), ...(this.opts.topicConfig?.(topic) ?? {}) });
  }

  private scheduleDelete = (paths: string[], delayMs: number): void => {
    const t = setTimeout(() => {
      this.pendingDeletes.delete(t);
      void LogSegment.unlinkAll(paths);
    }, delayMs);
    t.unref();
    this.pendingDeletes.add(t);
  };

  private async loadDir(d: DirState): Promise<void> {
    await mkdir(d.path, { recursive: true });
    d.meta = await ensureMetaProperties(d.path, this.opts.clusterId ?? 'gregor-cluster', this.opts.nodeId ?? 1);
    const clean = await hasCleanShutdownMarker(d.path);
    if (!clean) this.uncleanDirs.push(d.path);
    const recovery = await readOffsetCheckpoint(join(d.path, RECOVERY_POINT_CHECKPOINT)).catch(() => new Map<string, number>());
    const starts = await readOffsetCheckpoint(join(d.path, LOG_START_OFFSET_CHECKPOINT)).catch(() => new Map<string, number>());
    const hws = await readOffsetCheckpoint(join(d.path, REPLICATION_CHECKPOINT)).catch(() => new Map<string, number>());
    const cleaner = await readOffsetCheckpoint(join(d.path, CLEANER_CHECKPOINT)).catch(() => new Map<string, number>());
    const names = await readdir(d.path);
    const parts: { name: string; tp: TopicPartition }[] = [];
    for (const name of names) {
      if (name.endsWith('-delete')) {
        await rm(join(d.path, name), { recursive: true, force: true });
        continue;
      }
      const tp = parsePartitionDirName(name);
      if (!tp) continue;
      const st = await stat(join(d.path, name)).catch(() => null);
      if (st?.isDirectory()) parts.push({ name, tp });
    }
    const concurrency = this.opts.loadConcurrency ?? 64;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < parts.length) {
        const { name, tp } = parts[next++]!;
        const key = tpKey(tp);
        const log = await PartitionLog.open({
          dir: join(d.path, name),
          topicPartition: tp,
          config: this.configFor(tp.topic),
          clock: this.clock,
          pool: this.pool,
          recoveryPoint: clean ? recovery.get(key) : (recovery.get(key) ?? 0),
          logStartOffset: starts.get(key),
          highWatermark: hws.get(key),
          hadCleanShutdown: clean && recovery.has(key),
          scheduleDelete: this.scheduleDelete,
          producerIdExpirationMs: this.opts.producerIdExpirationMs,
        });
        const cp = cleaner.get(key);
        if (cp !== undefined) this.cleaner.setFirstDirtyOffset(log, cp);
        this.logs.set(key, { log, dir: d.path });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, parts.length) }, worker));
    // From now on a crash must be treated as unclean.
    await removeCleanShutdownMarker(d.path);
  }

  getLog(tp: TopicPartition): PartitionLog | undefined {
    return this.logs.get(tpKey(tp))?.log;
  }

  allLogs(): PartitionLog[] {
    return [...this.logs.values()].map((e) => e.log);
  }

  /** The log of a partition, created (in the least loaded log dir) if it does not exist. */
  async getOrCreateLog(tp: TopicPartition, opts: { topicId?: string; config?: Partial<LogConfig> } = {}): Promise<PartitionLog> {
    const existing = this.getLog(tp);
    if (existing) return existing;
    if (this.closed) throw new Error('LogManager is closed');
    const counts = new Map(this.dirs.map((d) => [d.path, 0]));
    for (const e of this.logs.values()) counts.set(e.dir, (counts.get(e.dir) ?? 0) + 1);
    const dir = [...counts.entries()].sort((a, b) => a[1] - b[1])[0]![0];
    const partDir = join(dir, partitionDirName(tp));
    const log = await PartitionLog.open({
      dir: partDir,
      topicPartition: tp,
      config: { ...this.configFor(tp.topic), ...(opts.config ?? {}) },
      clock: this.clock,
      pool: this.pool,
      hadCleanShutdown: true,
      scheduleDelete: this.scheduleDelete,
      producerIdExpirationMs: this.opts.producerIdExpirationMs,
    });
    // Another caller may have created it meanwhile.
    const raced = this.getLog(tp);
    if (raced) return raced;
    if ((await readPartitionMetadata(partDir)) === null) await writePartitionMetadata(partDir, opts.topicId ?? randomKafkaUuid());
    this.logs.set(tpKey(tp), { log, dir });
    return log;
  }

  /** Deletes a partition's log (topic deletion): the directory is renamed `*-delete` and removed. */
  async deleteLog(tp: TopicPartition): Promise<void> {
    const e = this.logs.get(tpKey(tp));
    if (!e) return;
    this.logs.delete(tpKey(tp));
    await e.log.drain();
    const renamed = `${e.log.dir}.${randomKafkaUuid().replace(/[^a-zA-Z0-9]/g, '')}-delete`;
    await rename(e.log.dir, renamed);
    await e.log.delete().catch(() => undefined);
    await rm(renamed, { recursive: true, force: true });
    await this.checkpointDir(e.dir);
  }

  // ----------------------------------------------------------------- background work

  /** Starts Kafka's periodic tasks (all timers unref'd). */
  startBackgroundTasks(): void {
    const every = (ms: number, fn: () => Promise<unknown>): void => {
      let running = false;
      const t = setInterval(() => {
        if (running || this.closed) return;
        running = true;
        fn()
          .catch(() => undefined)
          .finally(() => {
            running = false;
          });
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(this.opts.retentionCheckIntervalMs ?? 300000, () => this.runRetention());
    every(this.opts.flushCheckIntervalMs ?? 1000, () => this.flushDirtyLogs());
    every(this.opts.checkpointIntervalMs ?? 60000, () => this.checkpointAll());
    if (this.opts.cleanerEnable !== false) every(this.opts.cleanerBackoffMs ?? 15000, () => this.runCleaner());
  }

  /** One retention pass over every log (plus producer id expiration). Returns segments deleted. */
  async runRetention(): Promise<number> {
    let n = 0;
    for (const log of this.allLogs()) {
      if (log.isClosed) continue;
      n += await log.deleteOldSegments();
      log.producerState.removeExpired(this.clock.now(), log.producerIdExpirationMs);
    }
    if (n > 0) await this.checkpointAll();
    return n;
  }

  /** flush.ms: flushes logs whose last flush is too old. */
  async flushDirtyLogs(): Promise<void> {
    for (const log of this.allLogs()) if (!log.isClosed) await log.maybeFlushByTime();
  }

  /** One cleaner pass: compacts the dirtiest compacted log above min.cleanable.dirty.ratio (if any). */
  async runCleaner(): Promise<boolean> {
    const compacted = this.allLogs().filter((l) => !l.isClosed && isCompacted(l.config));
    const cleaned = await this.cleaner.cleanDirtiest(compacted);
    if (cleaned) await this.checkpointAll();
    return cleaned;
  }

  private async checkpointDir(dir: string): Promise<void> {
    const entries = [...this.logs.values()].filter((e) => e.dir === dir).map((e) => e.log);
    await writeOffsetCheckpoint(join(dir, RECOVERY_POINT_CHECKPOINT), entries.map((l) => [l.topicPartition, l.recoveryPoint]));
    await writeOffsetCheckpoint(join(dir, REPLICATION_CHECKPOINT), entries.map((l) => [l.topicPartition, l.highWatermark]));
    await writeOffsetCheckpoint(
      join(dir, LOG_START_OFFSET_CHECKPOINT),
      entries.filter((l) => l.logStartOffset > 0).map((l) => [l.topicPartition, l.logStartOffset]),
    );
    const cleanerEntries: [TopicPartition, number][] = [];
    for (const l of entries) {
      const o = this.cleaner.firstDirtyOffset(l);
      if (o !== undefined) cleanerEntries.push([l.topicPartition, o]);
    }
    await writeOffsetCheckpoint(join(dir, CLEANER_CHECKPOINT), cleanerEntries);
  }

  /** Writes every dir's checkpoint files. */
  async checkpointAll(): Promise<void> {
    for (const d of this.dirs) await this.checkpointDir(d.path);
  }

  /** Clean shutdown: close every log, write checkpoints, then the clean-shutdown marker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.cleaner.stop();
    const logs = this.allLogs();
    let i = 0;
    await Promise.all(
      Array.from({ length: Math.min(32, logs.length) }, async () => {
        while (i < logs.length) await logs[i++]!.close();
      }),
    );
    await this.checkpointAll();
    for (const d of this.dirs) await writeCleanShutdownMarker(d.path, this.opts.brokerEpoch ?? -1);
  }
}
