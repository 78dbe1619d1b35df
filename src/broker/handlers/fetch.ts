// Fetch: long poll (max_wait_ms / min_bytes), response-wide max_bytes and per-partition max, isolation level,
// OFFSET_OUT_OF_RANGE, leader-epoch fencing, topic ids (v13+), and incremental fetch sessions (v7+, KIP-227).
// Record bytes are returned exactly as stored in the segment files.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import type { FetchResponse, FetchResponseFetchableTopicResponse, FetchResponsePartitionData } from '../../protocol/generated/messages/fetch-response.js';
import type { BrokerServices } from '../context.js';
import { FetchSession, FINAL_EPOCH, INITIAL_EPOCH, type SessionPartition } from '../fetch-sessions.js';
import type { Partition } from '../partition.js';
import type { ReadResult } from '../replica-manager.js';
import { defineHandler } from './registry.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';
const EMPTY = Buffer.alloc(0);

/** Session/partition key name for a topic id that matches no topic (v13+): "\0<id>" cannot clash with a real
 * topic name (names are [a-zA-Z0-9._-]), and resolve() answers it with UNKNOWN_TOPIC_ID. */
function unknownIdName(id: string | undefined): string {
  return `\u0000${id ?? ''}`;
}

interface Wanted {
  entry: SessionPartition;
  partition?: Partition;
  /** Error decided before reading (unknown topic, fenced epoch). */
  error?: number;
  currentLeaderEpoch: number;
}

function topLevelError(code: number, sessionId = 0): FetchResponse {
  return { throttleTimeMs: 0, errorCode: code, sessionId, responses: [] };
}

function resolve(b: BrokerServices, entry: SessionPartition, useIds: boolean, currentLeaderEpoch: number): Wanted {
  const st = useIds ? b.topics.getById(entry.topicId) : b.topics.get(entry.topic);
  if (!st) return { entry, error: useIds ? ErrorCodes.UNKNOWN_TOPIC_ID : ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, currentLeaderEpoch };
  entry.topic = st.record.name;
  entry.topicId = st.record.topicId;
  const p = st.partitions[entry.partition];
  if (!p) return { entry, error: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, currentLeaderEpoch };
  if (currentLeaderEpoch >= 0 && currentLeaderEpoch !== p.leaderEpoch) {
    return {
      entry,
      partition: p,
      error: currentLeaderEpoch > p.leaderEpoch ? ErrorCodes.UNKNOWN_LEADER_EPOCH : ErrorCodes.FENCED_LEADER_EPOCH,
      currentLeaderEpoch,
    };
  }
  return { entry, partition: p, currentLeaderEpoch };
}

export default defineHandler({
  apiKey: ApiKeys.Fetch,
  // v0-v3 cannot carry the v2 record batches Gregor stores (no down-conversion); Kafka 4.0 starts at v4 too.
  minVersion: 4,
  maxVersion: 17,
  async handle(req, ctx) {
    const b = ctx.broker;
    const v = ctx.apiVersion;
    const useIds = v >= 13;
    const isolation = req.isolationLevel ?? 0;
    const sessionId = v >= 7 ? (req.sessionId ?? 0) : 0;
    const epoch = v >= 7 ? (req.sessionEpoch ?? FINAL_EPOCH) : FINAL_EPOCH;

    // ---- fetch session bookkeeping
    let session: FetchSession | undefined;
    let incremental = false;
    if (epoch === FINAL_EPOCH) {
      if (sessionId !== 0) b.fetchSessions.remove(sessionId);
    } else if (epoch === INITIAL_EPOCH) {
      if (sessionId !== 0) b.fetchSessions.remove(sessionId);
      session = b.fetchSessions.create();
    } else {
      session = b.fetchSessions.get(sessionId);
      if (!session) return topLevelError(ErrorCodes.FETCH_SESSION_ID_NOT_FOUND);
      if (session.epoch !== epoch) return topLevelError(ErrorCodes.INVALID_FETCH_SESSION_EPOCH);
      incremental = true;
    }

    const leaderEpochs = new Map<string, number>();
    const requested: SessionPartition[] = [];
    for (const t of req.topics) {
      const topicName = useIds ? (b.topics.getById(t.topicId ?? ZERO_UUID)?.record.name ?? unknownIdName(t.topicId)) : (t.topic ?? '');
      for (const p of t.partitions) {
        const entry: SessionPartition = {
          topic: topicName,
          topicId: t.topicId ?? ZERO_UUID,
          partition: p.partition,
          fetchOffset: Number(p.fetchOffset),
          maxBytes: p.partitionMaxBytes,
          lastHighWatermark: -1,
          lastStableOffset: -1,
          lastLogStartOffset: -1,
        };
        requested.push(entry);
        leaderEpochs.set(FetchSession.key(topicName, p.partition), p.currentLeaderEpoch ?? -1);
      }
    }

    let entries: SessionPartition[];
    if (incremental && session) {
      for (const f of req.forgottenTopicsData ?? []) {
        const name = useIds ? (b.topics.getById(f.topicId ?? ZERO_UUID)?.record.name ?? unknownIdName(f.topicId)) : (f.topic ?? '');
        for (const p of f.partitions) session.partitions.delete(FetchSession.key(name, p));
      }
      for (const e of requested) {
        const k = FetchSession.key(e.topic, e.partition);
        const old = session.partitions.get(k);
        if (old) {
          old.fetchOffset = e.fetchOffset;
          old.maxBytes = e.maxBytes;
        } else session.partitions.set(k, e);
      }
      entries = [...session.partitions.values()];
    } else {
      entries = requested;
      if (session) for (const e of requested) session.partitions.set(FetchSession.key(e.topic, e.partition), e);
    }

    const wanted = entries.map((e) => resolve(b, e, useIds, leaderEpochs.get(FetchSession.key(e.topic, e.partition)) ?? -1));

    // ---- read, waiting for data when asked to (long poll)
    const maxBytes = Math.min(req.maxBytes ?? 0x7fffffff, b.config.int('fetch.max.bytes'));
    const deadline = Date.now() + Math.max(0, req.maxWaitMs);
    const partitions = wanted.flatMap((w) => (w.partition && !w.error ? [w.partition] : []));
    let results: (ReadResult | null)[];
    for (;;) {
      // Reads are asynchronous: data may arrive after a partition was read but before we start waiting. Note
      // each partition's change counter now and skip the wait if any moved (no lost wake-ups).
      const seen = partitions.map((p) => p.changes);
      let remaining = maxBytes;
      let total = 0;
      let anyError = false;
      results = [];
      for (const w of wanted) {
        if (w.error !== undefined || !w.partition) {
          anyError = true;
          results.push(null);
          continue;
        }
        const r = await b.replicas.read({
          partition: w.partition,
          fetchOffset: w.entry.fetchOffset,
          maxBytes: Math.min(w.entry.maxBytes, remaining),
          isolationLevel: isolation,
          // The first partition with data returns at least one whole batch even if it exceeds the limits, so a
          // large batch can never block a consumer.
          minOneMessage: total === 0,
        });
        if (r.errorCode !== 0) anyError = true;
        const n = r.records?.length ?? 0;
        total += n;
        remaining = Math.max(0, remaining - n);
        results.push(r);
      }
      const now = Date.now();
      if (req.maxWaitMs <= 0 || total >= req.minBytes || anyError || now >= deadline || b.shuttingDown() || partitions.length === 0) break;
      if (partitions.some((p, i) => p.changes !== seen[i])) continue;
      // Then read again: data that arrived (or the deadline passing) ends the wait on the next check.
      await b.replicas.waitForChange(partitions, deadline - now, () => b.shuttingDown());
    }

    // ---- build the response (incremental: only partitions with news)
    const byTopic = new Map<string, FetchResponseFetchableTopicResponse>();
    const order: FetchResponseFetchableTopicResponse[] = [];
    for (let i = 0; i < wanted.length; i++) {
      const w = wanted[i]!;
      const r = results[i];
      const p = w.partition;
      const data: FetchResponsePartitionData = {
        partitionIndex: w.entry.partition,
        errorCode: w.error ?? r!.errorCode,
        highWatermark: BigInt(r ? r.highWatermark : p ? p.highWatermark : -1),
        lastStableOffset: BigInt(r ? r.lastStableOffset : p ? p.lastStableOffset : -1),
        logStartOffset: BigInt(r ? r.logStartOffset : p ? p.logStartOffset : -1),
        abortedTransactions: isolation === 1 ? [] : null,
        preferredReadReplica: -1,
        currentLeader:
          w.error === ErrorCodes.FENCED_LEADER_EPOCH || w.error === ErrorCodes.UNKNOWN_LEADER_EPOCH
            ? { leaderId: p?.leaderId ?? -1, leaderEpoch: p?.leaderEpoch ?? -1 }
            : { leaderId: -1, leaderEpoch: -1 },
        records: r?.records ?? EMPTY,
      };
      if (w.error !== undefined) {
        data.highWatermark = -1n;
        data.lastStableOffset = -1n;
        data.logStartOffset = -1n;
      }
      const hw = Number(data.highWatermark);
      const lso = Number(data.lastStableOffset);
      const lstart = Number(data.logStartOffset);
      const hasNews =
        !incremental ||
        data.errorCode !== 0 ||
        (data.records?.length ?? 0) > 0 ||
        hw !== w.entry.lastHighWatermark ||
        lso !== w.entry.lastStableOffset ||
        lstart !== w.entry.lastLogStartOffset;
      w.entry.lastHighWatermark = hw;
      w.entry.lastStableOffset = lso;
      w.entry.lastLogStartOffset = lstart;
      if (!hasNews) continue;
      const key = `${w.entry.topic}\u0000${w.entry.topicId}`;
      let t = byTopic.get(key);
      if (!t) {
        t = { topic: w.entry.topic.startsWith('\u0000') ? '' : w.entry.topic, topicId: w.entry.topicId, partitions: [] };
        byTopic.set(key, t);
        order.push(t);
      }
      t.partitions.push(data);
    }
    if (session) {
      // Partitions of unknown topics do not stay in the session.
      for (const w of wanted) if (w.error === ErrorCodes.UNKNOWN_TOPIC_ID || w.error === ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION) session.partitions.delete(FetchSession.key(w.entry.topic, w.entry.partition));
      session.bumpEpoch();
    }
    return { throttleTimeMs: 0, errorCode: ErrorCodes.NONE, sessionId: session?.id ?? 0, responses: order, nodeEndpoints: [] };
  },
});
