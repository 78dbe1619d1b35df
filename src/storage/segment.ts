// One log segment: `<base>.log` (record batches exactly as on the wire, offsets assigned) with its `.index` and
// `.timeindex`. The segment knows where each batch starts only through the sparse offset index plus a short scan
// of batch headers; for the active segment, the batches after the last index entry are also kept in memory
// (`tail`), so consumers reading at the head and high-watermark lookups need no scan I/O at all.
import { open, stat, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import * as H from '../protocol/records/batch-header.js';
import { RecordBatchView } from '../protocol/records/batch-view.js';
import { MAGIC_V2 } from '../protocol/records/types.js';
import { FilePool, PooledFile } from './file-pool.js';
import { CorruptIndexError, OffsetIndex, TimeIndex } from './index-file.js';
import { INDEX_SUFFIX, LOG_SUFFIX, TIME_INDEX_SUFFIX, TXN_INDEX_SUFFIX, offsetFileName } from './file-names.js';

/** Where a batch sits in a segment, from its header. */
export interface BatchPosition {
  baseOffset: number;
  lastOffset: number;
  position: number;
  size: number;
  maxTimestamp: number;
}

/** Header fields of a batch found by a scan. */
export interface ScannedBatch extends BatchPosition {
  magic: number;
}

const HEADER_SCAN_CHUNK = 8 * 1024;
/** Remembered (offset → position) pairs where consumers will continue reading. */
const READ_CACHE_SIZE = 64;
const MIN_V2_BATCH_LENGTH = H.BATCH_HEADER_SIZE - H.LOG_OVERHEAD;

export interface SegmentOptions {
  indexIntervalBytes: number;
  maxIndexBytes: number;
  /** Random amount subtracted from segment.ms for this segment. */
  rollJitterMs: number;
}

export interface RecoveryResult {
  /** Bytes cut from the end of the .log (garbage, torn or corrupt batches). */
  truncatedBytes: number;
  validBytes: number;
  nextOffset: number;
}

export class LogSegment {
  readonly file: PooledFile;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  /** Bytes of the .log, including appends whose write is in flight (positions are handed out in order). */
  size: number;
  /** Bytes whose write completed. */
  durableSize: number;
  /** Offset after the last batch (valid once `loaded`). */
  nextOffset: number;
  maxTimestampSoFar = -1;
  offsetOfMaxTimestampSoFar: number;
  /** maxTimestamp of the first batch: what segment.ms is measured from (Kafka's rollingBasedTimestamp). */
  firstBatchTimestamp: number | null = null;
  bytesSinceLastIndexEntry = 0;
  /** Batches from the last offset-index entry to the end; only kept for the active segment. */
  tail: BatchPosition[] | null = null;
  /** Indexes and nextOffset have been loaded (or built). Non-active segments load lazily. */
  loaded = false;
  private loading: Promise<void> | null = null;
  /** Set when this segment's files were deleted or replaced. */
  retired = false;
  private readonly readCache = new Map<number, number>();

  constructor(
    readonly dir: string,
    readonly baseOffset: number,
    readonly pool: FilePool,
    readonly opts: SegmentOptions,
    size: number,
    readonly createdMs: number,
  ) {
    this.file = new PooledFile(join(dir, offsetFileName(baseOffset, LOG_SUFFIX)));
    this.offsetIndex = new OffsetIndex(join(dir, offsetFileName(baseOffset, INDEX_SUFFIX)), baseOffset, opts.maxIndexBytes);
    this.timeIndex = new TimeIndex(join(dir, offsetFileName(baseOffset, TIME_INDEX_SUFFIX)), baseOffset, opts.maxIndexBytes);
    this.size = size;
    this.durableSize = size;
    this.nextOffset = baseOffset;
    this.offsetOfMaxTimestampSoFar = baseOffset;
  }

  get logPath(): string {
    return this.file.path;
  }

  /** Creates an empty segment (index files preallocated to segment.index.bytes, like Kafka's active segment). */
  static async create(dir: string, baseOffset: number, pool: FilePool, opts: SegmentOptions, nowMs: number): Promise<LogSegment> {
    const seg = new LogSegment(dir, baseOffset, pool, opts, 0, nowMs);
    const fh = await open(seg.logPath, 'w+');
    await fh.close();
    await seg.offsetIndex.create(true);
    await seg.timeIndex.create(true);
    seg.loaded = true;
    seg.tail = [];
    return seg;
  }

  /** An existing segment, not yet loaded (only its size is known). */
  static async openExisting(dir: string, baseOffset: number, pool: FilePool, opts: SegmentOptions): Promise<LogSegment> {
    const path = join(dir, offsetFileName(baseOffset, LOG_SUFFIX));
    const st = await stat(path);
    return new LogSegment(dir, baseOffset, pool, opts, st.size, st.mtimeMs);
  }

  // ---------------------------------------------------------------- file I/O

  async readAt(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    if (length === 0) return buf;
    const open = this.pool.acquireOpen(this.file);
    if (open) {
      // Hot path: one positioned read on the already open handle.
      try {
        const { bytesRead } = await open.read(buf, 0, length, position);
        if (bytesRead === length) return buf;
      } finally {
        this.pool.done(this.file);
      }
    }
    const n = await this.pool.use(this.file, async (fh) => {
      let done = 0;
      while (done < length) {
        const { bytesRead } = await fh.read(buf, done, length - done, position + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done;
    });
    return n === length ? buf : buf.subarray(0, n);
  }

  /** Writes buffers at `position` with one writev. */
  async writeAt(buffers: Buffer[], position: number): Promise<void> {
    if (buffers.length === 1) {
      const fh = this.pool.acquireOpen(this.file);
      if (fh) {
        let written: number;
        const b = buffers[0]!;
        try {
          written = (await fh.write(b, 0, b.length, position)).bytesWritten;
        } finally {
          this.pool.done(this.file);
        }
        if (written === b.length) return;
        // A short write: fall through to the general path, which rewrites the whole range.
      }
    }
    await this.pool.use(this.file, async (fh) => {
      let pos = position;
      let bufs = buffers;
      for (;;) {
        const total = bufs.reduce((n, b) => n + b.length, 0);
        const { bytesWritten } = bufs.length === 1 ? await fh.write(bufs[0]!, 0, bufs[0]!.length, pos) : await fh.writev(bufs, pos);
        if (bytesWritten >= total) return;
        // Short write: continue with what is left.
        pos += bytesWritten;
        let skip = bytesWritten;
        const rest: Buffer[] = [];
        for (const b of bufs) {
          if (skip >= b.length) skip -= b.length;
          else {
            rest.push(skip > 0 ? b.subarray(skip) : b);
            skip = 0;
          }
        }
        bufs = rest;
      }
    });
  }

  async datasync(): Promise<void> {
    await this.pool.use(this.file, (fh) => fh.datasync());
  }

  async flush(): Promise<void> {
    await this.datasync();
    await this.offsetIndex.persist(false);
    await this.timeIndex.persist(false);
  }

  // ---------------------------------------------------------------- scanning

  /**
   * Header scan from `position` (which must be a batch boundary) up to `end`: yields each batch's position and
   * header fields without reading record data. Stops at the first header that cannot be a batch.
   */
  async *scanHeaders(position: number, end = this.durableSize): AsyncGenerator<ScannedBatch> {
    let chunk: Buffer = Buffer.alloc(0);
    let chunkPos = position;
    let pos = position;
    while (pos + H.LOG_OVERHEAD <= end) {
      let at = pos - chunkPos;
      if (at < 0 || at + H.BATCH_HEADER_SIZE > chunk.length) {
        const len = Math.min(HEADER_SCAN_CHUNK, end - pos);
        chunk = await this.readAt(pos, len);
        chunkPos = pos;
        at = 0;
        if (chunk.length < H.LOG_OVERHEAD) return;
      }
      const h = parseHeader(chunk, at, pos, end);
      if (!h) return;
      yield h;
      pos += h.size;
    }
  }

  /** First batch whose lastOffset >= offset, searching from the index's floor entry; null past the end. */
  async translateOffset(offset: number): Promise<BatchPosition | null> {
    await this.ensureLoaded();
    const floor = this.offsetIndex.lookup(offset);
    const tail = this.tail;
    if (tail && tail.length > 0 && floor.position >= tail[0]!.position) {
      return findInTail(tail, offset, this.durableSize);
    }
    for await (const b of this.scanHeaders(floor.position)) {
      if (b.lastOffset >= offset) return b;
    }
    return null;
  }

  /**
   * Where a read of `offset` starts: the position of the first batch with lastOffset >= offset, or null past the
   * end. Consumers continue exactly where their last read ended, so those positions are remembered and found
   * without touching the index or the file.
   */
  async positionForRead(offset: number): Promise<number | null> {
    const b = await this.translateOffset(offset);
    return b ? b.position : null;
  }

  /** The remembered read position of `offset`, if any (synchronous fast path of positionForRead). */
  cachedReadPosition(offset: number): number | undefined {
    const cached = this.readCache.get(offset);
    return cached !== undefined && cached < this.durableSize ? cached : undefined;
  }

  /** Records that the first batch holding an offset >= `offset` starts at `position` (see positionForRead). */
  rememberReadPosition(offset: number, position: number): void {
    if (this.readCache.has(offset)) return;
    if (this.readCache.size >= READ_CACHE_SIZE) this.readCache.delete(this.readCache.keys().next().value!);
    this.readCache.set(offset, position);
  }

  /** positionOf for a read bound (high watermark): remembered, since many reads share the same bound. */
  async boundPosition(offset: number): Promise<number> {
    const b = await this.translateOffset(offset);
    if (!b) return this.durableSize;
    this.rememberReadPosition(offset, b.position);
    return b.position;
  }

  /** Position of the first batch that holds an offset >= `offset` (or the durable end of the segment). */
  async positionOf(offset: number): Promise<number> {
    const b = await this.translateOffset(offset);
    return b ? b.position : this.durableSize;
  }

  // ---------------------------------------------------------------- appends (called by the partition's writer)

  /** Index bookkeeping for a batch just written at `position` (Kafka's LogSegment.append loop body). */
  onBatchAppended(b: BatchPosition): void {
    if (this.firstBatchTimestamp === null) this.firstBatchTimestamp = b.maxTimestamp;
    if (b.maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = b.maxTimestamp;
      this.offsetOfMaxTimestampSoFar = b.lastOffset;
    }
    if (this.bytesSinceLastIndexEntry > this.opts.indexIntervalBytes) {
      this.offsetIndex.append(b.lastOffset, b.position);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar);
      this.bytesSinceLastIndexEntry = 0;
      if (this.tail) this.tail.length = 0;
    }
    this.bytesSinceLastIndexEntry += b.size;
    if (this.tail) this.tail.push(b);
    this.nextOffset = b.lastOffset + 1;
  }

  get indexIsFull(): boolean {
    return this.offsetIndex.isFull || this.timeIndex.isFull;
  }

  /** What segment.ms is measured from: the first batch's timestamp, else the segment's creation time. */
  rollingBasedTimestamp(): number {
    return this.firstBatchTimestamp !== null && this.firstBatchTimestamp >= 0 ? this.firstBatchTimestamp : this.createdMs;
  }

  /** Called when this segment stops being the active one: final time index entry, trim index files. */
  async onRolled(): Promise<void> {
    this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
    await this.datasync();
    await this.offsetIndex.persist(true);
    await this.timeIndex.persist(true);
    this.tail = null;
  }

  /** Clean close of the active segment: same as a roll as far as files go. */
  async close(): Promise<void> {
    if (this.loaded) {
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestampSoFar, true);
      await this.offsetIndex.persist(true);
      await this.timeIndex.persist(true);
    }
    await this.pool.retire(this.file);
  }

  // ---------------------------------------------------------------- loading and recovery

  /** Loads indexes (rebuilding them from the .log if missing or corrupt) and the tail state. Idempotent. */
  ensureLoaded(keepTail = false): Promise<void> {
    if (this.loaded) return Promise.resolve();
    if (!this.loading) {
      this.loading = this.load(keepTail).finally(() => {
        this.loading = null;
      });
    }
    return this.loading;
  }

  private async load(keepTail: boolean): Promise<void> {
    let ok = false;
    try {
      await this.offsetIndex.load(this.size);
      await this.timeIndex.load(this.size);
      ok = this.timeIndex.lastEntry.offset < this.baseOffset + 2 ** 31;
    } catch (e) {
      if (!(e instanceof CorruptIndexError) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    if (!ok) {
      // Missing or corrupt index: rebuild by scanning (headers only, CRCs were checked when written or recovered).
      await this.rebuildIndexes(false);
      return;
    }
    // Scan from the last index entry to the end: next offset, max timestamp, batches for the tail.
    const last = this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER);
    const te = this.timeIndex.lastEntry;
    this.maxTimestampSoFar = te.timestamp;
    this.offsetOfMaxTimestampSoFar = te.offset;
    const tail: BatchPosition[] = [];
    let end = last.position;
    for await (const b of this.scanHeaders(last.position, this.size)) {
      tail.push(b);
      if (b.maxTimestamp > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = b.maxTimestamp;
        this.offsetOfMaxTimestampSoFar = b.lastOffset;
      }
      this.nextOffset = b.lastOffset + 1;
      end = b.position + b.size;
    }
    if (end !== this.size) {
      // The index and log disagree (should not happen after a clean shutdown): rebuild to be safe.
      await this.rebuildIndexes(false);
      return;
    }
    this.bytesSinceLastIndexEntry = tail.reduce((n, b) => n + b.size, 0) - (tail[0]?.size ?? 0);
    await this.loadFirstBatchTimestamp();
    this.tail = keepTail ? tail : null;
    this.loaded = true;
  }

  private async loadFirstBatchTimestamp(): Promise<void> {
    if (this.size < H.BATCH_HEADER_SIZE) return;
    const head = await this.readAt(0, H.BATCH_HEADER_SIZE);
    if (head.length === H.BATCH_HEADER_SIZE && head.readInt8(H.MAGIC) === MAGIC_V2) {
      this.firstBatchTimestamp = Number(head.readBigInt64BE(H.MAX_TIMESTAMP));
    }
  }

  /**
   * Rebuilds both indexes by walking the .log. With `verify`, each batch's size, magic, CRC and offset order are
   * checked and the file is truncated at the first invalid byte (Kafka's LogSegment.recover). `onBatch` sees every
   * valid batch (producer state and leader epochs are rebuilt from it).
   */
  async rebuildIndexes(verify: boolean, onBatch?: (view: RecordBatchView, position: number) => void): Promise<RecoveryResult> {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.maxTimestampSoFar = -1;
    this.offsetOfMaxTimestampSoFar = this.baseOffset;
    this.firstBatchTimestamp = null;
    this.bytesSinceLastIndexEntry = 0;
    this.nextOffset = this.baseOffset;
    this.tail = [];
    let valid = 0;
    const size = this.size;
    const CHUNK = 1024 * 1024;
    let chunk: Buffer = Buffer.alloc(0);
    let chunkPos = 0;
    let expectedMinOffset = this.baseOffset;
    scan: while (valid < size) {
      let at = valid - chunkPos;
      if (at + H.BATCH_HEADER_SIZE > chunk.length) {
        chunk = await this.readAt(valid, Math.min(CHUNK, size - valid));
        chunkPos = valid;
        at = 0;
      }
      const h = parseHeader(chunk, at, valid, size);
      if (!h || h.magic !== MAGIC_V2) break;
      if (h.baseOffset < expectedMinOffset || h.lastOffset - this.baseOffset > 0x7fffffff) break;
      if (verify || onBatch) {
        let bytes: Buffer;
        if (at + h.size <= chunk.length) bytes = chunk.subarray(at, at + h.size);
        else {
          bytes = await this.readAt(valid, h.size);
          if (bytes.length < h.size) break;
        }
        const view = new RecordBatchView(bytes);
        if (verify && !view.isCrcValid()) break scan;
        onBatch?.(view, valid);
      }
      this.onBatchAppended(h);
      expectedMinOffset = h.lastOffset + 1;
      valid += h.size;
    }
    const truncated = size - valid;
    if (truncated > 0) {
      await this.pool.use(this.file, (fh) => fh.truncate(valid));
      this.size = valid;
    }
    this.durableSize = this.size;
    await this.offsetIndex.rewrite();
    await this.timeIndex.rewrite();
    this.loaded = true;
    return { truncatedBytes: truncated, validBytes: valid, nextOffset: this.nextOffset };
  }

  /** Cuts the segment to hold only offsets < `offset` (whole batches). Returns bytes removed. */
  async truncateTo(offset: number): Promise<number> {
    await this.ensureLoaded(true);
    const b = await this.translateOffset(offset);
    if (!b) return 0;
    const cut = b.position;
    const removed = this.size - cut;
    this.readCache.clear();
    await this.pool.use(this.file, (fh) => fh.truncate(cut));
    this.size = cut;
    this.durableSize = cut;
    // Rebuild the in-memory state from the indexes (entries above the cut dropped) plus a scan of the tail.
    this.offsetIndex.truncateToOffset(offset);
    this.timeIndex.truncateToOffset(offset);
    while (this.offsetIndex.entries > 0 && this.offsetIndex.positionAt(this.offsetIndex.entries - 1) >= cut) {
      this.offsetIndex.truncateToOffset(this.offsetIndex.offsetAt(this.offsetIndex.entries - 1));
    }
    const te = this.timeIndex.lastEntry;
    this.maxTimestampSoFar = te.timestamp;
    this.offsetOfMaxTimestampSoFar = te.offset;
    this.nextOffset = this.baseOffset;
    this.bytesSinceLastIndexEntry = 0;
    const last = this.offsetIndex.lookup(Number.MAX_SAFE_INTEGER);
    const tail: BatchPosition[] = [];
    for await (const h of this.scanHeaders(last.position, cut)) {
      tail.push(h);
      if (h.maxTimestamp > this.maxTimestampSoFar) {
        this.maxTimestampSoFar = h.maxTimestamp;
        this.offsetOfMaxTimestampSoFar = h.lastOffset;
      }
      this.nextOffset = h.lastOffset + 1;
    }
    if (this.offsetIndex.entries > 0 && tail.length === 0) this.nextOffset = this.offsetIndex.lastOffset + 1;
    this.tail = tail;
    if (cut === 0) this.firstBatchTimestamp = null;
    await this.offsetIndex.persist(true);
    await this.timeIndex.persist(true);
    return removed;
  }

  /** Largest timestamp in the segment (retention.ms is judged on it). */
  async largestTimestamp(): Promise<number> {
    await this.ensureLoaded();
    // Batches without timestamps: fall back to the file's age, as Kafka falls back to lastModified.
    return this.maxTimestampSoFar >= 0 ? this.maxTimestampSoFar : this.createdMs;
  }

  // ---------------------------------------------------------------- deletion

  /** Renames the segment's files to `<name>.deleted`; returns the new paths for a delayed unlink. */
  async renameToDeleted(suffix: string, includeTxnIndex = true): Promise<string[]> {
    this.retired = true;
    await this.pool.retire(this.file);
    const out: string[] = [];
    const paths = [this.logPath, this.offsetIndex.path, this.timeIndex.path];
    if (includeTxnIndex) paths.push(join(this.dir, offsetFileName(this.baseOffset, TXN_INDEX_SUFFIX)));
    for (const p of paths) {
      try {
        await rename(p, p + suffix);
        out.push(p + suffix);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    return out;
  }

  static async unlinkAll(paths: string[]): Promise<void> {
    for (const p of paths) await unlink(p).catch(() => undefined);
  }
}

/** Parses a batch header at `chunk[at]` (file position `pos`); null if it cannot be a complete batch. */
export function parseHeader(chunk: Buffer, at: number, pos: number, fileEnd: number): ScannedBatch | null {
  if (at + H.LOG_OVERHEAD > chunk.length) return null;
  const length = chunk.readInt32BE(at + H.BATCH_LENGTH);
  const size = length + H.LOG_OVERHEAD;
  if (length < MIN_V2_BATCH_LENGTH || pos + size > fileEnd) return null;
  if (at + H.BATCH_HEADER_SIZE > chunk.length) return null;
  const magic = chunk.readInt8(at + H.MAGIC);
  if (magic !== MAGIC_V2) return null;
  const baseOffset = Number(chunk.readBigInt64BE(at + H.BASE_OFFSET));
  const lastOffsetDelta = chunk.readInt32BE(at + H.LAST_OFFSET_DELTA);
  if (baseOffset < 0 || lastOffsetDelta < 0) return null;
  return {
    baseOffset,
    lastOffset: baseOffset + lastOffsetDelta,
    position: pos,
    size,
    maxTimestamp: Number(chunk.readBigInt64BE(at + H.MAX_TIMESTAMP)),
    magic,
  };
}

function findInTail(tail: BatchPosition[], offset: number, durableEnd: number): BatchPosition | null {
  let lo = 0;
  let hi = tail.length - 1;
  let found: BatchPosition | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const b = tail[mid]!;
    if (b.lastOffset >= offset) {
      found = b;
      hi = mid - 1;
    } else lo = mid + 1;
  }
  // Batches whose write is still in flight are not visible yet.
  return found && found.position + found.size <= durableEnd ? found : null;
}
