// Memory-resident copy of a segment's fixed-size-entry index file (.index or .timeindex). Kafka mmaps these files;
// Gregor keeps the entries in a Buffer (binary search happens there) and writes new entries to the file when the
// segment is flushed, rolled or closed, which is when Kafka's dirty mmap pages would reach the disk too. An index
// is derived data: recovery rebuilds it from the .log whenever it is missing or fails the sanity check.
import { open, readFile, stat, truncate } from 'node:fs/promises';

export class CorruptIndexError extends Error {
  override readonly name = 'CorruptIndexError';
}

export abstract class IndexFile {
  protected buf: Buffer;
  protected count = 0;
  /** Entries already written to the file (a prefix of `count`). */
  private persisted = 0;
  /** The file holds exactly `persisted` entries (false while preallocated to the maximum size). */
  private trimmed = true;

  constructor(
    readonly path: string,
    readonly baseOffset: number,
    readonly entrySize: number,
    /** segment.index.bytes rounded down to whole entries. */
    readonly maxEntries: number,
    initialCapacity = 64,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(1, Math.min(initialCapacity, maxEntries)) * entrySize);
  }

  get entries(): number {
    return this.count;
  }
  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }
  /** Bytes the valid entries occupy (the file size after trimming). */
  get sizeInBytes(): number {
    return this.count * this.entrySize;
  }

  protected reserve(): number {
    const need = (this.count + 1) * this.entrySize;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.min(Math.max(need, this.buf.length * 2), this.maxEntries * this.entrySize));
      this.buf.copy(next, 0, 0, this.count * this.entrySize);
      this.buf = next;
    }
    return this.count * this.entrySize;
  }

  /** Drops entries from `n` on. */
  protected truncateEntries(n: number): void {
    if (n >= this.count) return;
    this.count = n;
    if (this.persisted > n) {
      this.persisted = n;
      this.trimmed = false; // file holds stale entries past n: rewrite/trim at next persist
    }
  }

  /** Loads the file's entries; throws CorruptIndexError if the content is not a valid index for this segment. */
  async load(logSize: number): Promise<void> {
    const data = await readFile(this.path);
    if (data.length % this.entrySize !== 0 && data.length < this.maxEntries * this.entrySize) {
      throw new CorruptIndexError(`${this.path}: size ${data.length} is not a multiple of ${this.entrySize}`);
    }
    const n = Math.floor(data.length / this.entrySize);
    const valid = this.validPrefix(data, n, logSize);
    // Anything after the valid prefix must be preallocated zeros (an unclean stop of an active segment).
    for (let i = valid * this.entrySize; i < n * this.entrySize; i++) {
      if (data[i] !== 0) throw new CorruptIndexError(`${this.path}: invalid entry ${Math.floor(i / this.entrySize)}`);
    }
    this.buf = Buffer.allocUnsafe(Math.max(valid, 1) * this.entrySize);
    data.copy(this.buf, 0, 0, valid * this.entrySize);
    this.count = valid;
    this.persisted = valid;
    this.trimmed = data.length === valid * this.entrySize;
  }

  /** How many leading entries of `data` are valid (subclass rules: increasing offsets, positions inside the log). */
  protected abstract validPrefix(data: Buffer, n: number, logSize: number): number;

  /** Creates the file preallocated (sparse) to its maximum size, as Kafka does for the active segment. */
  async create(preallocate: boolean): Promise<void> {
    const fh = await open(this.path, 'w');
    try {
      if (preallocate) await fh.truncate(this.maxEntries * this.entrySize);
    } finally {
      await fh.close();
    }
    this.count = 0;
    this.persisted = 0;
    this.trimmed = !preallocate;
  }

  /** Writes entries not yet in the file; with `trim`, also cuts the file to exactly the valid entries. */
  async persist(trim: boolean): Promise<void> {
    const from = this.persisted;
    const to = this.count;
    if (from === to && (this.trimmed || !trim)) return;
    const fh = await open(this.path, 'r+').catch(async (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return open(this.path, 'w+');
      throw e;
    });
    try {
      if (to > from) await fh.write(this.buf, from * this.entrySize, (to - from) * this.entrySize, from * this.entrySize);
      if (trim) {
        await fh.truncate(to * this.entrySize);
        this.trimmed = true;
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    this.persisted = to;
  }

  /** Rewrites the whole file from memory (after a rebuild). */
  async rewrite(): Promise<void> {
    await truncate(this.path, 0).catch(() => undefined);
    this.persisted = 0;
    this.trimmed = false;
    await this.persist(true);
  }

  async fileExists(): Promise<boolean> {
    try {
      await stat(this.path);
      return true;
    } catch {
      return false;
    }
  }

  /** Index of the last entry whose key (per `keyAt`) is <= target, or -1. */
  protected floorEntry(target: number, keyAt: (i: number) => number): number {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (keyAt(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  reset(): void {
    this.count = 0;
    this.persisted = 0;
    this.trimmed = false;
  }
}

/** `.index`: (int32 offset relative to the segment's base offset, int32 byte position in the .log). */
export class OffsetIndex extends IndexFile {
  static readonly ENTRY_SIZE = 8;

  constructor(path: string, baseOffset: number, maxIndexBytes: number) {
    super(path, baseOffset, OffsetIndex.ENTRY_SIZE, Math.floor(maxIndexBytes / OffsetIndex.ENTRY_SIZE));
  }

  offsetAt(i: number): number {
    return this.baseOffset + this.buf.readInt32BE(i * 8);
  }
  positionAt(i: number): number {
    return this.buf.readInt32BE(i * 8 + 4);
  }
  get lastOffset(): number {
    return this.count === 0 ? this.baseOffset : this.offsetAt(this.count - 1);
  }

  append(offset: number, position: number): void {
    if (this.count > 0 && offset <= this.lastOffset) return; // Kafka rejects non-increasing entries; they add nothing
    if (this.isFull) return;
    const at = this.reserve();
    this.buf.writeInt32BE(offset - this.baseOffset, at);
    this.buf.writeInt32BE(position, at + 4);
    this.count++;
  }

  /** The entry with the largest offset <= target; (baseOffset, 0) when there is none. */
  lookup(target: number): { offset: number; position: number } {
    const i = this.floorEntry(target, (k) => this.offsetAt(k));
    return i < 0 ? { offset: this.baseOffset, position: 0 } : { offset: this.offsetAt(i), position: this.positionAt(i) };
  }

  /** Removes entries for offsets >= `offset`. */
  truncateToOffset(offset: number): void {
    const i = this.floorEntry(offset - 1, (k) => this.offsetAt(k));
    this.truncateEntries(i + 1);
  }

  protected validPrefix(data: Buffer, n: number, logSize: number): number {
    let prevRel = -1;
    let prevPos = -1;
    for (let i = 0; i < n; i++) {
      const rel = data.readInt32BE(i * 8);
      const pos = data.readInt32BE(i * 8 + 4);
      if (rel <= prevRel || pos < prevPos || pos >= logSize || rel < 0) return i;
      prevRel = rel;
      prevPos = pos;
    }
    return n;
  }
}

/** `.timeindex`: (int64 timestamp, int32 relative offset); timestamps strictly increase. */
export class TimeIndex extends IndexFile {
  static readonly ENTRY_SIZE = 12;

  constructor(path: string, baseOffset: number, maxIndexBytes: number) {
    super(path, baseOffset, TimeIndex.ENTRY_SIZE, Math.floor(maxIndexBytes / TimeIndex.ENTRY_SIZE));
  }

  timestampAt(i: number): number {
    return Number(this.buf.readBigInt64BE(i * 12));
  }
  offsetAt(i: number): number {
    return this.baseOffset + this.buf.readInt32BE(i * 12 + 8);
  }
  /** Last entry, or (-1, baseOffset) when empty (Kafka's convention). */
  get lastEntry(): { timestamp: number; offset: number } {
    return this.count === 0
      ? { timestamp: -1, offset: this.baseOffset }
      : { timestamp: this.timestampAt(this.count - 1), offset: this.offsetAt(this.count - 1) };
  }

  /** Adds an entry if `timestamp` is larger than the last one (and `force` skips the full check, for the final entry). */
  maybeAppend(timestamp: number, offset: number, force = false): void {
    if (this.count > 0) {
      const last = this.lastEntry;
      if (timestamp <= last.timestamp || offset < last.offset) return;
    }
    if (this.isFull && !force) return;
    if (this.count >= this.maxEntries) return;
    const at = this.reserve();
    this.buf.writeBigInt64BE(BigInt(timestamp), at);
    this.buf.writeInt32BE(offset - this.baseOffset, at + 8);
    this.count++;
  }

  /** The entry with the largest timestamp <= target; (-1, baseOffset) when there is none. */
  lookup(target: number): { timestamp: number; offset: number } {
    const i = this.floorEntry(target, (k) => this.timestampAt(k));
    return i < 0 ? { timestamp: -1, offset: this.baseOffset } : { timestamp: this.timestampAt(i), offset: this.offsetAt(i) };
  }

  /** Removes entries pointing at offsets >= `offset`. */
  truncateToOffset(offset: number): void {
    let n = this.count;
    while (n > 0 && this.offsetAt(n - 1) >= offset) n--;
    this.truncateEntries(n);
  }

  protected validPrefix(data: Buffer, n: number): number {
    let prevTs = -Infinity;
    let prevRel = -1;
    for (let i = 0; i < n; i++) {
      const ts = Number(data.readBigInt64BE(i * 12));
      const rel = data.readInt32BE(i * 12 + 8);
      if (ts <= prevTs || rel < prevRel || rel < 0 || (i > 0 && ts === 0 && rel === 0)) return i;
      prevTs = ts;
      prevRel = rel;
    }
    return n;
  }
}
