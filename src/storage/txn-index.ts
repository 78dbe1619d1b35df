// Aborted transactions of a partition, for read_committed fetches: Kafka's `.txnindex` (one per segment, holding
// the transactions whose ABORT marker lies in that segment). Entry (34 bytes, big endian):
//   int16 version (0) | int64 producerId | int64 firstOffset | int64 lastOffset | int64 lastStableOffset
// All entries are kept in memory (one per aborted transaction: small); the files are rewritten on flush, roll and
// close, and rebuilt from the log by recovery (the replay of producer state re-derives them).
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './checkpoint-files.js';
import { TXN_INDEX_SUFFIX, offsetFileName, parseOffsetFileName } from './file-names.js';
import type { AbortedTxn } from './producer-state.js';

const ENTRY_SIZE = 34;

export class TxnIndex {
  /** Sorted by lastOffset. */
  private entries: AbortedTxn[] = [];
  /** Smallest marker offset changed since the files were last written. */
  private dirtyFrom = Infinity;

  constructor(readonly dir: string) {}

  get all(): readonly AbortedTxn[] {
    return this.entries;
  }

  add(t: AbortedTxn): void {
    const last = this.entries[this.entries.length - 1];
    if (last && last.lastOffset >= t.lastOffset) {
      if (this.entries.some((e) => e.lastOffset === t.lastOffset)) return; // replayed
      this.entries.push(t);
      this.entries.sort((a, b) => a.lastOffset - b.lastOffset);
    } else this.entries.push(t);
    this.dirtyFrom = Math.min(this.dirtyFrom, t.lastOffset);
  }

  /** Log truncated to `offset`: forget markers at or after it. */
  truncateFrom(offset: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.lastOffset < offset);
    if (this.entries.length !== before) this.dirtyFrom = Math.min(this.dirtyFrom, offset);
  }

  /** Segments below `offset` were deleted (their .txnindex with them). */
  dropBefore(offset: number): void {
    this.entries = this.entries.filter((e) => e.lastOffset >= offset);
  }

  clear(): void {
    this.entries = [];
    this.dirtyFrom = Infinity;
  }

  /**
   * Aborted transactions overlapping [startOffset, upperBoundOffset): what a FetchResponse lists so a
   * read_committed consumer can drop their records.
   */
  collect(startOffset: number, upperBoundOffset: number): { producerId: number; firstOffset: number }[] {
    const out: { producerId: number; firstOffset: number }[] = [];
    for (const e of this.entries) {
      if (e.lastOffset >= startOffset && e.firstOffset < upperBoundOffset) out.push({ producerId: e.producerId, firstOffset: e.firstOffset });
    }
    return out;
  }

  /** Loads every `.txnindex` named in `names`; unreadable ones are ignored (recovery re-derives their content). */
  async load(names: string[]): Promise<void> {
    for (const n of names) {
      if (parseOffsetFileName(n, TXN_INDEX_SUFFIX) === null) continue;
      let data: Buffer;
      try {
        data = await readFile(join(this.dir, n));
      } catch {
        continue;
      }
      for (let at = 0; at + ENTRY_SIZE <= data.length; at += ENTRY_SIZE) {
        if (data.readInt16BE(at) !== 0) break;
        this.entries.push({
          producerId: Number(data.readBigInt64BE(at + 2)),
          firstOffset: Number(data.readBigInt64BE(at + 10)),
          lastOffset: Number(data.readBigInt64BE(at + 18)),
          lastStableOffset: Number(data.readBigInt64BE(at + 26)),
        });
      }
    }
    this.entries.sort((a, b) => a.lastOffset - b.lastOffset);
    this.dirtyFrom = Infinity;
  }

  /** Rewrites the `.txnindex` files of segments whose entries changed. `bases` are the segment base offsets. */
  async persist(bases: readonly number[]): Promise<void> {
    if (this.dirtyFrom === Infinity) return;
    const from = this.dirtyFrom;
    this.dirtyFrom = Infinity;
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i]!;
      const end = bases[i + 1] ?? Infinity;
      if (end <= from) continue;
      const mine = this.entries.filter((e) => e.lastOffset >= base && e.lastOffset < end);
      const path = join(this.dir, offsetFileName(base, TXN_INDEX_SUFFIX));
      if (mine.length === 0) {
        await unlink(path).catch(() => undefined);
        continue;
      }
      const buf = Buffer.alloc(mine.length * ENTRY_SIZE);
      mine.forEach((e, k) => {
        const at = k * ENTRY_SIZE;
        buf.writeInt16BE(0, at);
        buf.writeBigInt64BE(BigInt(e.producerId), at + 2);
        buf.writeBigInt64BE(BigInt(e.firstOffset), at + 10);
        buf.writeBigInt64BE(BigInt(e.lastOffset), at + 18);
        buf.writeBigInt64BE(BigInt(e.lastStableOffset), at + 26);
      });
      await writeFileAtomic(path, buf, false);
    }
  }
}
