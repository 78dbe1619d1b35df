// The last batches appended to each partition, kept in memory so consumers reading at the tail of the log (the
// common case: a consumer keeping up) are answered without a file read — one thread-pool round trip less on the
// produce-to-consume path, which is what end-to-end latency is made of.
//
// Correctness rests on three rules:
// - an entry holds exactly the bytes storage wrote (after it stamped offsets, leader epoch, LogAppendTime), and is
//   added only once the append has completed (so it is at or below the high watermark on one node);
// - entries of a partition are contiguous in offsets: an append that does not continue the cached range (the
//   coordinator's __consumer_offsets writes bypass the cache, a restart) resets that partition's cache;
// - a lookup only answers when the fetch offset falls inside the cached range; anything else goes to storage.
// Memory is bounded per partition and globally (oldest entries are dropped first).

export interface CachedBatch {
  baseOffset: number;
  lastOffset: number;
  bytes: Buffer;
  /** False once evicted or reset; the global queue may still reference it. */
  live: boolean;
}

export interface TailRead {
  data: Buffer;
  /** Offset after the last returned batch. */
  nextOffset: number;
}

export class PartitionTailCache {
  entries: CachedBatch[] = [];
  bytes = 0;

  constructor(private readonly owner: TailCache) {}

  /** Offset after the last cached batch, or -1 when empty. */
  get nextOffset(): number {
    const last = this.entries[this.entries.length - 1];
    return last ? last.lastOffset + 1 : -1;
  }

  get startOffset(): number {
    return this.entries[0]?.baseOffset ?? -1;
  }

  add(baseOffset: number, lastOffset: number, bytes: Buffer): void {
    if (this.entries.length > 0 && baseOffset !== this.nextOffset) this.reset();
    // Do not pin a large socket read buffer for a small batch.
    const own = bytes.buffer.byteLength > bytes.length * 2 ? Buffer.from(bytes) : bytes;
    const e: CachedBatch = { baseOffset, lastOffset, bytes: own, live: true };
    this.entries.push(e);
    this.bytes += own.length;
    this.owner.track(this, e);
    while (this.entries.length > 1 && (this.bytes > this.owner.maxBytesPerPartition || this.entries.length > this.owner.maxEntriesPerPartition)) {
      this.dropOldest();
    }
  }

  dropOldest(): void {
    const e = this.entries.shift();
    if (!e) return;
    e.live = false;
    this.bytes -= e.bytes.length;
    this.owner.untrack(e);
  }

  reset(): void {
    while (this.entries.length > 0) this.dropOldest();
  }

  /**
   * Whole batches from the one containing `offset`, below `bound`, at most `maxBytes` (but the first batch even if
   * larger when `minOneMessage`); undefined when `offset` is outside the cached range.
   */
  read(offset: number, maxBytes: number, bound: number, minOneMessage: boolean): TailRead | undefined {
    const n = this.entries.length;
    if (n === 0 || offset < this.entries[0]!.baseOffset || offset >= this.nextOffset) return undefined;
    // Binary search for the first batch whose lastOffset >= offset.
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    const parts: Buffer[] = [];
    let size = 0;
    let next = offset;
    for (let i = lo; i < n; i++) {
      const e = this.entries[i]!;
      if (e.baseOffset >= bound) break;
      if (size + e.bytes.length > maxBytes && !(parts.length === 0 && minOneMessage)) break;
      parts.push(e.bytes);
      size += e.bytes.length;
      next = e.lastOffset + 1;
    }
    if (parts.length === 0) return { data: Buffer.alloc(0), nextOffset: offset };
    return { data: parts.length === 1 ? parts[0]! : Buffer.concat(parts, size), nextOffset: next };
  }
}

export class TailCache {
  private readonly queue: { cache: PartitionTailCache; entry: CachedBatch }[] = [];
  private head = 0;
  private totalBytes = 0;
  private liveEntries = 0;

  constructor(
    readonly maxBytes = 64 * 1024 * 1024,
    readonly maxBytesPerPartition = 1024 * 1024,
    readonly maxEntriesPerPartition = 1024,
  ) {}

  forPartition(): PartitionTailCache {
    return new PartitionTailCache(this);
  }

  get bytes(): number {
    return this.totalBytes;
  }

  track(cache: PartitionTailCache, entry: CachedBatch): void {
    this.queue.push({ cache, entry });
    this.totalBytes += entry.bytes.length;
    this.liveEntries++;
    // Global budget: drop the globally oldest live entries (each is its partition's oldest).
    while (this.totalBytes > this.maxBytes && this.head < this.queue.length) {
      const { cache: c, entry: e } = this.queue[this.head++]!;
      if (e.live && c.entries[0] === e) c.dropOldest();
    }
    this.compact();
  }

  untrack(entry: CachedBatch): void {
    this.totalBytes -= entry.bytes.length;
    this.liveEntries--;
  }

  get queueLength(): number {
    return this.queue.length - this.head;
  }

  /** Forget queue slots of dead entries now and then, so the queue does not grow without bound. */
  private compact(): void {
    while (this.head < this.queue.length && !this.queue[this.head]!.entry.live) this.head++;
    if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    // Dead entries can also pile up behind a long-lived one at the head: filter them out when they dominate.
    if (this.queue.length - this.head > 4 * this.liveEntries + 4096) {
      const kept = this.queue.slice(this.head).filter((q) => q.entry.live);
      this.queue.length = 0;
      this.queue.push(...kept);
      this.head = 0;
    }
  }
}
