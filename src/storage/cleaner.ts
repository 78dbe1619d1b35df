// Log compaction (cleanup.policy=compact / compact,delete): keeps, for every key, only its latest record, with
// offsets preserved; tombstones (null values) survive for delete.retention.ms after the first cleaning that sees
// them (the delete horizon is stored in the batch as in Kafka: DELETE_HORIZON attribute bit + baseTimestamp).
//
// The cleaner never touches the active segment, so appends continue while it works; it reads and rewrites one batch
// at a time with awaits in between (the event loop stays responsive), writes each cleaned segment to
// `<base>.log.cleaned`, then swaps it in: rename to `.swap`, old files to `.deleted`, `.swap` to the final name
// (a crash at any point is finished or undone by the loader). The swap and retention/truncation are serialized by
// the log's maintenance lock.
import { open, rename, unlink } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import * as H from '../protocol/records/batch-header.js';
import { RecordBatchView } from '../protocol/records/batch-view.js';
import { decodeRecordBatchAsync, encodeRecordBatchAsync, type DecodedRecord } from '../protocol/records/record-batch.js';
import { incrementSequence } from '../protocol/records/batch-view.js';
import { TimestampType } from '../protocol/records/types.js';
import type { Clock } from './clock.js';
import { NEVER } from './log-config.js';
import { CLEANED_SUFFIX, DELETED_SUFFIX, SWAP_SUFFIX } from './file-names.js';
import type { PartitionLog } from './partition-log.js';
import { LogSegment } from './segment.js';

export interface CleanStats {
  segmentsCleaned: number;
  bytesRead: number;
  bytesWritten: number;
  recordsRead: number;
  recordsRetained: number;
  tombstonesRemoved: number;
  /** The log is clean up to here (the new first dirty offset). */
  endOffset: number;
}

export interface DirtyInfo {
  firstDirtyOffset: number;
  firstUncleanableOffset: number;
  cleanBytes: number;
  dirtyBytes: number;
  ratio: number;
  /** A dirty record is older than max.compaction.lag.ms: clean regardless of the ratio. */
  overdue: boolean;
}

/** Cap on distinct keys held per pass (Kafka's dedupe buffer); a bigger dirty section is cleaned in several passes. */
const DEFAULT_MAX_KEYS = 1_000_000;

export class LogCleaner {
  private readonly firstDirty = new WeakMap<PartitionLog, number>();
  /** Earliest delete horizon of the tombstones each log still holds: past it, a pass can remove them. */
  private readonly tombstoneHorizon = new WeakMap<PartitionLog, number>();
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    readonly clock: Clock,
    readonly maxKeysPerPass = DEFAULT_MAX_KEYS,
  ) {}

  setFirstDirtyOffset(log: PartitionLog, offset: number): void {
    this.firstDirty.set(log, offset);
  }
  firstDirtyOffset(log: PartitionLog): number | undefined {
    return this.firstDirty.get(log);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.running) await this.running.catch(() => undefined);
  }

  /** The dirty ratio of a log (Kafka's LogToClean.cleanableRatio). */
  async dirtyInfo(log: PartitionLog): Promise<DirtyInfo> {
    const now = this.clock.now();
    const firstDirtyOffset = Math.max(this.firstDirty.get(log) ?? log.logStartOffset, log.logStartOffset);
    const segs = log.segments;
    // Uncleanable: the active segment, anything at or above the high watermark, and segments younger than
    // min.compaction.lag.ms.
    let firstUncleanableOffset = Math.min(log.activeSegment.baseOffset, log.highWatermark);
    if (log.config.minCompactionLagMs > 0) {
      for (const s of segs) {
        if (s.baseOffset >= firstUncleanableOffset) break;
        if ((await s.largestTimestamp()) > now - log.config.minCompactionLagMs) {
          firstUncleanableOffset = s.baseOffset;
          break;
        }
      }
    }
    let cleanBytes = 0;
    let dirtyBytes = 0;
    let overdue = false;
    for (let i = 0; i + 1 < segs.length; i++) {
      const s = segs[i]!;
      const end = segs[i + 1]!.baseOffset;
      if (end > firstUncleanableOffset) break;
      if (end <= firstDirtyOffset) cleanBytes += s.size;
      else {
        if (dirtyBytes === 0 && s.size > 0 && log.config.maxCompactionLagMs < NEVER) {
          // The oldest dirty segment's first batch has waited longer than max.compaction.lag.ms.
          await s.ensureLoaded();
          overdue = now - s.rollingBasedTimestamp() > log.config.maxCompactionLagMs;
        }
        dirtyBytes += s.size;
      }
    }
    const total = cleanBytes + dirtyBytes;
    return { firstDirtyOffset, firstUncleanableOffset, cleanBytes, dirtyBytes, ratio: total === 0 ? 0 : dirtyBytes / total, overdue };
  }

  /** Cleans the log with the highest dirty ratio above its min.cleanable.dirty.ratio. */
  async cleanDirtiest(logs: PartitionLog[]): Promise<boolean> {
    if (this.stopped) return false;
    let best: PartitionLog | null = null;
    let bestRatio = -1;
    const now = this.clock.now();
    for (const log of logs) {
      const d = await this.dirtyInfo(log);
      const ratio = d.overdue ? Infinity : d.ratio; // overdue logs go first
      if (d.dirtyBytes > 0 && (d.overdue || d.ratio >= log.config.minCleanableDirtyRatio) && ratio > bestRatio) {
        best = log;
        bestRatio = ratio;
      }
      // Tombstones past their delete horizon make a log worth a pass even with nothing dirty (KIP-534).
      const horizon = this.tombstoneHorizon.get(log);
      if (horizon !== undefined && horizon <= now && bestRatio < 0) best = log;
    }
    if (!best) return false;
    await this.clean(best);
    return true;
  }

  /** One cleaning pass over a log, regardless of its dirty ratio. */
  clean(log: PartitionLog): Promise<CleanStats> {
    const p = log.maintenanceLock.run(() => this.cleanLocked(log));
    this.running = p;
    return p;
  }

  private async cleanLocked(log: PartitionLog): Promise<CleanStats> {
    const stats: CleanStats = {
      segmentsCleaned: 0,
      bytesRead: 0,
      bytesWritten: 0,
      recordsRead: 0,
      recordsRetained: 0,
      tombstonesRemoved: 0,
      endOffset: 0,
    };
    const info = await this.dirtyInfo(log);
    const now = this.clock.now();
    // Cleanable segments: every non-active segment wholly below the first uncleanable offset.
    const cleanable: LogSegment[] = [];
    for (let i = 0; i + 1 < log.segments.length; i++) {
      if (log.segments[i + 1]!.baseOffset > info.firstUncleanableOffset) break;
      cleanable.push(log.segments[i]!);
    }
    stats.endOffset = info.firstDirtyOffset;
    if (cleanable.length === 0) return stats;

    // 1. Offset map: latest offset of every key in the dirty section (bounded; stops at a segment boundary).
    const map = new Map<string, number>();
    let mapEnd = info.firstDirtyOffset;
    const dirtyStart = cleanable.findIndex((s, i) => (cleanable[i + 1]?.baseOffset ?? info.firstUncleanableOffset) > info.firstDirtyOffset);
    for (let i = Math.max(0, dirtyStart); i < cleanable.length && dirtyStart >= 0; i++) {
      const seg = cleanable[i]!;
      if (map.size >= this.maxKeysPerPass && i > dirtyStart) break;
      await forEachBatchOfSegment(seg, async (view) => {
        if (view.isControl) return;
        const batch = await decodeRecordBatchAsync(view, { verifyCrc: false });
        for (const r of batch.records) if (r.key !== null) map.set(r.key.toString('latin1'), r.offset);
      });
      mapEnd = cleanable[i + 1]?.baseOffset ?? info.firstUncleanableOffset;
    }

    // 2. Rewrite every cleanable segment below the end of the map: the already clean part too (it may hold keys
    // superseded by the dirty part, and tombstones whose delete horizon has passed).
    this.tombstoneHorizon.delete(log);
    for (const seg of cleanable) {
      if (this.stopped) break;
      const segEnd = log.segments[log.segments.indexOf(seg) + 1]?.baseOffset ?? Infinity;
      if (segEnd > mapEnd) break;
      await this.cleanSegment(log, seg, map, now, stats);
      stats.segmentsCleaned++;
    }
    stats.endOffset = mapEnd;
    this.firstDirty.set(log, mapEnd);
    return stats;
  }

  private async cleanSegment(log: PartitionLog, seg: LogSegment, map: Map<string, number>, now: number, stats: CleanStats): Promise<void> {
    const cleanedPath = seg.logPath + CLEANED_SUFFIX;
    const out = await open(cleanedPath, 'w');
    let outPos = 0;
    const write = async (buf: Buffer): Promise<void> => {
      await out.write(buf, 0, buf.length, outPos);
      outPos += buf.length;
    };
    let changed = false;
    try {
      let batches = 0;
      await forEachBatchOfSegment(seg, async (view) => {
        stats.bytesRead += view.sizeInBytes;
        if (++batches % 16 === 0) await yieldToLoop(); // stay out of the way of appends and fetches
        if (view.isControl) {
          await write(view.buffer);
          return;
        }
        const decoded = await decodeRecordBatchAsync(view, { verifyCrc: false });
        stats.recordsRead += decoded.records.length;
        const horizon = view.hasDeleteHorizon ? view.deleteHorizonMs : -1;
        const kept: DecodedRecord[] = [];
        let hasTombstone = false;
        for (const r of decoded.records) {
          if (r.key === null) continue; // keyless records have no place in a compacted log
          const latest = map.get(r.key.toString('latin1'));
          if (latest !== undefined && latest > r.offset) continue; // superseded
          if (r.value === null) {
            if (horizon >= 0 && horizon <= now) {
              stats.tombstonesRemoved++;
              continue;
            }
            hasTombstone = true;
          }
          kept.push(r);
        }
        stats.recordsRetained += kept.length;
        const needsHorizon = hasTombstone && horizon < 0;
        if (hasTombstone) {
          const h = needsHorizon ? now + log.config.deleteRetentionMs : horizon;
          const known = this.tombstoneHorizon.get(log);
          if (known === undefined || h < known) this.tombstoneHorizon.set(log, h);
        }
        if (kept.length === decoded.records.length && !needsHorizon) {
          await write(view.buffer); // untouched batch: copy bytes as they are
          return;
        }
        changed = true;
        const newHorizon = needsHorizon ? now + log.config.deleteRetentionMs : horizon;
        for (const b of await rebuildBatches(view, kept, hasTombstone ? newHorizon : -1, isLastBatchOfProducer(log, view))) {
          await write(b);
        }
      });
      if (changed) await out.sync();
    } finally {
      await out.close();
    }
    stats.bytesWritten += outPos;
    if (!changed) {
      await unlink(cleanedPath).catch(() => undefined);
      return;
    }
    // Swap: .cleaned → .swap (the commit point), old files → .deleted, .swap → final name, indexes rebuilt.
    const swapPath = seg.logPath + SWAP_SUFFIX;
    await rename(cleanedPath, swapPath);
    const oldPaths = await seg.renameToDeleted(DELETED_SUFFIX, false); // the .txnindex stays with the base offset
    await rename(swapPath, seg.logPath);
    const replacement = await LogSegment.openExisting(seg.dir, seg.baseOffset, seg.pool, seg.opts);
    await replacement.rebuildIndexes(false);
    replacement.tail = null;
    await log.replaceSegment(seg, replacement, oldPaths);
  }
}

/** Kafka keeps an emptied batch if it is its producer's last one, so producer state survives compaction. */
function isLastBatchOfProducer(log: PartitionLog, view: RecordBatchView): boolean {
  if (view.producerId < 0) return false;
  return log.producerState.lastBatch(view.producerId)?.lastOffset === view.lastOffset;
}

/**
 * Re-encodes the kept records of `view` preserving every record's offset: each run of consecutive offsets becomes
 * one batch (the encoder numbers records 0..n-1 from the batch's base offset). The last batch keeps the original
 * lastOffsetDelta so the original batch's offset range (and producer state) is preserved.
 */
async function rebuildBatches(view: RecordBatchView, kept: DecodedRecord[], deleteHorizon: number, keepEmpty: boolean): Promise<Buffer[]> {
  const runs: DecodedRecord[][] = [];
  for (const r of kept) {
    const run = runs[runs.length - 1];
    if (run && run[run.length - 1]!.offset + 1 === r.offset) run.push(r);
    else runs.push([r]);
  }
  if (runs.length === 0 && !keepEmpty) return [];
  const out: Buffer[] = [];
  const logAppend = view.timestampType === TimestampType.LogAppendTime;
  const lastOffset = view.lastOffset;
  const encodeRun = async (base: number, run: DecodedRecord[], lastOffsetDelta: number): Promise<Buffer> => {
    const seqDelta = base - view.baseOffset;
    const b = await encodeRecordBatchAsync({
      records: run.map((r) => ({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp })),
      baseOffset: base,
      partitionLeaderEpoch: view.partitionLeaderEpoch,
      compression: view.compression,
      timestampType: logAppend ? TimestampType.LogAppendTime : TimestampType.CreateTime,
      logAppendTime: logAppend ? view.maxTimestamp : undefined,
      transactional: view.isTransactional,
      producerId: view.producerId,
      producerEpoch: view.producerEpoch,
      baseSequence: view.baseSequence >= 0 ? incrementSequence(view.baseSequence, seqDelta) : -1,
      baseTimestamp: deleteHorizon >= 0 ? deleteHorizon : run.length > 0 ? run[0]!.timestamp : view.baseTimestamp,
      lastOffsetDelta,
      now: view.maxTimestamp,
    });
    if (deleteHorizon >= 0) {
      const v = new RecordBatchView(b);
      b.writeInt16BE(v.attributes | H.DELETE_HORIZON_BIT, H.ATTRIBUTES);
      if (run.length === 0) b.writeBigInt64BE(BigInt(view.maxTimestamp), H.MAX_TIMESTAMP);
      v.updateCrc();
    } else if (run.length === 0) {
      const v = new RecordBatchView(b);
      b.writeBigInt64BE(BigInt(view.maxTimestamp), H.MAX_TIMESTAMP);
      v.updateCrc();
    }
    return b;
  };
  if (runs.length === 0) {
    out.push(await encodeRun(view.baseOffset, [], view.lastOffsetDelta));
    return out;
  }
  for (let i = 0; i < runs.length; i++) {
    const run = runs[i]!;
    const base = run[0]!.offset;
    const isLast = i === runs.length - 1;
    out.push(await encodeRun(base, run, isLast ? lastOffset - base : run.length - 1));
  }
  return out;
}

/** Every batch of a segment in order, whole (read in chunks). */
async function forEachBatchOfSegment(seg: LogSegment, fn: (v: RecordBatchView) => Promise<void>): Promise<void> {
  let pos = 0;
  const end = seg.durableSize;
  while (pos < end) {
    const chunk = await seg.readAt(pos, Math.min(1024 * 1024, end - pos));
    let at = 0;
    while (at + H.LOG_OVERHEAD <= chunk.length) {
      const size = chunk.readInt32BE(at + H.BATCH_LENGTH) + H.LOG_OVERHEAD;
      if (at + size > chunk.length) break;
      await fn(new RecordBatchView(chunk.subarray(at, at + size)));
      at += size;
    }
    if (at === 0) {
      if (chunk.length < H.LOG_OVERHEAD) return;
      const size = chunk.readInt32BE(H.BATCH_LENGTH) + H.LOG_OVERHEAD;
      const whole = await seg.readAt(pos, size);
      if (whole.length < size) return;
      await fn(new RecordBatchView(whole));
      at = size;
    }
    pos += at;
  }
}
