// Idempotent/transactional producer state of one partition: per producer id, its epoch and the metadata of its last
// 5 batches (Kafka keeps 5 in flight per connection), the first offset of an open transaction, and the snapshot
// files (`<offset>.snapshot`) that make recovery fast. The broker checks sequences against this state; storage
// updates it on every append and persists it at roll and close.
//
// Snapshot format (ProducerSnapshot.json, version 1, big endian):
//   int16 version | uint32 crc | int32 count | count × (int64 producerId, int16 epoch, int32 lastSequence,
//   int64 lastOffset, int32 offsetDelta, int64 timestamp, int32 coordinatorEpoch, int64 currentTxnFirstOffset)
// crc = CRC32C of everything after the crc field. Like Kafka, only the latest batch of each producer is persisted.
// The body is the generated ProducerSnapshot codec; the version prefix and CRC are Kafka's framing around it.
import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecordBatchView } from '../protocol/records/batch-view.js';
import { crc32c } from '../protocol/records/crc32c.js';
import { decodeRecordBatch } from '../protocol/records/record-batch.js';
import { ControlRecordType, decodeControlBatch, type ControlRecord } from '../protocol/records/control-records.js';
import { Reader } from '../protocol/primitives/reader.js';
import { Writer } from '../protocol/primitives/writer.js';
import {
  decodeProducerSnapshot,
  encodeProducerSnapshot,
  type ProducerSnapshotProducerEntry,
} from '../protocol/generated/internal/producer-snapshot.js';
import { writeFileAtomic } from './checkpoint-files.js';
import { SNAPSHOT_SUFFIX, offsetFileName, parseOffsetFileName } from './file-names.js';

export const MAX_BATCHES_PER_PRODUCER = 5;
const SNAPSHOT_VERSION = 1;
const ENTRY_SIZE = 46;
const HEADER_SIZE = 10;
const CRC_AT = 2;
const CRC_COVERS_FROM = 6;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
  timestamp: number;
}

/** An aborted transaction as Kafka's `.txnindex` stores it. */
export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the ABORT marker. */
  lastOffset: number;
  /** The last stable offset once this transaction completed. */
  lastStableOffset: number;
}

export interface ProducerStateEntry {
  producerId: number;
  producerEpoch: number;
  /** Oldest first; at most MAX_BATCHES_PER_PRODUCER. */
  batches: BatchMetadata[];
  coordinatorEpoch: number;
  /** First offset of the producer's open transaction, -1 if none. */
  currentTxnFirstOffset: number;
  lastTimestamp: number;
}

export class ProducerStateManager {
  readonly producers = new Map<number, ProducerStateEntry>();
  /** Offset after the last batch this state reflects. */
  mapEndOffset = 0;

  constructor(readonly dir: string) {}

  get(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /** The last batch written by a producer, or undefined. */
  lastBatch(producerId: number): BatchMetadata | undefined {
    const e = this.producers.get(producerId);
    return e?.batches[e.batches.length - 1];
  }

  /** A batch of this producer with exactly these sequences among the retained ones (a retried produce), or null. */
  findDuplicateBatch(producerId: number, epoch: number, firstSeq: number, lastSeq: number): BatchMetadata | null {
    const e = this.producers.get(producerId);
    if (!e || e.producerEpoch !== epoch) return null;
    return e.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq) ?? null;
  }

  /** Smallest first offset of an open transaction (the last stable offset bound), or null. */
  firstUnstableOffset(): number | null {
    let min: number | null = null;
    for (const e of this.producers.values()) {
      if (e.currentTxnFirstOffset >= 0 && (min === null || e.currentTxnFirstOffset < min)) min = e.currentTxnFirstOffset;
    }
    return min;
  }

  /** Applies an appended batch (offsets already assigned). */
  /**
   * Applies an appended batch (offsets already assigned). For an ABORT marker, returns the aborted transaction
   * (what the `.txnindex` records so read_committed consumers can skip its data).
   */
  update(view: RecordBatchView): AbortedTxn | null {
    this.mapEndOffset = Math.max(this.mapEndOffset, view.lastOffset + 1);
    const pid = view.producerId;
    if (pid < 0) return null;
    let e = this.producers.get(pid);
    const epoch = view.producerEpoch;
    if (!e) {
      e = { producerId: pid, producerEpoch: epoch, batches: [], coordinatorEpoch: -1, currentTxnFirstOffset: -1, lastTimestamp: -1 };
      this.producers.set(pid, e);
    } else if (epoch > e.producerEpoch) {
      e.producerEpoch = epoch;
      e.batches = [];
    }
    e.lastTimestamp = view.maxTimestamp;
    if (view.isControl) {
      // A transaction marker (commit or abort) closes the producer's open transaction.
      const firstOffset = e.currentTxnFirstOffset;
      e.currentTxnFirstOffset = -1;
      const marker = readMarker(view);
      if (marker && 'coordinatorEpoch' in marker) e.coordinatorEpoch = marker.coordinatorEpoch;
      if (marker?.type === ControlRecordType.Abort && firstOffset >= 0) {
        const lso = this.firstUnstableOffset();
        return { producerId: pid, firstOffset, lastOffset: view.lastOffset, lastStableOffset: lso ?? view.lastOffset + 1 };
      }
      return null;
    }
    if (view.isTransactional && e.currentTxnFirstOffset < 0) e.currentTxnFirstOffset = view.baseOffset;
    const prev = e.batches[e.batches.length - 1];
    if (prev && view.lastOffset <= prev.lastOffset) return null; // already applied (replay after a snapshot)
    if (view.baseSequence >= 0) {
      e.batches.push({
        firstSeq: view.baseSequence,
        lastSeq: view.lastSequence,
        firstOffset: view.baseOffset,
        lastOffset: view.lastOffset,
        timestamp: view.maxTimestamp,
      });
      if (e.batches.length > MAX_BATCHES_PER_PRODUCER) e.batches.shift();
    }
    return null;
  }

  /** Drops producers idle for longer than producer.id.expiration.ms (without an open transaction). */
  removeExpired(nowMs: number, expirationMs: number): number {
    let n = 0;
    for (const [pid, e] of this.producers) {
      if (e.currentTxnFirstOffset < 0 && nowMs - e.lastTimestamp >= expirationMs) {
        this.producers.delete(pid);
        n++;
      }
    }
    return n;
  }

  clear(mapEndOffset: number): void {
    this.producers.clear();
    this.mapEndOffset = mapEndOffset;
  }

  // ------------------------------------------------------------------ snapshots

  /**
   * The snapshot of the state as of `upToExclusive`: per producer, its latest batch below that offset (state for
   * later offsets, applied at enqueue time while their write is in flight, is left out).
   */
  encodeSnapshot(upToExclusive = this.mapEndOffset): Buffer {
    const producerEntries: ProducerSnapshotProducerEntry[] = [];
    for (const e of this.producers.values()) {
      let last: BatchMetadata | undefined;
      for (const b of e.batches) if (b.lastOffset < upToExclusive) last = b;
      const txn = e.currentTxnFirstOffset >= 0 && e.currentTxnFirstOffset < upToExclusive ? e.currentTxnFirstOffset : -1;
      if (!last && txn < 0) continue;
      producerEntries.push({
        producerId: BigInt(e.producerId),
        epoch: e.producerEpoch,
        lastSequence: last ? last.lastSeq : -1,
        lastOffset: BigInt(last ? last.lastOffset : -1),
        offsetDelta: last ? last.lastOffset - last.firstOffset : 0,
        timestamp: BigInt(last ? last.timestamp : e.lastTimestamp),
        coordinatorEpoch: e.coordinatorEpoch,
        currentTxnFirstOffset: BigInt(txn),
      });
    }
    const w = new Writer(HEADER_SIZE + producerEntries.length * ENTRY_SIZE);
    w.writeInt16(SNAPSHOT_VERSION);
    encodeProducerSnapshot(w, { crc: 0, producerEntries }, SNAPSHOT_VERSION);
    const buf = w.toBuffer();
    buf.writeUInt32BE(crc32c(buf.subarray(CRC_COVERS_FROM)), CRC_AT);
    return buf;
  }

  /** Replaces the state with a snapshot's content; throws on a bad version, size or CRC. */
  decodeSnapshot(buf: Buffer, mapEndOffset: number): void {
    if (buf.length < HEADER_SIZE) throw new Error('producer snapshot too short');
    const r = new Reader(buf);
    const version = r.readInt16();
    if (version !== SNAPSHOT_VERSION) throw new Error(`producer snapshot version ${version}`);
    if (crc32c(buf.subarray(CRC_COVERS_FROM)) !== buf.readUInt32BE(CRC_AT)) throw new Error('producer snapshot CRC mismatch');
    const snap = decodeProducerSnapshot(r, version);
    if (r.remaining() !== 0) throw new Error('producer snapshot has trailing bytes');
    this.producers.clear();
    for (const p of snap.producerEntries) {
      const producerId = Number(p.producerId);
      const lastOffset = Number(p.lastOffset);
      const timestamp = Number(p.timestamp);
      const batches: BatchMetadata[] =
        lastOffset >= 0
          ? [
              {
                firstSeq: p.lastSequence - p.offsetDelta,
                lastSeq: p.lastSequence,
                firstOffset: lastOffset - p.offsetDelta,
                lastOffset,
                timestamp,
              },
            ]
          : [];
      this.producers.set(producerId, {
        producerId,
        producerEpoch: p.epoch,
        batches,
        coordinatorEpoch: p.coordinatorEpoch,
        currentTxnFirstOffset: Number(p.currentTxnFirstOffset),
        lastTimestamp: timestamp,
      });
    }
    this.mapEndOffset = mapEndOffset;
  }

  /** Writes `<offset>.snapshot` with the state below `offset`. */
  async takeSnapshotAt(offset: number, sync = false): Promise<string> {
    const path = join(this.dir, offsetFileName(offset, SNAPSHOT_SUFFIX));
    await writeFileAtomic(path, this.encodeSnapshot(offset), sync);
    this.remember(offset);
    return path;
  }

  /** Snapshot offsets on disk, kept in memory once known (saves a readdir per operation at startup). */
  private known: number[] | null = null;

  /** Seeds the snapshot list from a directory listing the caller already has. */
  primeSnapshotList(names: string[]): void {
    this.known = names
      .map((n) => parseOffsetFileName(n, SNAPSHOT_SUFFIX))
      .filter((o): o is number => o !== null)
      .sort((a, b) => a - b);
  }

  async listSnapshots(): Promise<number[]> {
    if (this.known === null) this.primeSnapshotList(await readdir(this.dir).catch(() => [] as string[]));
    return this.known!.slice();
  }

  private forget(offset: number): void {
    if (this.known) this.known = this.known.filter((o) => o !== offset);
  }

  private remember(offset: number): void {
    if (this.known && !this.known.includes(offset)) this.known = [...this.known, offset].sort((a, b) => a - b);
  }

  /** Loads the newest valid snapshot at or below `maxOffset`; returns its offset or null (state cleared). */
  async loadLatestSnapshot(maxOffset: number, fallbackStart: number): Promise<number | null> {
    const offsets = (await this.listSnapshots()).filter((o) => o <= maxOffset).reverse();
    for (const o of offsets) {
      try {
        this.decodeSnapshot(await readFile(join(this.dir, offsetFileName(o, SNAPSHOT_SUFFIX))), o);
        return o;
      } catch {
        await unlink(join(this.dir, offsetFileName(o, SNAPSHOT_SUFFIX))).catch(() => undefined);
        this.forget(o);
      }
    }
    this.clear(fallbackStart);
    return null;
  }

  /** Removes snapshots with offset > `offset` (after truncation) or < `offset` keeping the newest `keep`. */
  async deleteSnapshotsAfter(offset: number): Promise<void> {
    for (const o of await this.listSnapshots()) {
      if (o > offset) {
        await unlink(join(this.dir, offsetFileName(o, SNAPSHOT_SUFFIX))).catch(() => undefined);
        this.forget(o);
      }
    }
  }

  async deleteSnapshotsBefore(offset: number, keep = 2): Promise<void> {
    const all = await this.listSnapshots();
    const old = all.filter((o) => o < offset);
    const protectedSet = new Set(all.slice(-keep));
    for (const o of old) {
      if (!protectedSet.has(o)) {
        await unlink(join(this.dir, offsetFileName(o, SNAPSHOT_SUFFIX))).catch(() => undefined);
        this.forget(o);
      }
    }
  }
}

/** The COMMIT/ABORT marker of a control batch, or null if unreadable (it still ends the transaction). */
function readMarker(view: RecordBatchView): ControlRecord | null {
  try {
    return decodeControlBatch(decodeRecordBatch(view, { verifyCrc: false }));
  } catch {
    return null;
  }
}
