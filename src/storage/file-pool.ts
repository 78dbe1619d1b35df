// A capped pool of open file handles with least-recently-used eviction, so thousands of partitions (each with
// several segments) can be open without exhausting file descriptors. A file in use (refs > 0) is never closed
// under its user; a retired file (segment deleted or replaced) closes as soon as its last user is done.
import { open, type FileHandle } from 'node:fs/promises';

export class PooledFile {
  handle: FileHandle | null = null;
  opening: Promise<FileHandle> | null = null;
  refs = 0;
  retired = false;
  constructor(
    /** Current path; updated when the file is renamed (an open handle follows the inode). */
    public path: string,
  ) {}
}

export class FilePool {
  /** Open files in least- to most-recently used order (Map keeps insertion order). */
  private readonly lru = new Map<PooledFile, true>();
  opens = 0;

  constructor(readonly maxOpen = 1024) {}

  get openCount(): number {
    return this.lru.size;
  }

  /**
   * The open handle of a file for a short operation, without the async bookkeeping of `use` (hot path: reads and
   * appends on files that are already open). Null if the file must be opened first (then call `use`). Call
   * `done` when the operation finishes.
   */
  acquireOpen(file: PooledFile): FileHandle | null {
    const h = file.handle;
    if (!h || file.retired) return null;
    file.refs++;
    // LRU touch: move to the most recent end.
    this.lru.delete(file);
    this.lru.set(file, true);
    return h;
  }

  done(file: PooledFile): void {
    file.refs--;
    if (file.refs === 0 && file.retired) void this.closeNow(file);
  }

  /** Runs `fn` with the file's handle open; the handle stays cached for the next user. */
  async use<T>(file: PooledFile, fn: (fh: FileHandle) => Promise<T>): Promise<T> {
    if (file.retired) throw new Error(`${file.path}: file was closed`);
    file.refs++;
    try {
      const fh = await this.ensureOpen(file);
      this.lru.delete(file);
      this.lru.set(file, true);
      return await fn(fh);
    } finally {
      file.refs--;
      if (file.refs === 0 && file.retired) await this.closeNow(file);
      else this.evict();
    }
  }

  private async ensureOpen(file: PooledFile): Promise<FileHandle> {
    if (file.handle) return file.handle;
    if (!file.opening) {
      this.opens++;
      file.opening = open(file.path, 'r+').then(
        (fh) => {
          file.handle = fh;
          file.opening = null;
          this.lru.set(file, true);
          return fh;
        },
        (e: unknown) => {
          file.opening = null;
          throw e;
        },
      );
    }
    return file.opening;
  }

  private evict(): void {
    if (this.lru.size <= this.maxOpen) return;
    for (const f of this.lru.keys()) {
      if (this.lru.size <= this.maxOpen) break;
      if (f.refs === 0 && f.handle) void this.closeNow(f);
    }
  }

  private async closeNow(file: PooledFile): Promise<void> {
    this.lru.delete(file);
    const h = file.handle;
    file.handle = null;
    if (h) await h.close().catch(() => undefined);
  }

  /** Closes the file now if idle, else when its last user finishes; it cannot be used again. */
  async retire(file: PooledFile): Promise<void> {
    file.retired = true;
    if (file.opening) await file.opening.catch(() => undefined);
    if (file.refs === 0) await this.closeNow(file);
  }

  /** Closes an idle file's handle (it reopens on next use), e.g. before renaming on platforms that care. */
  async release(file: PooledFile): Promise<void> {
    if (file.refs === 0 && file.handle) await this.closeNow(file);
  }
}
