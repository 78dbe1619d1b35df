// One partition as the broker sees it: its log plus the replication state Kafka keeps per partition (leader, leader
// epoch, replicas, ISR, high watermark). On a single node the leader is this broker, ISR = {self} and the high
// watermark follows the log end offset as soon as bytes are written; the fields exist so replication can move the
// HW on follower acknowledgement later without changing any handler.
import type { PartitionLog } from '../storage/index.js';

export type PartitionListener = () => void;

export class Partition {
  leaderEpoch = 0;
  /** Partition epoch (bumped on any change of replicas/ISR), reported by DescribeTopicPartitions. */
  partitionEpoch = 0;
  readonly replicas: number[];
  isr: number[];
  /** Appends are checked (sequence numbers) and handed to the log in arrival order through this chain. */
  appendTurn: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<PartitionListener>();

  constructor(
    readonly topic: string,
    readonly index: number,
    readonly log: PartitionLog,
    readonly leaderId: number,
  ) {
    this.replicas = [leaderId];
    this.isr = [leaderId];
  }

  get logEndOffset(): number {
    return this.log.logEndOffset;
  }
  get highWatermark(): number {
    return this.log.highWatermark;
  }
  get logStartOffset(): number {
    return this.log.logStartOffset;
  }
  get lastStableOffset(): number {
    return this.log.lastStableOffset;
  }

  /** Single node: every replica in the ISR has the data once it is written, so HW = LEO. */
  maybeAdvanceHighWatermark(): void {
    const leo = this.log.logEndOffset;
    if (this.log.highWatermark < leo) {
      this.log.highWatermark = leo;
      this.notify();
    }
  }

  /** Delayed fetches waiting for data on this partition. */
  onChange(l: PartitionListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Bumped on every notify(): a reader compares it across an await to detect a change it could not hear. */
  changes = 0;

  notify(): void {
    this.changes++;
    for (const l of [...this.listeners]) l();
  }
}
