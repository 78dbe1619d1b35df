// One partition's log: an ordered list of segments in `<dir>` (= `<log dir>/<topic>-<partition>`), the log end
// offset, log start offset, recovery point and high watermark, producer state and leader epoch history.
//
// Hot path. `append` is synchronous up to the point of writing: it splits the buffer into batches, stamps base
// offsets and the leader epoch in place (neither is covered by the CRC; LogAppendTime rewrites maxTimestamp and
// recomputes the CRC), updates producer state, and queues the bytes. A single writer per log drains the queue:
// everything queued while the previous write (or fsync) was in flight goes out in one writev, and with
// fsync-before-ack one fdatasync covers the whole group (group commit). The log end offset only moves after the
// bytes are written, so readers never see a batch that is not in the file.
import { mkdir, readdir, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { RecordBatchView, iterateBatches } from '../protocol/records/batch-view.js';
import { MAGIC_V2 } from '../protocol/records/types.js';
import * as H from '../protocol/records/batch-header.js';
import { AsyncLock } from './async-lock.js';
import { systemClock, type Clock } from './clock.js';
import { LogClosedError, OffsetOutOfRangeError, StorageError, StorageErrorCodes } from './errors.js';
import { FilePool } from './file-pool.js';
import {
  CLEANED_SUFFIX,
  DELETED_SUFFIX,
  INDEX_SUFFIX,
  LOG_SUFFIX,
  SWAP_SUFFIX,
  TIME_INDEX_SUFFIX,
  TXN_INDEX_SUFFIX,
  offsetFileName,
  parseOffsetFileName,
  type TopicPartition,
} from './file-names.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { isDeleteRetention, makeLogConfig, type LogConfig } from './log-config.js';
import { ProducerStateManager } from './producer-state.js';
import { LogSegment, type BatchPosition, type SegmentOptions } from './segment.js';
import { findOffsetByTimestampInBatch } from './timestamp-lookup.js';
import { TxnIndex } from './txn-index.js';

/** ListOffsets special timestamps. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
export const MAX_TIMESTAMP = -3;

export interface AppendOptions {
  /** Stamped into every batch's partitionLeaderEpoch (leader appends); recorded in the leader epoch cache. */
  leaderEpoch?: number;
  /**
   * true (default): the leader assigns offsets from the log end offset. false: the batches already carry offsets
   * (a follower copying the leader, or a restore), which must start at or after the log end offset.
   */
  assignOffsets?: boolean;
}

export interface AppendInfo {
  firstOffset: number;
  lastOffset: number;
  /** The LogAppendTime stamped into the batches, or -1 for CreateTime topics. */
  logAppendTime: number;
  logStartOffset: number;
  maxTimestamp: number;
  offsetOfMaxTimestamp: number;
  recordCount: number;
  batchCount: number;
  validBytes: number;
}

export interface LogReadResult {
  /** Whole record batches, as stored (possibly empty). */
  data: Buffer;
  /** Base offset of the first returned batch (it may start before the requested offset), or the request offset. */
  firstOffset: number;
  /** Offset after the last returned batch (where the next read continues), or the request offset if empty. */
  nextOffset: number;
  logStartOffset: number;
  logEndOffset: number;
  highWatermark: number;
}

export interface TimestampAndOffset {
  timestamp: number;
  offset: number;
  leaderEpoch: number;
}

export interface PartitionLogOptions {
  dir: string;
  topicPartition: TopicPartition;
  config?: Partial<LogConfig> | LogConfig;
  clock?: Clock;
  pool?: FilePool;
  /** From recovery-point-offset-checkpoint; segments from here on are verified after an unclean shutdown. */
  recoveryPoint?: number;
  logStartOffset?: number;
  highWatermark?: number;
  /** The log dir had a clean-shutdown marker: skip recovery and load lazily. */
  hadCleanShutdown?: boolean;
  /** How `.deleted` files are removed later (the LogManager tracks them); default: a timer per deletion. */
  scheduleDelete?: (paths: string[], delayMs: number) => void;
  /** producer.id.expiration.ms */
  producerIdExpirationMs?: number;
}

interface PendingAppend {
  buffer: Buffer;
  batches: BatchPosition[];
  records: number;
  info: AppendInfo;
  resolve: (info: AppendInfo) => void;
  reject: (e: unknown) => void;
}

/** Statistics of an open, handy for tests, dump tools and benchmarks. */
export interface LogOpenStats {
  recoveredSegments: number;
  truncatedBytes: number;
  rebuiltProducerStateFrom: number | null;
}

export class PartitionLog {
  readonly dir: string;
  readonly topicPartition: TopicPartition;
  config: LogConfig;
  readonly clock: Clock;
  readonly pool: FilePool;
  readonly producerState: ProducerStateManager;
  readonly leaderEpochCache: LeaderEpochCache;
  /** Aborted transactions (`.txnindex`). */
  readonly txnIndex: TxnIndex;
  /** Structural changes (retention, cleaner swaps, truncation) take this lock. */
  readonly maintenanceLock = new AsyncLock();
  readonly openStats: LogOpenStats = { recoveredSegments: 0, truncatedBytes: 0, rebuiltProducerStateFrom: null };

  segments: LogSegment[] = [];
  /** Next offset `append` hands out (runs ahead of logEndOffset while writes are in flight). */
  private nextOffsetToAssign = 0;
  private leo = 0;
  private hw = 0;
  private lso = 0;
  recoveryPoint = 0;
  private unflushedMessages = 0;
  lastFlushMs: number;

  private pending: PendingAppend[] = [];
  /** Set while truncateTo / truncateFullyAndStartAt rewinds the log (appends are refused meanwhile). */
  private truncating = false;
  private writer: Promise<void> | null = null;
  private failure: Error | null = null;
  private closed = false;
  private readonly scheduleDelete: (paths: string[], delayMs: number) => void;
  readonly producerIdExpirationMs: number;

  private constructor(opts: PartitionLogOptions) {
    this.dir = opts.dir;
    this.topicPartition = opts.topicPartition;
    this.config = makeLogConfig(opts.config ?? {});
    this.clock = opts.clock ?? systemClock;
    this.pool = opts.pool ?? new FilePool();
    this.producerState = new ProducerStateManager(this.dir);
    this.leaderEpochCache = new LeaderEpochCache(this.dir);
    this.txnIndex = new TxnIndex(this.dir);
    this.lastFlushMs = this.clock.now();
    this.scheduleDelete = opts.scheduleDelete ?? defaultScheduleDelete;
    this.producerIdExpirationMs = opts.producerIdExpirationMs ?? 86400000;
  }

  // ================================================================= open / recovery

  static async open(opts: PartitionLogOptions): Promise<PartitionLog> {
    const log = new PartitionLog(opts);
    await mkdir(log.dir, { recursive: true });
    await log.load(opts);
    return log;
  }

  private segmentOptions(): SegmentOptions {
    const jitter = this.config.segmentJitterMs;
    return {
      indexIntervalBytes: this.config.indexIntervalBytes,
      maxIndexBytes: this.config.segmentIndexBytes,
      rollJitterMs: jitter > 0 ? Math.floor(Math.random() * Math.min(jitter, this.config.segmentMs)) : 0,
    };
  }

  private async load(opts: PartitionLogOptions): Promise<void> {
    const names = await readdir(this.dir);
    const bases = new Set<number>();
    // Finish or undo file operations a crash interrupted (Kafka's LogLoader does the same):
    // `.cleaned` are half-built cleaner output, `.swap` are completed cleaner output not yet renamed,
    // `.deleted` are segments already removed from the log, `.tmp` are half-written checkpoints.
    let changed = false;
    for (const n of names) {
      const p = join(this.dir, n);
      if (n.endsWith(CLEANED_SUFFIX) || n.endsWith(DELETED_SUFFIX) || n.endsWith('.tmp')) {
        await unlink(p).catch(() => undefined);
        changed = true;
      }
    }
    for (const n of names) {
      if (!n.endsWith(SWAP_SUFFIX)) continue;
      const finalName = n.slice(0, -SWAP_SUFFIX.length);
      const base = parseOffsetFileName(finalName, LOG_SUFFIX);
      if (base !== null) {
        // The indexes beside it describe the replaced file: drop them, they are rebuilt from the new one.
        for (const suf of [INDEX_SUFFIX, TIME_INDEX_SUFFIX]) await unlink(join(this.dir, offsetFileName(base, suf))).catch(() => undefined);
      }
      await rename(join(this.dir, n), join(this.dir, finalName));
      changed = true;
    }
    const current = changed ? await readdir(this.dir) : names;
    this.producerState.primeSnapshotList(current);
    await this.txnIndex.load(current);
    for (const n of current) {
      const b = parseOffsetFileName(n, LOG_SUFFIX);
      if (b !== null) bases.add(b);
    }
    // Index files without a .log belong to nothing.
    for (const n of current) {
      for (const suf of [INDEX_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX]) {
        const b = parseOffsetFileName(n, suf);
        if (b !== null && !bases.has(b)) await unlink(join(this.dir, n)).catch(() => undefined);
      }
    }
    const sorted = [...bases].sort((a, b) => a - b);
    const sopts = this.segmentOptions();
    this.segments = await Promise.all(sorted.map((b) => LogSegment.openExisting(this.dir, b, this.pool, sopts)));

    const checkpointStart = opts.logStartOffset ?? 0;
    if (this.segments.length === 0) {
      this.segments.push(await LogSegment.create(this.dir, checkpointStart, this.pool, sopts, this.clock.now()));
    }

    const recoveryPoint = opts.recoveryPoint ?? 0;
    if (!opts.hadCleanShutdown) await this.recover(recoveryPoint);
    const active = this.activeSegment;
    await active.ensureLoaded(true);
    if (active.tail === null) active.tail = [];
    this.leo = active.nextOffset;
    this.nextOffsetToAssign = this.leo;
    // After a clean shutdown everything was flushed; after recovery the verified segments were synced.
    this.recoveryPoint = this.leo;
    this.lso = Math.min(Math.max(checkpointStart, this.segments[0]!.baseOffset), this.leo);
    this.hw = Math.min(Math.max(opts.highWatermark ?? 0, this.lso), this.leo);

    await this.leaderEpochCache.load();
    // Epochs seen in recovered batches: a crash may have come after a batch of a new epoch was written but
    // before the checkpoint was (assign ignores epochs the cache already knows).
    for (const e of this.recoveredEpochs) this.leaderEpochCache.assign(e.epoch, e.startOffset);
    this.recoveredEpochs = [];
    this.leaderEpochCache.truncateFromEnd(this.leo);
    this.leaderEpochCache.truncateFromStart(this.lso);
    await this.leaderEpochCache.persist();

    await this.rebuildProducerState();
  }

  private recoveredEpochs: { epoch: number; startOffset: number }[] = [];

  /** Verifies every segment that may hold offsets >= recoveryPoint; truncates at the first invalid byte. */
  private async recover(recoveryPoint: number): Promise<void> {
    let first = this.segmentIndexFor(recoveryPoint);
    if (first < 0) first = 0;
    let lastEpoch = -1;
    for (let i = first; i < this.segments.length; i++) {
      const seg = this.segments[i]!;
      const r = await seg.rebuildIndexes(true, (view) => {
        const e = view.partitionLeaderEpoch;
        if (e > lastEpoch) {
          lastEpoch = e;
          this.recoveredEpochs.push({ epoch: e, startOffset: view.baseOffset });
        }
      });
      this.openStats.recoveredSegments++;
      this.openStats.truncatedBytes += r.truncatedBytes;
      if (r.truncatedBytes > 0 || (i + 1 < this.segments.length && r.nextOffset > this.segments[i + 1]!.baseOffset)) {
        // Everything after the first invalid byte is unreliable: drop later segments (Kafka does the same).
        const doomed = this.segments.splice(i + 1);
        for (const d of doomed) {
          this.openStats.truncatedBytes += d.size;
          await LogSegment.unlinkAll(await d.renameToDeleted(DELETED_SUFFIX));
        }
        break;
      }
      if (i < this.segments.length - 1) seg.tail = null;
    }
    // A recovered segment may have lost its only batches; keep at least the active segment.
    await this.pool.use(this.activeSegment.file, (fh) => fh.datasync());
  }

  /** Loads the newest producer snapshot <= LEO and replays batches after it. */
  private async rebuildProducerState(): Promise<void> {
    await this.producerState.deleteSnapshotsAfter(this.leo);
    const from = await this.producerState.loadLatestSnapshot(this.leo, this.lso);
    const start = from === null ? this.lso : Math.max(from, this.lso);
    if (start < this.leo) {
      this.openStats.rebuiltProducerStateFrom = start;
      await this.forEachBatch(start, this.leo, (v) => {
        const aborted = this.producerState.update(v);
        if (aborted) this.txnIndex.add(aborted);
      });
    }
    this.txnIndex.truncateFrom(this.leo);
    await this.txnIndex.persist(this.segmentBases());
    this.producerState.mapEndOffset = this.leo;
  }

  // ================================================================= accessors

  get activeSegment(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }
  /** LEO: offset after the last batch written to the file. */
  get logEndOffset(): number {
    return this.leo;
  }
  get logStartOffset(): number {
    return this.lso;
  }
  get highWatermark(): number {
    return this.hw;
  }
  /** Set by the partition layer (ISR acknowledgement); clamped to [logStartOffset, logEndOffset]. */
  set highWatermark(v: number) {
    this.hw = Math.min(Math.max(v, this.lso), this.leo);
  }
  /** Bytes in all segments. */
  get size(): number {
    return this.segments.reduce((n, s) => n + s.size, 0);
  }
  get isClosed(): boolean {
    return this.closed;
  }
  /** Offset of the first open transaction's first batch or the high watermark: what read_committed consumers see. */
  get lastStableOffset(): number {
    const u = this.producerState.firstUnstableOffset();
    return u === null ? this.hw : Math.min(u, this.hw);
  }

  segmentBases(): number[] {
    return this.segments.map((s) => s.baseOffset);
  }

  /** Aborted transactions overlapping [startOffset, upperBoundOffset), for read_committed fetch responses. */
  collectAbortedTransactions(startOffset: number, upperBoundOffset: number): { producerId: number; firstOffset: number }[] {
    return this.txnIndex.collect(startOffset, upperBoundOffset);
  }

  /** Index in `segments` of the segment whose range contains `offset` (the last with baseOffset <= offset), or -1. */
  segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  // ================================================================= append

  /**
   * Appends already validated magic-v2 batches. The promise resolves once the bytes are written (and fsynced when
   * fsync-before-ack or flush.messages requires it). The buffer is modified in place and must not be reused.
   */
  append(batches: Buffer, opts: AppendOptions = {}): Promise<AppendInfo> {
    if (this.closed) return Promise.reject(new LogClosedError('append'));
    if (this.failure) return Promise.reject(new StorageError(`log ${this.dir} is offline: ${this.failure.message}`));
    if (this.truncating) {
      // Offsets are being rewound (a follower truncating): Kafka never appends then; refuse with a retriable error.
      return Promise.reject(new StorageError(`log ${this.dir} is being truncated`, StorageErrorCodes.NOT_LEADER_OR_FOLLOWER));
    }
    const assign = opts.assignOffsets !== false;
    const now = this.clock.now();
    const logAppendTime = this.config.messageTimestampType === 'LogAppendTime' && assign ? now : -1;
    const views: RecordBatchView[] = [];
    try {
      for (const v of iterateBatches(batches)) {
        if (v.magic !== MAGIC_V2) {
          throw new StorageError('only magic v2 record batches can be appended', 43 /* UNSUPPORTED_FOR_MESSAGE_FORMAT */);
        }
        if (v.sizeInBytes > this.config.maxMessageBytes) {
          throw new StorageError(
            `batch of ${v.sizeInBytes} bytes exceeds max.message.bytes ${this.config.maxMessageBytes}`,
            StorageErrorCodes.MESSAGE_TOO_LARGE,
          );
        }
        if (v.lastOffsetDelta < 0 || v.recordCount < 0) {
          throw new StorageError(`batch with lastOffsetDelta ${v.lastOffsetDelta}`, StorageErrorCodes.INVALID_RECORD);
        }
        views.push(v);
      }
    } catch (e) {
      if (e instanceof StorageError) return Promise.reject(e);
      return Promise.reject(new StorageError(`invalid records: ${(e as Error).message}`, StorageErrorCodes.CORRUPT_MESSAGE));
    }
    if (views.length === 0) {
      return Promise.reject(new StorageError('no record batches to append', StorageErrorCodes.INVALID_RECORD));
    }
    if (!assign && views[0]!.baseOffset < this.nextOffsetToAssign) {
      return Promise.reject(
        new StorageError(
          `batch offset ${views[0]!.baseOffset} is below the log end offset ${this.nextOffsetToAssign}`,
          StorageErrorCodes.INVALID_RECORD,
        ),
      );
    }

    const positions: BatchPosition[] = [];
    let next = this.nextOffsetToAssign;
    let maxTimestamp = -1;
    let offsetOfMaxTimestamp = -1;
    let records = 0;
    for (const v of views) {
      if (assign) {
        v.setBaseOffset(next);
        if (opts.leaderEpoch !== undefined) v.setPartitionLeaderEpoch(opts.leaderEpoch);
        if (logAppendTime >= 0) v.setLogAppendTime(logAppendTime);
      } else if (v.baseOffset < next) {
        return Promise.reject(new StorageError(`out of order offsets in appended batches`, StorageErrorCodes.INVALID_RECORD));
      }
      const last = v.lastOffset;
      next = last + 1;
      const ts = v.maxTimestamp;
      if (ts > maxTimestamp) {
        maxTimestamp = ts;
        offsetOfMaxTimestamp = last;
      }
      records += v.recordCount;
      // position is filled in by the writer
      positions.push({ baseOffset: v.baseOffset, lastOffset: last, position: -1, size: v.sizeInBytes, maxTimestamp: ts });
    }
    // Producer state and epochs follow the assignment order, so the broker's next sequence check (same tick or
    // later) already sees this batch, as in Kafka where both happen under the log lock.
    for (const v of views) {
      const aborted = this.producerState.update(v);
      if (aborted) this.txnIndex.add(aborted);
      this.leaderEpochCache.assign(v.partitionLeaderEpoch, v.baseOffset);
    }
    const firstOffset = views[0]!.baseOffset;
    this.nextOffsetToAssign = next;
    const info: AppendInfo = {
      firstOffset,
      lastOffset: next - 1,
      logAppendTime,
      logStartOffset: this.lso,
      maxTimestamp,
      offsetOfMaxTimestamp,
      recordCount: records,
      batchCount: views.length,
      validBytes: batches.length,
    };
    return new Promise<AppendInfo>((resolve, reject) => {
      this.pending.push({ buffer: batches, batches: positions, records, info, resolve, reject });
      if (!this.writer) this.writer = this.runWriter();
    });
  }

  /** The single writer: drains the queue in groups (see the file comment). */
  private async runWriter(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group = this.pending;
        this.pending = [];
        try {
          await this.writeGroup(group);
        } catch (e) {
          this.failure = e instanceof Error ? e : new Error(String(e));
          const err = new StorageError(`append to ${this.dir} failed: ${this.failure.message}`);
          for (const p of group) p.reject(err);
          for (const p of this.pending.splice(0)) p.reject(err);
        }
      }
    } finally {
      this.writer = null;
    }
  }

  private async writeGroup(group: PendingAppend[]): Promise<void> {
    let i = 0;
    let messages = 0;
    while (i < group.length) {
      const seg = this.needsRoll(group[i]!) ? await this.roll(group[i]!.info.firstOffset) : this.activeSegment;
      // Take as many queued appends as fit in this segment.
      const start = seg.size;
      let pos = start;
      const bufs: Buffer[] = [];
      let j = i;
      while (j < group.length) {
        const p = group[j]!;
        if (j > i && (pos + p.buffer.length > this.config.segmentBytes || this.shouldRollForOffsets(seg, p))) break;
        for (const b of p.batches) {
          b.position = pos;
          pos += b.size;
        }
        bufs.push(p.buffer);
        j++;
      }
      seg.size = pos;
      await seg.writeAt(bufs, start);
      seg.durableSize = pos;
      for (let k = i; k < j; k++) {
        const p = group[k]!;
        for (const b of p.batches) seg.onBatchAppended(b);
        messages += p.records;
        this.leo = p.info.lastOffset + 1;
      }
      i = j;
    }
    this.unflushedMessages += messages;
    if (this.config.fsyncBeforeAck || this.unflushedMessages >= this.config.flushMessages) {
      await this.flushActive();
    }
    if (this.leaderEpochCache.isDirty) await this.leaderEpochCache.persist();
    for (const p of group) {
      p.info.logStartOffset = this.lso;
      p.resolve(p.info);
    }
  }

  private shouldRollForOffsets(seg: LogSegment, p: PendingAppend): boolean {
    return p.info.lastOffset - seg.baseOffset > 0x7fffffff;
  }

  /** Kafka's maybeRoll: a new active segment when this append would not fit, the segment is old, or an index is full. */
  private needsRoll(p: PendingAppend): boolean {
    const seg = this.activeSegment;
    const now = this.clock.now();
    const msgSize = p.buffer.length;
    const first = seg.firstBatchTimestamp;
    const timeWaited = first !== null && first >= 0 && p.info.maxTimestamp >= 0 ? p.info.maxTimestamp - first : now - seg.createdMs;
    const byTime = seg.size > 0 && timeWaited > this.config.segmentMs - seg.opts.rollJitterMs;
    const bySize = seg.size > 0 && seg.size > this.config.segmentBytes - msgSize;
    return bySize || byTime || seg.indexIsFull || (seg.size > 0 && this.shouldRollForOffsets(seg, p));
  }

  /** Makes a new active segment at `baseOffset` (the next offset to be written). */
  private async roll(baseOffset: number): Promise<LogSegment> {
    const old = this.activeSegment;
    if (old.size === 0 && old.baseOffset === baseOffset) return old;
    await old.onRolled();
    const seg = await LogSegment.create(this.dir, baseOffset, this.pool, this.segmentOptions(), this.clock.now());
    this.segments.push(seg);
    // The old segment is fsynced: everything before the new base offset is durable.
    this.recoveryPoint = Math.max(this.recoveryPoint, baseOffset);
    this.producerState.mapEndOffset = Math.max(this.producerState.mapEndOffset, baseOffset);
    await this.producerState.takeSnapshotAt(baseOffset);
    await this.txnIndex.persist(this.segmentBases());
    await this.producerState.deleteSnapshotsBefore(this.segments[0]!.baseOffset);
    return seg;
  }

  /** Forces a roll (for tests and admin tools); no-op on an empty active segment. */
  async forceRoll(): Promise<void> {
    await this.drain();
    if (this.activeSegment.size > 0) await this.roll(this.leo);
  }

  /** Waits for queued appends to be written. */
  async drain(): Promise<void> {
    while (this.writer) await this.writer;
  }

  // ================================================================= flush

  private async flushActive(): Promise<void> {
    const upTo = this.leo;
    // Every segment holding offsets >= recoveryPoint may have unsynced bytes.
    const from = Math.max(0, this.segmentIndexFor(this.recoveryPoint));
    for (let i = from; i < this.segments.length; i++) await this.segments[i]!.datasync();
    this.recoveryPoint = Math.max(this.recoveryPoint, upTo);
    this.unflushedMessages = 0;
    this.lastFlushMs = this.clock.now();
  }

  /** fsyncs the log (and index files) up to the current log end offset; advances the recovery point. */
  async flush(): Promise<void> {
    await this.drain();
    const upTo = this.leo;
    const from = Math.max(0, this.segmentIndexFor(this.recoveryPoint));
    for (let i = from; i < this.segments.length; i++) await this.segments[i]!.flush();
    await this.txnIndex.persist(this.segmentBases());
    this.recoveryPoint = Math.max(this.recoveryPoint, upTo);
    this.unflushedMessages = 0;
    this.lastFlushMs = this.clock.now();
  }

  /** flush.ms: flush if the last flush is older than the configured interval. */
  async maybeFlushByTime(): Promise<boolean> {
    if (this.config.flushMs >= Number.MAX_SAFE_INTEGER) return false;
    if (this.clock.now() - this.lastFlushMs < this.config.flushMs || this.recoveryPoint >= this.leo) return false;
    await this.flush();
    return true;
  }

  // ================================================================= read

  /**
   * Reads whole batches starting with the one containing `startOffset`, at most `maxBytes` (but at least one batch
   * when `minOneMessage`), never past `maxOffsetExclusive` (the high watermark or last stable offset for consumers;
   * the log end offset by default). Throws OffsetOutOfRangeError outside [logStartOffset, logEndOffset].
   */
  async read(startOffset: number, maxBytes: number, maxOffsetExclusive?: number, minOneMessage = true): Promise<LogReadResult> {
    if (this.closed) throw new LogClosedError('read');
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.readOnce(startOffset, maxBytes, maxOffsetExclusive, minOneMessage);
      } catch (e) {
        // A segment deleted by retention or replaced by the cleaner between lookup and read: look again.
        if (attempt < 3 && e instanceof Error && /file was closed/.test(e.message)) continue;
        throw e;
      }
    }
  }

  private async readOnce(startOffset: number, maxBytes: number, maxOffsetExclusive: number | undefined, minOne: boolean): Promise<LogReadResult> {
    const leo = this.leo;
    const empty = (): LogReadResult => ({
      data: Buffer.alloc(0),
      firstOffset: startOffset,
      nextOffset: startOffset,
      logStartOffset: this.lso,
      logEndOffset: this.leo,
      highWatermark: this.hw,
    });
    if (startOffset > leo || startOffset < this.lso) {
      throw new OffsetOutOfRangeError(
        `offset ${startOffset} is out of range for ${this.topicPartition.topic}-${this.topicPartition.partition} [${this.lso}, ${leo}]`,
      );
    }
    const bound = Math.min(maxOffsetExclusive ?? leo, leo);
    if (startOffset >= bound) return empty();
    let si = this.segmentIndexFor(startOffset);
    if (si < 0) si = 0;
    for (; si < this.segments.length; si++) {
      const seg = this.segments[si]!;
      if (seg.baseOffset >= bound) return empty();
      const position = seg.cachedReadPosition(startOffset) ?? (await seg.positionForRead(startOffset));
      if (position === null) continue;
      const nextSeg = this.segments[si + 1];
      // The bound's position: free when the bound is past this segment (the usual case: bound = LEO or HW at
      // the head); otherwise an index lookup.
      const maxPos =
        (nextSeg && bound >= nextSeg.baseOffset) || (seg.loaded && bound >= seg.nextOffset)
          ? seg.durableSize
          : (seg.cachedReadPosition(bound) ?? (await seg.boundPosition(bound)));
      const available = maxPos - position;
      if (available <= 0) return empty();
      let buf = await seg.readAt(position, Math.min(available, Math.max(maxBytes, H.BATCH_HEADER_SIZE)));
      // Whole batches only: cut after the last complete one.
      let end = 0;
      let lastNext = startOffset;
      let firstOffset = -1;
      while (end + H.BATCH_HEADER_SIZE <= buf.length) {
        const size = buf.readInt32BE(end + H.BATCH_LENGTH) + H.LOG_OVERHEAD;
        if (end === 0) {
          firstOffset = Number(buf.readBigInt64BE(0));
          if (size > buf.length) {
            if (!minOne) return empty();
            // The first batch is larger than maxBytes: return it whole anyway (Kafka's minOneMessage).
            buf = await seg.readAt(position, Math.min(size, available));
            if (buf.length < size) return empty();
          }
        }
        if (end + size > buf.length) break;
        lastNext = Number(buf.readBigInt64BE(end)) + buf.readInt32BE(end + H.LAST_OFFSET_DELTA) + 1;
        end += size;
      }
      if (end === 0 || firstOffset < 0) return empty();
      if (firstOffset >= bound) return empty();
      seg.rememberReadPosition(lastNext, position + end);
      return {
        data: end === buf.length ? buf : buf.subarray(0, end),
        firstOffset,
        nextOffset: lastNext,
        logStartOffset: this.lso,
        logEndOffset: this.leo,
        highWatermark: this.hw,
      };
    }
    return empty();
  }

  /** Calls `fn` for every batch (whole data) overlapping [from, to), in order; used by recovery and tools. */
  async forEachBatch(from: number, to: number, fn: (view: RecordBatchView) => void | Promise<void>): Promise<void> {
    let si = Math.max(0, this.segmentIndexFor(from));
    for (; si < this.segments.length; si++) {
      const seg = this.segments[si]!;
      if (seg.baseOffset >= to) return;
      const loc = await seg.translateOffset(from);
      if (!loc) continue;
      let pos = loc.position;
      const end = seg.durableSize;
      while (pos < end) {
        const chunk = await seg.readAt(pos, Math.min(1024 * 1024, end - pos));
        let at = 0;
        while (at + H.LOG_OVERHEAD <= chunk.length) {
          const size = chunk.readInt32BE(at + H.BATCH_LENGTH) + H.LOG_OVERHEAD;
          if (at + size > chunk.length) break;
          const v = new RecordBatchView(chunk.subarray(at, at + size));
          if (v.baseOffset >= to) return;
          if (v.lastOffset >= from) await fn(v);
          at += size;
        }
        if (at === 0) {
          // A batch larger than the chunk.
          const size = chunk.readInt32BE(H.BATCH_LENGTH) + H.LOG_OVERHEAD;
          const whole = await seg.readAt(pos, size);
          if (whole.length < size) return;
          const v = new RecordBatchView(whole);
          if (v.baseOffset >= to) return;
          if (v.lastOffset >= from) await fn(v);
          at = size;
        }
        pos += at;
      }
    }
  }

  // ================================================================= timestamps (ListOffsets)

  /**
   * ListOffsets: the first offset whose record timestamp is >= `timestamp`, or the special EARLIEST (-2), LATEST
   * (-1) and MAX_TIMESTAMP (-3) lookups. null when no record is that recent.
   */
  async offsetForTimestamp(timestamp: number): Promise<TimestampAndOffset | null> {
    const epochAt = (offset: number): number => {
      const all = this.leaderEpochCache.all;
      let e = -1;
      for (const x of all) if (x.startOffset <= offset) e = x.epoch;
      return e;
    };
    if (timestamp === EARLIEST_TIMESTAMP) return { timestamp: -1, offset: this.lso, leaderEpoch: epochAt(this.lso) };
    if (timestamp === LATEST_TIMESTAMP) return { timestamp: -1, offset: this.leo, leaderEpoch: this.leaderEpochCache.latestEpoch };
    if (timestamp === MAX_TIMESTAMP) return this.maxTimestampOffset(epochAt);
    if (timestamp < 0) return null;
    for (const seg of this.segments.slice()) {
      if (seg.baseOffset >= this.leo) break;
      if ((await seg.largestTimestamp()) < timestamp) continue;
      const floor = seg.timeIndex.lookup(timestamp);
      const startOffset = Math.max(floor.offset, this.lso);
      let found: { offset: number; timestamp: number } | null = null;
      await this.forEachBatchInSegmentFrom(seg, startOffset, async (v) => {
        if (found || v.maxTimestamp < timestamp) return found !== null;
        found = await findOffsetByTimestampInBatch(v, timestamp, startOffset);
        return found !== null;
      });
      if (found) {
        const f: { offset: number; timestamp: number } = found;
        return { ...f, leaderEpoch: epochAt(f.offset) };
      }
    }
    return null;
  }

  private async maxTimestampOffset(epochAt: (o: number) => number): Promise<TimestampAndOffset | null> {
    let best: LogSegment | null = null;
    let bestTs = -1;
    for (const seg of this.segments) {
      const ts = await seg.largestTimestamp();
      if (ts > bestTs) {
        bestTs = ts;
        best = seg;
      }
    }
    if (!best) return null;
    // The batch holding the max timestamp; within it, the first record carrying that timestamp.
    let found: { offset: number; timestamp: number } | null = null;
    await this.forEachBatchInSegmentFrom(best, Math.max(best.baseOffset, this.lso), async (v) => {
      if (v.maxTimestamp !== bestTs) return false;
      found = await findOffsetByTimestampInBatch(v, bestTs, this.lso);
      return found !== null;
    });
    if (!found) return null;
    const f: { offset: number; timestamp: number } = found;
    return { ...f, leaderEpoch: epochAt(f.offset) };
  }

  /** Walks batches of one segment from the batch containing `from`; `fn` returns true to stop. */
  private async forEachBatchInSegmentFrom(seg: LogSegment, from: number, fn: (v: RecordBatchView) => Promise<boolean>): Promise<void> {
    const loc = await seg.translateOffset(from);
    if (!loc) return;
    for await (const h of seg.scanHeaders(loc.position)) {
      if (h.baseOffset >= this.leo) return;
      const bytes = await seg.readAt(h.position, h.size);
      if (await fn(new RecordBatchView(bytes))) return;
    }
  }

  // ================================================================= retention / delete records / truncation

  /**
   * Deletes old segments by retention.ms (largest timestamp), retention.bytes and the log start offset, never the
   * active segment and never offsets at or above the high watermark. Returns the number of segments deleted.
   */
  async deleteOldSegments(): Promise<number> {
    return this.maintenanceLock.run(async () => {
      let deleted = 0;
      const now = this.clock.now();
      const canDelete = (i: number): boolean => {
        const next = this.segments[i + 1];
        // Never the active segment, never a segment with offsets the high watermark has not reached.
        return next !== undefined && next.baseOffset <= this.hw;
      };
      // Log start offset breach (DeleteRecords): segments entirely below it.
      while (this.segments.length > 1 && canDelete(0) && this.segments[1]!.baseOffset <= this.lso) {
        await this.deleteFirstSegment();
        deleted++;
      }
      if (isDeleteRetention(this.config)) {
        if (this.config.retentionMs >= 0) {
          while (this.segments.length > 1 && canDelete(0)) {
            const ts = await this.segments[0]!.largestTimestamp();
            if (now - ts <= this.config.retentionMs) break;
            await this.deleteFirstSegment();
            deleted++;
          }
        }
        if (this.config.retentionBytes >= 0) {
          let excess = this.size - this.config.retentionBytes;
          while (this.segments.length > 1 && canDelete(0) && excess - this.segments[0]!.size >= 0) {
            excess -= this.segments[0]!.size;
            await this.deleteFirstSegment();
            deleted++;
          }
        }
      }
      if (deleted > 0) {
        this.txnIndex.dropBefore(this.segments[0]!.baseOffset);
        this.leaderEpochCache.truncateFromStart(this.lso);
        await this.leaderEpochCache.persist();
        await this.producerState.deleteSnapshotsBefore(this.segments[0]!.baseOffset);
      }
      return deleted;
    });
  }

  private async deleteFirstSegment(): Promise<void> {
    const seg = this.segments.shift()!;
    const newStart = this.segments[0]!.baseOffset;
    if (newStart > this.lso) this.lso = newStart;
    if (this.hw < this.lso) this.hw = this.lso;
    await this.retireSegment(seg);
  }

  /** Renames a segment's files to `.deleted` and schedules their removal after file.delete.delay.ms. */
  async retireSegment(seg: LogSegment): Promise<void> {
    const paths = await seg.renameToDeleted(DELETED_SUFFIX);
    this.scheduleDelete(paths, this.config.fileDeleteDelayMs);
  }

  /**
   * DeleteRecords: moves the log start offset to `offset` (at most the high watermark) and deletes the segments
   * wholly below it. Returns the new low watermark (log start offset).
   */
  async deleteRecordsBefore(offset: number): Promise<number> {
    if (offset > this.hw || offset < 0) {
      throw new OffsetOutOfRangeError(`cannot delete records before ${offset}: high watermark is ${this.hw}`);
    }
    if (offset > this.lso) this.lso = offset;
    await this.deleteOldSegments();
    return this.lso;
  }

  /** Removes every offset >= `offset` (follower truncation). Returns the new log end offset. */
  async truncateTo(offset: number): Promise<number> {
    if (offset < 0) throw new OffsetOutOfRangeError(`cannot truncate to ${offset}`);
    return this.maintenanceLock.run(async () => {
      this.truncating = true;
      try {
        return await this.truncateToLocked(offset);
      } finally {
        this.truncating = false;
      }
    });
  }

  private async truncateToLocked(offset: number): Promise<number> {
    await this.drain();
    if (offset >= this.leo) return this.leo;
    if (offset <= this.lso || offset <= this.segments[0]!.baseOffset) {
      await this.truncateFullyAndStartAtLocked(offset);
      return this.leo;
    }
    while (this.segments.length > 1 && this.activeSegment.baseOffset >= offset) {
      const seg = this.segments.pop()!;
      await this.retireSegment(seg);
    }
    const active = this.activeSegment;
    await active.truncateTo(offset);
    if (active.tail === null) active.tail = [];
    this.leo = active.size === 0 ? active.baseOffset : active.nextOffset;
    this.nextOffsetToAssign = this.leo;
    this.recoveryPoint = Math.min(this.recoveryPoint, this.leo);
    this.hw = Math.min(this.hw, this.leo);
    this.leaderEpochCache.truncateFromEnd(this.leo);
    await this.leaderEpochCache.persist();
    await this.rebuildProducerState();
    return this.leo;
  }

  /** Deletes everything and restarts the log at `offset` (a follower far behind, or a truncation below start). */
  async truncateFullyAndStartAt(offset: number): Promise<void> {
    await this.maintenanceLock.run(async () => {
      this.truncating = true;
      try {
        await this.drain();
        await this.truncateFullyAndStartAtLocked(offset);
      } finally {
        this.truncating = false;
      }
    });
  }

  private async truncateFullyAndStartAtLocked(offset: number): Promise<void> {
    const old = this.segments.splice(0);
    for (const s of old) await this.retireSegment(s);
    this.segments.push(await LogSegment.create(this.dir, offset, this.pool, this.segmentOptions(), this.clock.now()));
    this.leo = offset;
    this.nextOffsetToAssign = offset;
    this.lso = offset;
    this.hw = offset;
    this.recoveryPoint = offset;
    this.leaderEpochCache.clear();
    await this.leaderEpochCache.persist();
    this.txnIndex.clear();
    await this.producerState.deleteSnapshotsAfter(-1);
    this.producerState.clear(offset);
  }

  // ================================================================= compaction support

  /**
   * Swaps `old` (a non-active segment, already renamed to `.deleted` with `oldPaths`) for `replacement`, the
   * cleaner's output with the same base offset.
   */
  async replaceSegment(old: LogSegment, replacement: LogSegment, oldPaths: string[]): Promise<void> {
    const i = this.segments.indexOf(old);
    if (i < 0) throw new Error('segment is no longer part of the log');
    this.segments[i] = replacement;
    this.scheduleDelete(oldPaths, this.config.fileDeleteDelayMs);
  }

  /** Applies a topic config change (retention, segment sizes, cleanup policy...). */
  updateConfig(config: Partial<LogConfig>): void {
    this.config = makeLogConfig({ ...this.config, ...config });
  }

  // ================================================================= close / delete

  /** Clean close: writes pending appends, final index entries, trimmed index files and a producer snapshot. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    await this.maintenanceLock.run(async () => {
      const active = this.activeSegment;
      await active.datasync();
      for (const s of this.segments) await s.close();
      this.recoveryPoint = this.leo;
      this.producerState.mapEndOffset = this.leo;
      await this.producerState.takeSnapshotAt(this.leo);
      await this.leaderEpochCache.persist();
      await this.txnIndex.persist(this.segmentBases());
    });
  }

  /** Closes and removes the partition directory (topic deletion). */
  async delete(): Promise<void> {
    await this.drain();
    this.closed = true;
    for (const s of this.segments) await this.pool.retire(s.file);
    await rm(this.dir, { recursive: true, force: true });
  }
}

function defaultScheduleDelete(paths: string[], delayMs: number): void {
  const t = setTimeout(() => void LogSegment.unlinkAll(paths), delayMs);
  t.unref();
}

