// The produce and fetch data path over partitions.
//
// Produce (per partition): validate the client's batch as bytes (header, CRC, record structure; compressed batches
// are decompressed once off the event loop for the walk), check idempotent-producer sequences against the
// partition's producer state, append, advance the high watermark, wake delayed fetches. Validation of several
// requests may run concurrently, but the sequence check + append of one partition happen in arrival order
// (Partition.appendTurn), so pipelined idempotent batches are never reordered.
//
// Fetch: reads whole batches from the log (segment bytes, no decoding) bounded by the HW (read_uncommitted) or the
// last stable offset (read_committed); long poll waits on partition change notifications until min bytes or
// max wait.
import { ErrorCodes } from '../protocol/generated/error-codes.js';
import { RecordBatchView } from '../protocol/records/batch-view.js';
import { TimestampType } from '../protocol/records/types.js';
import { validateProduceRecordsAsync, type RecordError } from '../protocol/records/validate.js';
import { StorageError, type AppendInfo } from '../storage/index.js';
import type { Partition } from './partition.js';
import { recompressBatch } from './recompress.js';
import { TailCache, type PartitionTailCache } from './tail-cache.js';
import type { TopicManager, TopicState } from './topic-manager.js';
import type { Logger } from './logger.js';

export interface PartitionAppendResult {
  errorCode: number;
  errorMessage: string | null;
  baseOffset: number;
  logAppendTime: number;
  logStartOffset: number;
  recordErrors: RecordError[];
}

const INT32_MAX = 2147483647;

function fail(errorCode: number, errorMessage: string | null, recordErrors: RecordError[] = []): PartitionAppendResult {
  return { errorCode, errorMessage, baseOffset: -1, logAppendTime: -1, logStartOffset: -1, recordErrors };
}

function nextSeq(seq: number): number {
  return seq === INT32_MAX ? 0 : seq + 1;
}

export interface ReadRequest {
  partition: Partition;
  fetchOffset: number;
  maxBytes: number;
  /** read_committed (1) reads up to the last stable offset, read_uncommitted (0) up to the high watermark. */
  isolationLevel: number;
  minOneMessage: boolean;
}

export interface ReadResult {
  errorCode: number;
  records: Buffer | null;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
}

export class ReplicaManager {
  /** Recently appended batches, served to consumers at the tail without a file read (see tail-cache.ts). */
  readonly tailCache = new TailCache();
  private readonly tails = new WeakMap<Partition, PartitionTailCache>();

  private tailOf(p: Partition): PartitionTailCache {
    let t = this.tails.get(p);
    if (!t) this.tails.set(p, (t = this.tailCache.forPartition()));
    return t;
  }

  constructor(
    private readonly topics: TopicManager,
    private readonly log: Logger,
  ) {}

  /** Produce into one partition. Never throws: every failure becomes a Kafka error code. */
  async appendRecords(topic: TopicState, partition: Partition, records: Buffer, produceVersion: number): Promise<PartitionAppendResult> {
    const cfg = topic.logConfig;
    // Validation starts at once (concurrently with other partitions/requests); the append waits its turn.
    const validated = validateProduceRecordsAsync(records, {
      produceVersion,
      maxMessageBytes: cfg.maxMessageBytes,
      segmentBytes: cfg.segmentBytes,
      compacted: cfg.cleanupPolicy.includes('compact'),
      timestampType: cfg.messageTimestampType === 'LogAppendTime' ? TimestampType.LogAppendTime : TimestampType.CreateTime,
      timestampBeforeMaxMs: topic.produce.timestampBeforeMaxMs,
      timestampAfterMaxMs: topic.produce.timestampAfterMaxMs,
    }).then(async (v) => {
      // Topics with a compression.type other than "producer" store batches in that codec.
      const codec = topic.produce.codec;
      if (v.errorCode !== 0 || !v.batch || codec === null || v.batch.compression === codec) return { v, bytes: null };
      const bytes = await recompressBatch(v.batch, codec);
      return { v: { ...v, batch: new RecordBatchView(bytes), trailingBytesIgnored: 0 }, bytes };
    });
    const prevTurn = partition.appendTurn;
    let release!: () => void;
    partition.appendTurn = new Promise<void>((r) => (release = r));
    let appended: Promise<AppendInfo> | undefined;
    let appendedBytes: Buffer | undefined;
    let result: PartitionAppendResult | undefined;
    try {
      const { v, bytes } = await validated;
      await prevTurn;
      if (v.errorCode !== 0 || !v.batch) {
        result = fail(v.errorCode, v.errorMessage, v.recordErrors);
      } else {
        const batchBytes = bytes ?? (v.trailingBytesIgnored > 0 ? records.subarray(0, records.length - v.trailingBytesIgnored) : records);
        const seqCheck = this.checkProducerSequence(partition, v.batch);
        if (seqCheck) result = seqCheck;
        else {
          appended = partition.log.append(batchBytes, { leaderEpoch: partition.leaderEpoch });
          appendedBytes = batchBytes;
        }
      }
    } catch (e) {
      result = this.errorResult(e, partition);
    } finally {
      // The next append of this partition may go as soon as this one has been handed to the log (which assigns
      // offsets and updates producer state synchronously).
      release();
    }
    if (result) return result;
    try {
      const info = await appended!;
      // Storage has stamped the bytes in place and written them: cache them before waking tail consumers.
      this.tailOf(partition).add(info.firstOffset, info.lastOffset, appendedBytes!);
      partition.maybeAdvanceHighWatermark();
      return {
        errorCode: 0,
        errorMessage: null,
        baseOffset: info.firstOffset,
        logAppendTime: info.logAppendTime,
        logStartOffset: info.logStartOffset,
        recordErrors: [],
      };
    } catch (e) {
      return this.errorResult(e, partition);
    }
  }

  private errorResult(e: unknown, partition?: Partition): PartitionAppendResult {
    // The topic was deleted while this append was in flight.
    if (partition?.log.isClosed) return fail(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
    if (e instanceof StorageError) return fail(e.kafkaErrorCode, e.message);
    this.log.error({ err: e instanceof Error ? e.stack : String(e) }, 'append failed');
    return fail(ErrorCodes.UNKNOWN_SERVER_ERROR, e instanceof Error ? e.message : String(e));
  }

  /**
   * Kafka's idempotent producer rules (ProducerAppendInfo): per producer id, a newer epoch starts at sequence 0,
   * an older epoch is fenced, a batch equal to one of the last 5 is a duplicate answered with its original offset,
   * anything else must continue the last sequence. Returns a result to send instead of appending, or undefined.
   */
  private checkProducerSequence(partition: Partition, batch: RecordBatchView): PartitionAppendResult | undefined {
    const pid = batch.producerId;
    if (pid < 0 || batch.baseSequence < 0) return undefined;
    const entry = partition.log.producerState.get(pid);
    if (!entry) return undefined; // unknown (new, or expired) producer: accept, as Kafka does since KIP-360
    const epoch = batch.producerEpoch;
    const first = batch.baseSequence;
    if (epoch < entry.producerEpoch) {
      return fail(
        ErrorCodes.INVALID_PRODUCER_EPOCH,
        `Epoch of producer ${pid} at offset ${partition.logEndOffset} is ${epoch}, which is smaller than the last seen epoch ${entry.producerEpoch}`,
      );
    }
    if (epoch > entry.producerEpoch) {
      if (first !== 0) {
        return fail(ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER, `Invalid sequence number for new epoch of producer ${pid}: ${epoch} (request epoch), ${first} (seq. number), ${entry.producerEpoch} (current producer epoch)`);
      }
      return undefined;
    }
    const dup = partition.log.producerState.findDuplicateBatch(pid, epoch, first, batch.lastSequence);
    if (dup) {
      return {
        errorCode: 0,
        errorMessage: null,
        baseOffset: dup.firstOffset,
        logAppendTime: -1,
        logStartOffset: partition.logStartOffset,
        recordErrors: [],
      };
    }
    const last = entry.batches[entry.batches.length - 1];
    if (last && first !== nextSeq(last.lastSeq)) {
      return fail(
        ErrorCodes.OUT_OF_ORDER_SEQUENCE_NUMBER,
        `Out of order sequence number for producer ${pid} at offset ${partition.logEndOffset} in partition ${partition.topic}-${partition.index}: ${first} (incoming seq. number), ${last.lastSeq} (current end sequence number)`,
      );
    }
    return undefined;
  }

  /** Reads one partition for a consumer fetch. */
  async read(req: ReadRequest): Promise<ReadResult> {
    const p = req.partition;
    const bound = req.isolationLevel === 1 ? p.lastStableOffset : p.highWatermark;
    const base = { highWatermark: p.highWatermark, lastStableOffset: p.lastStableOffset, logStartOffset: p.logStartOffset };
    // The topic was deleted while this fetch was waiting.
    if (p.log.isClosed) return { errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, records: null, ...base };
    if (req.fetchOffset < p.logStartOffset || req.fetchOffset > p.logEndOffset) {
      return { errorCode: ErrorCodes.OFFSET_OUT_OF_RANGE, records: null, ...base };
    }
    if ((req.maxBytes <= 0 && !req.minOneMessage) || req.fetchOffset >= bound) return { errorCode: 0, records: Buffer.alloc(0), ...base };
    const tail = this.tailOf(p);
    if (tail.nextOffset > p.logEndOffset) tail.reset(); // the log was truncated under the cache
    const cached = tail.read(req.fetchOffset, Math.max(1, req.maxBytes), bound, req.minOneMessage);
    if (cached) return { errorCode: 0, records: cached.data, ...base };
    try {
      // minOneMessage: the first batch comes back whole even when it is larger than the limit (Kafka's rule, so a
      // consumer can always make progress).
      const r = await p.log.read(req.fetchOffset, Math.max(1, req.maxBytes), bound, req.minOneMessage);
      return {
        errorCode: 0,
        records: r.data,
        highWatermark: p.highWatermark,
        lastStableOffset: p.lastStableOffset,
        logStartOffset: r.logStartOffset,
      };
    } catch (e) {
      if (e instanceof StorageError) return { errorCode: e.kafkaErrorCode, records: null, ...base };
      this.log.error({ err: e instanceof Error ? e.stack : String(e) }, 'read failed');
      return { errorCode: ErrorCodes.UNKNOWN_SERVER_ERROR, records: null, ...base };
    }
  }

  /** Resolves when any of the partitions changes (new data, HW move, deletion) or after timeoutMs. */
  waitForChange(partitions: Partition[], timeoutMs: number, aborted?: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const offs: (() => void)[] = [];
      const done = (): void => {
        clearTimeout(timer);
        for (const o of offs) o();
        resolve();
      };
      // Node fires timers longer than 2^31-1 ms at once; clamp (a client may ask for any int32 max wait).
      const timer = setTimeout(done, Math.min(Math.max(0, timeoutMs), 0x7fffffff));
      for (const p of partitions) offs.push(p.onChange(done));
      if (aborted?.()) done();
    });
  }

  get topicManager(): TopicManager {
    return this.topics;
  }
}
