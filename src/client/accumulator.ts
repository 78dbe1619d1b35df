// The record accumulator: one queue of batches per partition. send() appends into the queue's open batch (a new one
// once the open batch would exceed batch.size); the sender drains batches that are full, older than linger.ms, or
// flushed. buffer.memory bounds the bytes held by unsent and in-flight batches: when full, appends wait up to
// max.block.ms for memory freed by completed batches (FIFO, so a large record is not starved by small ones).
import { BatchBuilder } from './batch-builder.js';
import { BATCH_HEADER_SIZE } from '../protocol/records/batch-header.js';
import { BufferExhaustedError } from './errors.js';
import type { Header } from './serdes.js';

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** Offset of the record; -1 when unknown (acks=0). */
  offset: number;
  /** CreateTime given/assigned at send, or the broker's LogAppendTime. */
  timestamp: number;
  serializedKeySize: number;
  serializedValueSize: number;
}

export type Completion = (err: Error | null, metadata: RecordMetadata | null) => void;

/** Something a record's outcome is reported to: a callback or an object with settle() (RecordFuture). */
export type CompletionTarget = Completion | { settle(err: Error | null, metadata: RecordMetadata | null): void };

export class ProducerBatch {
  readonly builder: BatchBuilder;
  readonly completions: CompletionTarget[] = [];
  readonly keySizes: number[] = [];
  readonly valueSizes: number[] = [];
  readonly timestamps: number[] = [];
  /** No more records go in (full, or drained). */
  closed = false;
  attempts = 0;
  retryAt = 0;
  /** After a leadership error: not sendable until metadata fetched after this time (ms). */
  needsMetadataAfter = 0;
  /** Final bytes once built (kept for retries so sequence/CRC stay identical). */
  built: Buffer | null = null;
  building = false;
  baseSequence = -1;
  done = false;
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly createdMs: number,
    readonly reservedBytes: number,
    capacity: number,
  ) {
    this.builder = new BatchBuilder(capacity);
  }
  get recordCount(): number {
    return this.builder.recordCount;
  }
}

export class PartitionQueue {
  /** Unsent batches, oldest first (retried batches are re-inserted in sequence order at the front). */
  readonly batches: ProducerBatch[] = [];
  /** Batches sent and awaiting a response, in send order. */
  readonly inFlight: ProducerBatch[] = [];
  nextSequence = 0;
  /** Appends waiting for buffer.memory; later records of this partition queue behind them to keep order. */
  blocked = 0;
  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}
}

interface MemoryWaiter {
  bytes: number;
  resolve: () => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Accumulator {
  readonly queues = new Map<string, PartitionQueue[]>();
  private used = 0;
  private readonly waiters: MemoryWaiter[] = [];
  /** Records appended but not yet completed (for flush). */
  incomplete = 0;

  constructor(
    private readonly batchSize: number,
    private readonly bufferMemory: number,
    private readonly maxBlockMs: number,
  ) {}

  queue(topic: string, partition: number): PartitionQueue {
    let arr = this.queues.get(topic);
    if (!arr) {
      arr = [];
      this.queues.set(topic, arr);
    }
    let q = arr[partition];
    if (!q) {
      q = new PartitionQueue(topic, partition);
      arr[partition] = q;
    }
    return q;
  }

  /** Whether appending a record of `estimate` bytes to this partition would open a new batch. */
  wouldOpenBatch(topic: string, partition: number, estimate: number): boolean {
    const q = this.queues.get(topic)?.[partition];
    const last = q?.batches[q.batches.length - 1];
    return !last || last.closed || !last.builder.hasRoomFor(estimate, this.batchSize);
  }

  /** Bytes a new batch for a record of `estimate` bytes reserves from buffer.memory. */
  reservationFor(estimate: number): number {
    return Math.max(this.batchSize, estimate + BATCH_HEADER_SIZE);
  }

  hasMemoryFor(bytes: number): boolean {
    return this.waiters.length === 0 && this.used + bytes <= this.bufferMemory;
  }

  /** Waits (FIFO) until `bytes` of buffer.memory are free, then reserves them. */
  waitForMemory(bytes: number, timeoutMs = this.maxBlockMs): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: MemoryWaiter = {
        bytes,
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new BufferExhaustedError(`Failed to allocate ${bytes} bytes within the configured max blocking time ${this.maxBlockMs} ms (buffer.memory=${this.bufferMemory})`));
          this.serveWaiters();
        }, timeoutMs),
      };
      this.waiters.push(waiter);
      this.serveWaiters();
    });
  }

  private serveWaiters(): void {
    while (this.waiters.length > 0) {
      const w = this.waiters[0]!;
      if (this.used + w.bytes > this.bufferMemory) return;
      this.waiters.shift();
      clearTimeout(w.timer);
      this.used += w.bytes;
      w.resolve();
    }
  }

  /**
   * Appends a record. `preReserved` is true when the caller already reserved a new batch's memory via
   * waitForMemory (then a new batch must be opened, or the reservation is returned).
   */
  append(
    topic: string,
    partition: number,
    timestamp: number,
    key: Buffer | null,
    value: Buffer | null,
    headers: Header[] | null,
    estimate: number,
    completion: CompletionTarget,
    now: number,
    preReserved = 0,
  ): { batch: ProducerBatch; newBatch: boolean } {
    const q = this.queue(topic, partition);
    let batch = q.batches[q.batches.length - 1];
    let newBatch = false;
    if (!batch || batch.closed || !batch.builder.hasRoomFor(estimate, this.batchSize)) {
      if (batch && !batch.closed) batch.closed = true;
      const reserve = preReserved || this.reservationFor(estimate);
      if (!preReserved) this.used += reserve;
      batch = new ProducerBatch(topic, partition, now, reserve, Math.min(reserve, Math.max(this.batchSize, estimate + BATCH_HEADER_SIZE)));
      q.batches.push(batch);
      newBatch = true;
    } else if (preReserved) {
      this.release(preReserved);
    }
    batch.builder.append(timestamp, key, value, headers);
    batch.completions.push(completion);
    batch.keySizes.push(key ? key.length : -1);
    batch.valueSizes.push(value ? value.length : -1);
    batch.timestamps.push(timestamp);
    this.incomplete++;
    if (batch.builder.sizeInBytes >= this.batchSize) batch.closed = true;
    return { batch, newBatch };
  }

  release(bytes: number): void {
    this.used -= bytes;
    if (this.waiters.length > 0) this.serveWaiters();
  }

  get usedBytes(): number {
    return this.used;
  }

  failAllWaiters(err: Error): void {
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(err);
    }
  }
}
