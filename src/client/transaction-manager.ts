// Transactions for the producer (Java's KafkaProducer transactional API), kept apart from the sending machinery.
//
// initTransactions: InitProducerId through the transaction coordinator (fences older instances of the same
// transactional.id). In a transaction, a partition's batches are sent only after AddPartitionsToTxn registered the
// partition; sendOffsetsToTransaction = AddOffsetsToTxn + TxnOffsetCommit to the group coordinator;
// commit/abort = flush (abort: drop unsent batches) + EndTxn. Batches carry the transactional attribute bit.
import { Cluster, kafkaError, sleep } from './cluster.js';
import type { RequestSpec } from './connection.js';
import { spec } from './requests.js';
import { ConfigError, KafkaClientError, KafkaError, UnsupportedFeatureError } from './errors.js';
import { groupBy, type TopicPartition } from './types.js';
import { ApiKeys } from '../protocol/generated/api-keys.js';
import { encodeAddPartitionsToTxnRequest } from '../protocol/generated/messages/add-partitions-to-txn-request.js';
import { decodeAddPartitionsToTxnResponse } from '../protocol/generated/messages/add-partitions-to-txn-response.js';
import { encodeAddOffsetsToTxnRequest } from '../protocol/generated/messages/add-offsets-to-txn-request.js';
import { decodeAddOffsetsToTxnResponse } from '../protocol/generated/messages/add-offsets-to-txn-response.js';
import { encodeEndTxnRequest } from '../protocol/generated/messages/end-txn-request.js';
import { decodeEndTxnResponse } from '../protocol/generated/messages/end-txn-response.js';
import { encodeTxnOffsetCommitRequest } from '../protocol/generated/messages/txn-offset-commit-request.js';
import { decodeTxnOffsetCommitResponse } from '../protocol/generated/messages/txn-offset-commit-response.js';

/** What the transaction manager needs from its producer. */
export interface TransactionHost {
  readonly cluster: Cluster;
  readonly transactionalId: string;
  readonly maxBlockMs: number;
  readonly retryBackoffMs: number;
  producerIdAndEpoch(): { producerId: bigint; producerEpoch: number };
  ensureProducerId(): Promise<void>;
  flush(): Promise<void>;
  wakeup(): void;
  /** Fails and removes the unsent batches of one partition, or of every partition. */
  failUnsent(err: Error, tp?: TopicPartition): void;
}

export class TransactionManager {
  constructor(private readonly host: TransactionHost) {}

  /** Whether a record may be sent now (only inside a transaction). */
  get inTransaction(): boolean {
    return this.state === 'in_transaction';
  }

  /** Whether a partition's batches may be sent (registered with AddPartitionsToTxn). */
  isAdded(topic: string, partition: number): boolean {
    return this.partitions.has(`${topic}\u0000${partition}`);
  }

  /** A batch of the current transaction failed: the transaction can only be aborted now. */
  onBatchFailed(err: Error): void {
    if (this.state !== 'aborting') this.error ??= err;
  }

  private requireState(...allowed: (typeof this.state)[]): void {
    if (this.error && this.state === 'in_transaction' && !allowed.includes('abortable')) {
      throw new KafkaClientError(`Cannot proceed: the transaction failed (${this.error.message}); call abortTransaction()`);
    }
    if (!allowed.includes(this.state)) throw new KafkaClientError(`Invalid transition attempted from state ${this.state.toUpperCase()}`);
  }

  private async txnRequest<T>(build: () => RequestSpec<T>, errorOf: (r: T) => number, what: string): Promise<T> {
    const txnId = this.host.transactionalId;
    const deadline = Date.now() + this.host.maxBlockMs;
    for (;;) {
      let code: number;
      let resp: T;
      try {
        const node = await this.host.cluster.coordinator(txnId, 1);
        resp = await this.host.cluster.sendTo(node, build(), 'coordinator');
        code = errorOf(resp);
      } catch (e) {
        if (!(e instanceof KafkaClientError && e.retriable) || Date.now() > deadline) throw e;
        this.host.cluster.invalidateCoordinator(txnId, 1);
        await sleep(this.host.retryBackoffMs);
        continue;
      }
      if (code === 0) return resp;
      const err = kafkaError(code)!;
      if (err.name === 'NOT_COORDINATOR' || err.name === 'COORDINATOR_NOT_AVAILABLE') this.host.cluster.invalidateCoordinator(txnId, 1);
      if (!err.retriable || Date.now() > deadline) throw new KafkaError(err.code, err.name, false, `${what} failed`);
      await sleep(this.host.retryBackoffMs);
    }
  }

  private state: 'uninitialized' | 'ready' | 'in_transaction' | 'committing' | 'aborting' | 'abortable' = 'uninitialized';
  error: Error | null = null;
  private readonly partitions = new Set<string>();
  private readonly pending = new Map<string, { topic: string; partition: number }>();
  private adding: Promise<void> | null = null;

  private async checkTransactionSupport(): Promise<void> {
    const conn = await this.host.cluster.anyConnection();
    for (const k of [ApiKeys.AddPartitionsToTxn, ApiKeys.EndTxn, ApiKeys.AddOffsetsToTxn, ApiKeys.TxnOffsetCommit]) {
      if (!conn.supports(k)) throw new UnsupportedFeatureError('transactions are not supported by this broker yet');
    }
  }

  async init(): Promise<void> {
    this.requireState('uninitialized');
    await this.checkTransactionSupport();
    await this.host.ensureProducerId();
    this.state = 'ready';
  }

  begin(): Promise<void> {
    this.requireState('ready');
    this.state = 'in_transaction';
    this.error = null;
    this.partitions.clear();
    return Promise.resolve();
  }

  /** Called for every record appended while in a transaction: registers new partitions with the coordinator. */
  notePartition(topic: string, partition: number): void {
    const k = `${topic}\u0000${partition}`;
    if (this.partitions.has(k) || this.pending.has(k)) return;
    this.pending.set(k, { topic, partition });
    if (!this.adding) this.adding = this.addPendingPartitions().finally(() => (this.adding = null));
  }

  private async addPendingPartitions(): Promise<void> {
    while (this.pending.size > 0) {
      const batch = [...this.pending.entries()];
      const byTopic = groupBy(batch, ([, tp]) => tp.topic, ([, tp]) => tp.partition);
      try {
        await this.txnRequest(
          () =>
            spec(
              ApiKeys.AddPartitionsToTxn,
              encodeAddPartitionsToTxnRequest,
              decodeAddPartitionsToTxnResponse,
              {
                v3AndBelowTransactionalId: this.host.transactionalId,
                v3AndBelowProducerId: this.host.producerIdAndEpoch().producerId,
                v3AndBelowProducerEpoch: this.host.producerIdAndEpoch().producerEpoch,
                v3AndBelowTopics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
              },
              { maxVersion: 3 },
            ),
          (r) => {
            for (const t of r.resultsByTopicV3AndBelow ?? []) for (const p of t.resultsByPartition) if (p.partitionErrorCode !== 0) return p.partitionErrorCode;
            return 0;
          },
          'AddPartitionsToTxn',
        );
        for (const [k] of batch) {
          this.pending.delete(k);
          this.partitions.add(k);
        }
      } catch (e) {
        this.error = e instanceof Error ? e : new Error(String(e));
        for (const [k] of batch) this.pending.delete(k);
        // the batches of these partitions can never be sent in this transaction
        for (const [, tp] of batch) this.host.failUnsent(this.error, tp);
      }
      this.host.wakeup();
    }
  }

  /** Adds consumed offsets to the transaction (committed atomically with the transaction's records). */
  async sendOffsets(offsets: (TopicPartition & { offset: number; metadata?: string | null })[], group: string | { groupId: string | null; generationId: number; memberId: string; groupInstanceId: string | null }): Promise<void> {
    this.requireState('in_transaction');
    const meta = typeof group === 'string' ? { groupId: group, generationId: -1, memberId: '', groupInstanceId: null } : group;
    const groupId = meta.groupId;
    if (!groupId) throw new ConfigError('sendOffsetsToTransaction needs a group id');
    await this.txnRequest(
      () => spec(ApiKeys.AddOffsetsToTxn, encodeAddOffsetsToTxnRequest, decodeAddOffsetsToTxnResponse, { transactionalId: this.host.transactionalId, ...this.host.producerIdAndEpoch(), groupId }),
      (r) => r.errorCode,
      'AddOffsetsToTxn',
    );
    this.offsetsAdded = true;
    const byTopic = groupBy(
      offsets,
      (o) => o.topic,
      (o) => ({ partitionIndex: o.partition, committedOffset: BigInt(o.offset), committedMetadata: o.metadata ?? '', committedLeaderEpoch: -1 }),
    );
    const deadline = Date.now() + this.host.maxBlockMs;
    for (;;) {
      const node = await this.host.cluster.coordinator(groupId, 0);
      const resp = await this.host.cluster.sendTo(
        node,
        spec(ApiKeys.TxnOffsetCommit, encodeTxnOffsetCommitRequest, decodeTxnOffsetCommitResponse, (v: number) => ({
          transactionalId: this.host.transactionalId,
          groupId,
          ...this.host.producerIdAndEpoch(),
          ...(v >= 3 ? { generationId: meta.generationId, memberId: meta.memberId, groupInstanceId: meta.groupInstanceId } : {}),
          topics: [...byTopic].map(([name, ps]) => ({ name, partitions: ps.map((p) => ({ partitionIndex: p.partitionIndex, committedOffset: p.committedOffset, committedMetadata: p.committedMetadata, ...(v >= 2 ? { committedLeaderEpoch: p.committedLeaderEpoch } : {}) })) })),
        })),
      );
      let code = 0;
      for (const t of resp.topics) for (const p of t.partitions) if (p.errorCode !== 0) code = p.errorCode;
      if (code === 0) return;
      const err = kafkaError(code)!;
      if (err.name === 'NOT_COORDINATOR' || err.name === 'COORDINATOR_NOT_AVAILABLE') this.host.cluster.invalidateCoordinator(groupId, 0);
      if (!err.retriable || Date.now() > deadline) throw err;
      await sleep(this.host.retryBackoffMs);
    }
  }

  async commit(): Promise<void> {
    this.requireState('in_transaction');
    this.state = 'committing';
    try {
      while (this.adding) await this.adding;
      await this.host.flush();
      if (this.error) throw new KafkaClientError(`Cannot commit: a send in this transaction failed (${this.error.message}); call abortTransaction()`);
      await this.endTxn(true);
      this.state = 'ready';
    } catch (e) {
      this.state = 'in_transaction';
      this.error ??= e instanceof Error ? e : new Error(String(e));
      throw e;
    }
  }

  async abort(): Promise<void> {
    this.requireState('in_transaction', 'abortable');
    this.state = 'aborting';
    const aborted = new KafkaClientError('Failing batch since transaction was aborted');
    // records not sent yet never reach the log; in-flight ones are awaited, then marked aborted by EndTxn
    this.host.failUnsent(aborted);
    while (this.adding) await this.adding.catch(() => undefined);
    await this.host.flush();
    if (this.partitions.size > 0 || this.offsetsAdded) await this.endTxn(false);
    this.error = null;
    this.state = 'ready';
  }

  private offsetsAdded = false;

  private async endTxn(committed: boolean): Promise<void> {
    if (this.partitions.size === 0 && !this.offsetsAdded && committed) return; // empty transaction: nothing to end
    await this.txnRequest(
      () => spec(ApiKeys.EndTxn, encodeEndTxnRequest, decodeEndTxnResponse, { transactionalId: this.host.transactionalId, ...this.host.producerIdAndEpoch(), committed }),
      (r) => r.errorCode,
      'EndTxn',
    );
    this.partitions.clear();
    this.offsetsAdded = false;
  }
}
