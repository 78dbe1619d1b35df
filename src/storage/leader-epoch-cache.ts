// Per-partition leader epoch history (`leader-epoch-checkpoint`): for each leader epoch, the first offset written
// in it. Used by OffsetsForLeaderEpoch and follower truncation. Entries strictly increase in both fields.
import { join } from 'node:path';
import { LEADER_EPOCH_CHECKPOINT } from './file-names.js';
import { readLeaderEpochCheckpoint, writeLeaderEpochCheckpoint, type EpochEntry } from './checkpoint-files.js';

export class LeaderEpochCache {
  private entries: EpochEntry[] = [];
  private dirty = false;
  readonly path: string;

  constructor(partitionDir: string) {
    this.path = join(partitionDir, LEADER_EPOCH_CHECKPOINT);
  }

  async load(): Promise<void> {
    try {
      this.entries = (await readLeaderEpochCheckpoint(this.path)) ?? [];
    } catch {
      this.entries = []; // unreadable checkpoint: rebuilt from batches by recovery
    }
    this.normalize();
  }

  private normalize(): void {
    const out: EpochEntry[] = [];
    for (const e of this.entries) {
      const last = out[out.length - 1];
      if (!last || (e.epoch > last.epoch && e.startOffset >= last.startOffset)) out.push(e);
    }
    this.entries = out;
  }

  get all(): readonly EpochEntry[] {
    return this.entries;
  }
  get latestEpoch(): number {
    return this.entries.length ? this.entries[this.entries.length - 1]!.epoch : -1;
  }
  get isDirty(): boolean {
    return this.dirty;
  }

  /** Records that `epoch` starts at `startOffset` (ignored unless newer than the latest epoch). */
  assign(epoch: number, startOffset: number): void {
    if (epoch < 0) return;
    const last = this.entries[this.entries.length - 1];
    if (last && epoch <= last.epoch) return;
    // A later epoch cannot start before an earlier one: drop entries that would be contradicted.
    while (this.entries.length && this.entries[this.entries.length - 1]!.startOffset > startOffset) this.entries.pop();
    this.entries.push({ epoch, startOffset });
    this.dirty = true;
  }

  /**
   * OffsetsForLeaderEpoch: the largest epoch <= requested and the end offset of that epoch (the start of the next
   * epoch, or the log end offset for the latest). (-1, -1) if the requested epoch precedes every known one.
   */
  endOffsetFor(requestedEpoch: number, logEndOffset: number): { epoch: number; endOffset: number } {
    if (this.entries.length === 0) return { epoch: -1, endOffset: -1 };
    if (requestedEpoch === this.latestEpoch) return { epoch: requestedEpoch, endOffset: logEndOffset };
    let i = this.entries.length - 1;
    while (i >= 0 && this.entries[i]!.epoch > requestedEpoch) i--;
    if (i < 0) return { epoch: -1, endOffset: -1 };
    const next = this.entries[i + 1];
    return { epoch: this.entries[i]!.epoch, endOffset: next ? next.startOffset : logEndOffset };
  }

  /** Forgets epochs starting at or after `endOffset` (log truncated to endOffset). */
  truncateFromEnd(endOffset: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.startOffset < endOffset);
    if (this.entries.length !== before) this.dirty = true;
  }

  /** Log start moved to `startOffset`: earlier epochs go, the one covering it starts there. */
  truncateFromStart(startOffset: number): void {
    let i = 0;
    while (i + 1 < this.entries.length && this.entries[i + 1]!.startOffset <= startOffset) i++;
    if (i > 0) {
      this.entries = this.entries.slice(i);
      this.dirty = true;
    }
    const first = this.entries[0];
    if (first && first.startOffset < startOffset) {
      this.entries[0] = { epoch: first.epoch, startOffset };
      this.dirty = true;
    }
  }

  clear(): void {
    if (this.entries.length) this.dirty = true;
    this.entries = [];
  }

  async persist(force = false): Promise<void> {
    if (!this.dirty && !force) return;
    this.dirty = false;
    await writeLeaderEpochCheckpoint(this.path, this.entries.slice());
  }
}
