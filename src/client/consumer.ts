// The consumer. poll() drives everything the Java consumer's poll drives: joining the group (classic protocol:
// FindCoordinator, JoinGroup, SyncGroup with Kafka's ConsumerProtocol bytes), resolving start positions (committed
// offsets, else auto.offset.reset via ListOffsets), fetching from partition leaders, auto commit. Heartbeats run on
// a timer between polls (the "background thread" of a single-threaded runtime), and a member that does not poll
// within max.poll.interval.ms leaves the group, as in Java.
//
// Positions: `position` is the next offset poll() will return, `fetchOffset` the next offset to fetch. Fetched
// records wait in per-partition chunks until poll returns them; the next fetch for a partition is sent while the
// application still processes the previous chunk (prefetch, bounded to about max.poll.records buffered), and a
// fetch response is accepted only if the partition's fetchOffset still equals what the fetch asked for (a seek
// in between discards it).
import { Cluster, kafkaError, sleep } from './cluster.js';
import { ResolvedConfig, type RawConfig } from './config.js';
import { resolveDeserializer, type Deserializer } from './serdes.js';
import { resolveAssignors, type Assignor, type MemberSubscription } from './assignors.js';
import { encodeSubscription, decodeSubscription, encodeAssignment, decodeAssignment } from './consumer-protocol.js';
import { decodeFetchedRecords } from './fetch-decoder.js';
import { spec } from './requests.js';
import { fetchCommittedOffsets, commitGroupOffsets, CommitFailedError, type RetryPolicy } from './group-offsets.js';
import { groupBy, tpKey, type TopicPartition, type TopicPartitionOffset } from './types.js';
import { ClosedError, ConfigError, KafkaClientError, KafkaError, TimeoutError } from './errors.js';
import { ApiKeys } from '../protocol/generated/api-keys.js';
import { encodeFetchRequest } from '../protocol/generated/messages/fetch-request.js';
import { decodeFetchResponse, type FetchResponse } from '../protocol/generated/messages/fetch-response.js';
import { encodeJoinGroupRequest } from '../protocol/generated/messages/join-group-request.js';
import { decodeJoinGroupResponse } from '../protocol/generated/messages/join-group-response.js';
import { encodeSyncGroupRequest } from '../protocol/generated/messages/sync-group-request.js';
import { decodeSyncGroupResponse } from '../protocol/generated/messages/sync-group-response.js';
import { encodeHeartbeatRequest } from '../protocol/generated/messages/heartbeat-request.js';
import { decodeHeartbeatResponse } from '../protocol/generated/messages/heartbeat-response.js';
import { encodeLeaveGroupRequest } from '../protocol/generated/messages/leave-group-request.js';
import { decodeLeaveGroupResponse } from '../protocol/generated/messages/leave-group-response.js';
import { encodeListOffsetsRequest } from '../protocol/generated/messages/list-offsets-request.js';
import { decodeListOffsetsResponse } from '../protocol/generated/messages/list-offsets-response.js';

export { ConsumerRecords } from './consumer-types.js';
export type { ConsumerRecord, ConsumerRebalanceListener, ConsumerInterceptor, OffsetCommitCallback, ConsumerOptions } from './consumer-types.js';
import { ConsumerRecords, type ConsumerRecord, type ConsumerRebalanceListener, type ConsumerInterceptor, type OffsetCommitCallback, type ConsumerOptions } from './consumer-types.js';

interface PartitionState {
  topic: string;
  partition: number;
  position: number | null;
  /** Pending reset: 'earliest' | 'latest' | committed lookup. */
  reset: 'earliest' | 'latest' | null;
  paused: boolean;
  fetchOffset: number | null;
  chunks: ConsumerRecord<unknown, unknown>[][];
  chunkIdx: number;
  bufferedCount: number;
  highWatermark: number;
  leaderEpoch: number;
  fetching: boolean;
}

const EARLIEST = -2n;
const LATEST = -1n;

export class Consumer<K = Buffer, V = Buffer> implements AsyncIterable<ConsumerRecord<K, V>> {
  readonly config: ResolvedConfig;
  private readonly cluster: Cluster;
  private readonly keyDeser: Deserializer<K>;
  private readonly valueDeser: Deserializer<V>;
  private readonly groupId: string | null;
  private readonly groupInstanceId: string | null;
  private readonly assignors: Assignor[];
  private readonly interceptors: ConsumerInterceptor<K, V>[];
  private readonly assignments = new Map<string, PartitionState>();
  private subscribedTopics: Set<string> | null = null;
  private subscribedPattern: RegExp | null = null;
  private listener: ConsumerRebalanceListener | null = null;
  private manual = false;
  private memberId = '';
  private generationId = -1;
  private protocolName: string | null = null;
  private rejoinNeeded = false;
  private joined = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastPoll = Date.now();
  private lastAutoCommit = Date.now();
  private closed = false;
  private fetchesInFlight = new Set<number>();
  private fetchWaiters: (() => void)[] = [];
  private lastRegexCheck = 0;
  private joinedTopics: string[] = [];
  private asyncCommitError: Error | null = null;
  private wakeupRequested = false;
  private readonly maxPollRecords: number;
  private readonly checkCrcs: boolean;

  constructor(options: ConsumerOptions<K, V> | RawConfig) {
    const raw = { ...(options as RawConfig) };
    this.config = new ResolvedConfig('consumer', raw);
    this.cluster = new Cluster(this.config);
    this.keyDeser = resolveDeserializer<K>(this.config.get('key.deserializer'), 'key.deserializer');
    this.valueDeser = resolveDeserializer<V>(this.config.get('value.deserializer'), 'value.deserializer');
    this.groupId = this.config.strOrNull('group.id');
    this.maxPollRecords = this.config.int('max.poll.records');
    this.checkCrcs = this.config.bool('check.crcs');
    this.groupInstanceId = this.config.strOrNull('group.instance.id');
    const strategies = (raw['partitionAssignmentStrategy'] ?? raw['partition.assignment.strategy']) as unknown;
    this.assignors = resolveAssignors(Array.isArray(strategies) ? strategies : this.config.list('partition.assignment.strategy'));
    const ic = raw['interceptors'];
    this.interceptors = Array.isArray(ic) ? (ic as ConsumerInterceptor<K, V>[]) : [];
    if (this.config.int('heartbeat.interval.ms') >= this.config.int('session.timeout.ms')) {
      throw new ConfigError('heartbeat.interval.ms must be lower than session.timeout.ms');
    }
  }

  // ---------------------------------------------------------------- subscription

  /** Subscribes to topics (or every topic matching a RegExp) through the consumer group. */
  subscribe(topics: string[] | RegExp, listener?: ConsumerRebalanceListener): void {
    this.ensureOpen();
    if (!this.groupId) throw new ConfigError('To use subscribe(), group.id must be set (assign() works without a group).');
    if (this.manual && this.assignments.size > 0) throw new KafkaClientError('Subscription to topics, partitions and pattern are mutually exclusive');
    this.manual = false;
    if (topics instanceof RegExp) {
      this.subscribedPattern = topics;
      this.subscribedTopics = null;
      this.cluster.interest = null;
      this.lastRegexCheck = 0;
    } else {
      if (topics.length === 0) {
        void this.unsubscribe();
        return;
      }
      this.subscribedTopics = new Set(topics);
      this.subscribedPattern = null;
      this.cluster.addInterest(topics);
    }
    this.listener = listener ?? null;
    this.rejoinNeeded = true;
  }

  /** Manually assigns partitions (no group membership, no rebalancing). */
  assign(partitions: TopicPartition[]): void {
    this.ensureOpen();
    if (this.subscribedTopics || this.subscribedPattern) throw new KafkaClientError('Subscription to topics, partitions and pattern are mutually exclusive');
    this.manual = true;
    const keep = new Set(partitions.map((p) => tpKey(p.topic, p.partition)));
    for (const k of [...this.assignments.keys()]) if (!keep.has(k)) this.assignments.delete(k);
    for (const p of partitions) this.addPartition(p);
    this.cluster.addInterest(partitions.map((p) => p.topic));
  }

  async unsubscribe(): Promise<void> {
    if (this.joined) {
      await this.revokeAll(false);
      await this.leaveGroup('the consumer unsubscribed from all topics');
    }
    this.subscribedTopics = null;
    this.subscribedPattern = null;
    this.manual = false;
    this.assignments.clear();
  }

  assignment(): TopicPartition[] {
    return [...this.assignments.values()].map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  subscription(): string[] {
    if (this.subscribedTopics) return [...this.subscribedTopics];
    if (this.subscribedPattern) return this.joinedTopics;
    return [];
  }

  private addPartition(tp: TopicPartition): PartitionState {
    const k = tpKey(tp.topic, tp.partition);
    let s = this.assignments.get(k);
    if (!s) {
      s = { topic: tp.topic, partition: tp.partition, position: null, fetchOffset: null, reset: null, paused: false, chunks: [], chunkIdx: 0, bufferedCount: 0, highWatermark: -1, leaderEpoch: -1, fetching: false };
      this.assignments.set(k, s);
    }
    return s;
  }

  private clearBuffer(s: PartitionState): void {
    s.chunks = [];
    s.chunkIdx = 0;
    s.bufferedCount = 0;
  }

  private state(tp: TopicPartition): PartitionState {
    const s = this.assignments.get(tpKey(tp.topic, tp.partition));
    if (!s) throw new KafkaClientError(`No current assignment for partition ${tp.topic}-${tp.partition}`);
    return s;
  }

  // ---------------------------------------------------------------- poll

  /** Fetches records, waiting up to `timeoutMs` for some (group join and position lookups count against it). */
  async poll(timeoutMs = 0): Promise<ConsumerRecords<K, V>> {
    this.ensureOpen();
    if (!this.manual && !this.subscribedTopics && !this.subscribedPattern) throw new KafkaClientError('Consumer is not subscribed to any topics or assigned any partitions');
    const deadline = Date.now() + Math.max(0, timeoutMs);
    this.lastPoll = Date.now();
    this.wakeupRequested = false;
    if (this.asyncCommitError) {
      const e = this.asyncCommitError;
      this.asyncCommitError = null;
      void e; // surfaced to the commitAsync callback already
    }
    for (;;) {
      if (this.closed) throw new ClosedError('consumer closed');
      if (!this.manual) await this.ensureGroup(deadline);
      if (Date.now() - this.cluster.lastMetadataRefresh > this.config.int('metadata.max.age.ms')) {
        void this.cluster
          .refreshMetadata()
          .then(() => this.checkPartitionCounts())
          .catch(() => undefined);
      }
      this.maybeAutoCommit();
      await this.resolvePositions(deadline);
      const out = this.drainBuffered();
      if (out) {
        this.sendFetches(); // pipeline the next fetch while the application processes these
        return this.intercept(out);
      }
      this.sendFetches();
      const left = deadline - Date.now();
      if (left <= 0 || this.wakeupRequested) return new ConsumerRecords(new Map());
      await this.waitForFetch(left);
    }
  }

  private intercept(r: ConsumerRecords<K, V>): ConsumerRecords<K, V> {
    for (const i of this.interceptors) {
      try {
        if (i.onConsume) r = i.onConsume(r);
      } catch {
        /* ignored, as in Java */
      }
    }
    return r;
  }

  /** Makes a pending poll() return early (empty) — for shutdown from another async context. */
  wakeup(): void {
    this.wakeupRequested = true;
    for (const w of this.fetchWaiters.splice(0)) w();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ConsumerRecord<K, V>> {
    while (!this.closed) {
      let records: ConsumerRecords<K, V>;
      try {
        records = await this.poll(1000);
      } catch (e) {
        if (this.closed) return;
        throw e;
      }
      for (const r of records) yield r;
    }
  }

  private drainBuffered(): ConsumerRecords<K, V> | null {
    let budget = this.config.int('max.poll.records');
    const out = new Map<string, ConsumerRecord<K, V>[]>();
    for (const [k, s] of this.assignments) {
      if (budget <= 0) break;
      if (s.paused || s.bufferedCount === 0) continue;
      let slice: ConsumerRecord<K, V>[] | null = null;
      while (budget > 0 && s.chunks.length > 0) {
        const chunk = s.chunks[0]! as ConsumerRecord<K, V>[];
        const take = Math.min(budget, chunk.length - s.chunkIdx);
        const part = s.chunkIdx === 0 && take === chunk.length ? chunk : chunk.slice(s.chunkIdx, s.chunkIdx + take);
        slice = slice === null ? part : slice.concat(part);
        s.chunkIdx += take;
        s.bufferedCount -= take;
        budget -= take;
        if (s.chunkIdx >= chunk.length) {
          s.chunks.shift();
          s.chunkIdx = 0;
        }
      }
      if (!slice || slice.length === 0) continue;
      s.position = slice[slice.length - 1]!.offset + 1;
      out.set(k, slice);
    }
    // rotate so one busy partition does not starve the others across polls
    if (out.size > 0) {
      const first = out.keys().next().value as string;
      const st = this.assignments.get(first);
      if (st) {
        this.assignments.delete(first);
        this.assignments.set(first, st);
      }
    }
    return out.size > 0 ? new ConsumerRecords(out) : null;
  }

  private waitForFetch(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiters = this.fetchWaiters;
      const done = (): void => {
        clearTimeout(t);
        const i = waiters.indexOf(done);
        if (i >= 0) waiters.splice(i, 1);
        resolve();
      };
      const t = setTimeout(done, ms);
      waiters.push(done);
    });
  }

  private notifyFetch(): void {
    for (const w of this.fetchWaiters.splice(0)) w();
  }

  // ---------------------------------------------------------------- fetching

  private sendFetches(): void {
    const byNode = new Map<number, PartitionState[]>();
    let needMetadata = false;
    for (const s of this.assignments.values()) {
      if (s.paused || s.fetchOffset === null || s.fetching || s.bufferedCount >= this.maxPollRecords) continue;
      const leader = this.cluster.leaderFor(s.topic, s.partition);
      if (leader < 0) {
        needMetadata = true;
        continue;
      }
      if (this.fetchesInFlight.has(leader)) continue;
      let arr = byNode.get(leader);
      if (!arr) byNode.set(leader, (arr = []));
      arr.push(s);
    }
    if (needMetadata) void this.cluster.refreshMetadata().catch(() => undefined).then(() => this.notifyFetch());
    for (const [node, parts] of byNode) void this.fetchFrom(node, parts);
  }

  private async fetchFrom(node: number, parts: PartitionState[]): Promise<void> {
    this.fetchesInFlight.add(node);
    const offsets = new Map<string, number>();
    for (const s of parts) {
      s.fetching = true;
      offsets.set(tpKey(s.topic, s.partition), s.fetchOffset!);
    }
    const partitionMaxBytes = this.config.int('max.partition.fetch.bytes');
    const topics = groupBy(
      parts,
      (s) => s.topic,
      (s) => ({ partition: s.partition, fetchOffset: BigInt(s.fetchOffset!), partitionMaxBytes, currentLeaderEpoch: -1, logStartOffset: -1n, lastFetchedEpoch: -1 }),
    );
    const readCommitted = this.config.str('isolation.level') === 'read_committed';
    try {
      const resp = await this.cluster.sendTo<FetchResponse>(
        node,
        spec(
          ApiKeys.Fetch,
          encodeFetchRequest,
          decodeFetchResponse,
          {
            replicaId: -1,
            maxWaitMs: this.config.int('fetch.max.wait.ms'),
            minBytes: this.config.int('fetch.min.bytes'),
            maxBytes: this.config.int('fetch.max.bytes'),
            isolationLevel: readCommitted ? 1 : 0,
            sessionId: 0,
            sessionEpoch: -1,
            topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
            forgottenTopicsData: [],
            rackId: this.config.str('client.rack'),
          },
          { minVersion: 4, maxVersion: 12 },
        ),
      );
      if (resp.errorCode && resp.errorCode !== 0) throw kafkaError(resp.errorCode)!;
      let refresh = false;
      for (const t of resp.responses) {
        const topic = t.topic!;
        for (const p of t.partitions) {
          const k = tpKey(topic, p.partitionIndex);
          const s = this.assignments.get(k);
          if (!s || s.fetchOffset !== offsets.get(k)) continue; // reassigned or seeked meanwhile
          if (p.errorCode !== 0) {
            if (p.errorCode === 1 /* OFFSET_OUT_OF_RANGE */) {
              const policy = this.config.str('auto.offset.reset');
              if (policy === 'none') throw new KafkaError(1, 'OFFSET_OUT_OF_RANGE', false, `Fetch position ${s.fetchOffset} is out of range for partition ${topic}-${p.partitionIndex}`);
              this.clearBuffer(s);
              s.position = null;
              s.fetchOffset = null;
              s.reset = policy as 'earliest' | 'latest';
            } else {
              refresh = true;
            }
            continue;
          }
          s.highWatermark = Number(p.highWatermark);
          if (!p.records || p.records.length === 0) continue;
          const fetchOffset = s.fetchOffset!;
          const recs: ConsumerRecord<unknown, unknown>[] = [];
          const keyDeser = this.keyDeser;
          const valueDeser = this.valueDeser;
          const aborted = p.abortedTransactions ? p.abortedTransactions.map((a) => ({ producerId: Number(a.producerId), firstOffset: Number(a.firstOffset) })) : null;
          const partition = p.partitionIndex;
          let next: number;
          try {
            next = decodeFetchedRecords(p.records, { fetchOffset, checkCrcs: this.checkCrcs, readCommitted, aborted }, (offset, timestamp, lat, key, value, headers, leaderEpoch) => {
              recs.push({
                topic,
                partition,
                offset,
                timestamp,
                timestampType: lat ? 'LogAppendTime' : 'CreateTime',
                key: keyDeser.deserialize(topic, key, headers),
                value: valueDeser.deserialize(topic, value, headers),
                headers,
                leaderEpoch,
                serializedKeySize: key ? key.length : -1,
                serializedValueSize: value ? value.length : -1,
              });
            });
          } catch (e) {
            // a corrupt batch or a failing deserializer: hand over what decoded before it; poll() then throws
            // (as Java's poll does) until the application seeks past the bad record
            if (recs.length === 0) {
              this.fetchError = new KafkaClientError(`Error decoding a record of ${topic}-${partition} at or after offset ${fetchOffset}: ${e instanceof Error ? e.message : String(e)}. Seek past it to continue.`, false);
              continue;
            }
            next = recs[recs.length - 1]!.offset + 1;
          }
          if (recs.length > 0) {
            s.chunks.push(recs);
            s.bufferedCount += recs.length;
            s.fetchOffset = Math.max(next, recs[recs.length - 1]!.offset + 1);
          } else if (next > fetchOffset) {
            s.fetchOffset = next; // only control/aborted records: skip past them
            if (s.bufferedCount === 0) s.position = next;
          }
        }
      }
      if (refresh) void this.cluster.refreshMetadata().catch(() => undefined);
    } catch (e) {
      if (e instanceof KafkaError && e.name === 'OFFSET_OUT_OF_RANGE') this.fetchError = e;
      else if (!this.closed) {
        void this.cluster.refreshMetadata().catch(() => undefined);
        await sleep(Math.min(this.config.int('retry.backoff.ms'), 100));
      }
    } finally {
      for (const s of parts) s.fetching = false;
      this.fetchesInFlight.delete(node);
      this.notifyFetch();
    }
  }

  private fetchError: Error | null = null;

  // ---------------------------------------------------------------- positions

  private async resolvePositions(deadline: number): Promise<void> {
    if (this.fetchError) {
      const e = this.fetchError;
      this.fetchError = null;
      throw e;
    }
    const missing = [...this.assignments.values()].filter((s) => s.position === null);
    if (missing.length === 0) return;
    // committed offsets first (group consumers), then reset policy for the rest
    const needCommitted = missing.filter((s) => s.reset === null);
    if (this.groupId && needCommitted.length > 0) {
      const committed = await this.fetchCommitted(needCommitted, deadline);
      for (const s of needCommitted) {
        const c = committed.get(tpKey(s.topic, s.partition));
        if (c !== undefined && c >= 0) {
          s.position = c;
          s.fetchOffset = c;
        }
      }
    }
    const toReset = missing.filter((s) => s.position === null);
    if (toReset.length === 0) return;
    for (const s of toReset) {
      if (s.reset === null) {
        const policy = this.config.str('auto.offset.reset');
        if (policy === 'none') throw new KafkaClientError(`Undefined offset with no reset policy for partitions: ${s.topic}-${s.partition}`);
        s.reset = policy as 'earliest' | 'latest';
      }
    }
    const offsets = await this.listOffsets(
      toReset.map((s) => ({ topic: s.topic, partition: s.partition, timestamp: s.reset === 'earliest' ? EARLIEST : LATEST })),
      deadline,
    );
    for (const s of toReset) {
      const o = offsets.get(tpKey(s.topic, s.partition));
      if (o !== undefined && s.position === null) {
        s.position = o;
        s.fetchOffset = o;
        s.reset = null;
      }
    }
  }

  /** ListOffsets for partitions grouped by leader; returns offsets by tpKey. */
  private async listOffsets(items: (TopicPartition & { timestamp: bigint })[], deadline: number): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    let pending = items;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) {
        if (Date.now() >= deadline) break;
        await sleep(this.config.int('retry.backoff.ms'));
        await this.cluster.refreshMetadata().catch(() => undefined);
      }
      for (const t of new Set(pending.map((p) => p.topic))) {
        if (!this.cluster.topics.get(t)) await this.cluster.topicMetadata(t, Math.max(1, deadline - Date.now())).catch(() => undefined);
      }
      const byNode = new Map<number, (TopicPartition & { timestamp: bigint })[]>();
      const retry: (TopicPartition & { timestamp: bigint })[] = [];
      for (const p of pending) {
        const leader = this.cluster.leaderFor(p.topic, p.partition);
        if (leader < 0) {
          retry.push(p);
          continue;
        }
        let a = byNode.get(leader);
        if (!a) byNode.set(leader, (a = []));
        a.push(p);
      }
      const readCommitted = this.config.str('isolation.level') === 'read_committed';
      await Promise.all(
        [...byNode].map(async ([node, ps]) => {
          const topics = groupBy(ps, (p) => p.topic, (p) => ({ partitionIndex: p.partition, timestamp: p.timestamp, currentLeaderEpoch: -1, maxNumOffsets: 1 }));
          try {
            const resp = await this.cluster.sendTo(
              node,
              spec(ApiKeys.ListOffsets, encodeListOffsetsRequest, decodeListOffsetsResponse, (v: number) => ({
                replicaId: -1,
                ...(v >= 2 ? { isolationLevel: readCommitted ? 1 : 0 } : {}),
                topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
                ...(v >= 10 ? { timeoutMs: this.config.int('request.timeout.ms') } : {}),
              })),
            );
            for (const t of resp.topics) {
              for (const p of t.partitions) {
                if (p.errorCode === 0) {
                  const off = p.offset !== undefined ? p.offset : (p.oldStyleOffsets?.[0] ?? -1n);
                  result.set(tpKey(t.name, p.partitionIndex), Number(off));
                } else {
                  const err = kafkaError(p.errorCode)!;
                  if (!err.retriable) throw err;
                  retry.push(ps.find((x) => x.topic === t.name && x.partition === p.partitionIndex)!);
                }
              }
            }
          } catch (e) {
            if (e instanceof KafkaError && !e.retriable) throw e;
            retry.push(...ps);
          }
        }),
      );
      pending = retry.filter(Boolean);
    }
    return result;
  }

  async seek(tp: TopicPartition, offset: number): Promise<void> {
    if (!Number.isInteger(offset) || offset < 0) throw new KafkaClientError(`seek offset must not be a negative number (${offset})`);
    const s = this.state(tp);
    this.clearBuffer(s);
    s.position = offset;
    s.fetchOffset = offset;
    s.reset = null;
  }

  async seekToBeginning(partitions?: TopicPartition[]): Promise<void> {
    this.resetTo('earliest', partitions ?? this.assignment());
  }

  async seekToEnd(partitions?: TopicPartition[]): Promise<void> {
    this.resetTo('latest', partitions ?? this.assignment());
  }

  /** Drops buffered records; the position is looked up again (lazily, like Java) at the next poll or position(). */
  private resetTo(reset: 'earliest' | 'latest', partitions: TopicPartition[]): void {
    for (const tp of partitions) {
      const s = this.state(tp);
      this.clearBuffer(s);
      s.position = null;
      s.fetchOffset = null;
      s.reset = reset;
    }
  }

  /** The offset of the next record poll() will return for `tp` (resolving it if needed). */
  async position(tp: TopicPartition, timeoutMs = this.config.int('default.api.timeout.ms')): Promise<number> {
    const s = this.state(tp);
    if (s.position === null) await this.resolvePositions(Date.now() + timeoutMs);
    if (s.position === null) throw new TimeoutError(`Timeout of ${timeoutMs}ms expired before the position for partition ${tp.topic}-${tp.partition} could be determined`);
    return s.position;
  }

  pause(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.state(tp).paused = true;
  }

  resume(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.state(tp).paused = false;
    this.notifyFetch();
  }

  paused(): TopicPartition[] {
    return [...this.assignments.values()].filter((s) => s.paused).map((s) => ({ topic: s.topic, partition: s.partition }));
  }

  /** Beginning/end offsets, as Java's beginningOffsets/endOffsets. */
  async beginningOffsets(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const m = await this.listOffsets(partitions.map((p) => ({ ...p, timestamp: EARLIEST })), Date.now() + this.config.int('default.api.timeout.ms'));
    return partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: m.get(tpKey(p.topic, p.partition)) ?? -1 }));
  }

  async endOffsets(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const m = await this.listOffsets(partitions.map((p) => ({ ...p, timestamp: LATEST })), Date.now() + this.config.int('default.api.timeout.ms'));
    return partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: m.get(tpKey(p.topic, p.partition)) ?? -1 }));
  }

  /** Partition metadata for a topic. */
  async partitionsFor(topic: string): Promise<{ topic: string; partition: number; leader: number; replicas: number[]; isr: number[] }[]> {
    const t = await this.cluster.topicMetadata(topic, this.config.int('default.api.timeout.ms'), this.config.bool('allow.auto.create.topics'));
    return t.partitions.map((p) => ({ topic, partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr }));
  }

  /** All topics (Java's listTopics), name -> partition count. */
  async listTopics(): Promise<Map<string, number>> {
    await this.cluster.refreshMetadata(null);
    const m = new Map<string, number>();
    for (const t of this.cluster.topics.values()) if (!(t.isInternal && this.config.bool('exclude.internal.topics'))) m.set(t.name, t.partitions.length);
    return m;
  }

  // ---------------------------------------------------------------- offsets / commits

  /** Committed offsets of the group for `partitions` (null when none). */
  async committed(partitions: TopicPartition[], timeoutMs = this.config.int('default.api.timeout.ms')): Promise<(TopicPartitionOffset | null)[]> {
    if (!this.groupId) throw new ConfigError('committed() requires group.id');
    const states = partitions.map((p) => ({ topic: p.topic, partition: p.partition }));
    const m = await this.fetchCommittedMeta(states, Date.now() + timeoutMs);
    return partitions.map((p) => {
      const c = m.get(tpKey(p.topic, p.partition));
      return c && c.offset >= 0 ? { topic: p.topic, partition: p.partition, offset: c.offset, metadata: c.metadata } : null;
    });
  }

  private async fetchCommitted(parts: TopicPartition[], deadline: number): Promise<Map<string, number>> {
    const m = await this.fetchCommittedMeta(parts, deadline);
    const out = new Map<string, number>();
    for (const [k, v] of m) out.set(k, v.offset);
    return out;
  }

  private async fetchCommittedMeta(parts: TopicPartition[], deadline: number): Promise<Map<string, { offset: number; metadata: string | null }>> {
    return fetchCommittedOffsets(this.cluster, this.groupId!, parts, this.retryPolicy(deadline));
  }

  private retryPolicy(deadline: number): RetryPolicy {
    return { deadline, retryBackoffMs: this.config.int('retry.backoff.ms'), stopped: () => this.closed };
  }

  private currentOffsets(): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = [];
    for (const s of this.assignments.values()) if (s.position !== null) out.push({ topic: s.topic, partition: s.partition, offset: s.position });
    return out;
  }

  /** Commits `offsets` (default: the positions of everything poll() returned), retrying until success or timeout. */
  async commitSync(offsets?: TopicPartitionOffset[], timeoutMs = this.config.int('default.api.timeout.ms')): Promise<void> {
    const list = offsets ?? this.currentOffsets();
    if (list.length === 0) return;
    await this.commit(list, Date.now() + timeoutMs, true);
  }

  /** Commits without waiting; `callback(err, offsets)` reports the outcome (no retries, as in Java). */
  commitAsync(offsets?: TopicPartitionOffset[] | OffsetCommitCallback, callback?: OffsetCommitCallback): void {
    if (typeof offsets === 'function') {
      callback = offsets;
      offsets = undefined;
    }
    const list = offsets ?? this.currentOffsets();
    if (list.length === 0) {
      callback?.(null, list);
      return;
    }
    this.commit(list, Date.now() + this.config.int('default.api.timeout.ms'), false).then(
      () => callback?.(null, list),
      (e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        this.asyncCommitError = err;
        callback?.(err, list);
      },
    );
  }

  private async commit(list: TopicPartitionOffset[], deadline: number, retry: boolean): Promise<void> {
    if (!this.groupId) throw new ConfigError('committing offsets requires group.id');
    const member = this.manual ? { generationId: -1, memberId: '', groupInstanceId: null } : { generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.groupInstanceId };
    try {
      await commitGroupOffsets(this.cluster, this.groupId, member, list, retry, this.retryPolicy(deadline));
    } catch (e) {
      if (e instanceof CommitFailedError) {
        // the group moved on: rejoin (with a fresh member id unless it is only rebalancing)
        if (e.reason !== 'REBALANCE_IN_PROGRESS') this.resetMember();
        this.rejoinNeeded = true;
      }
      throw e;
    }
    for (const i of this.interceptors) {
      try {
        i.onCommit?.(list);
      } catch {
        /* ignored */
      }
    }
  }

  private maybeAutoCommit(): void {
    if (!this.groupId || !this.config.bool('enable.auto.commit')) return;
    const now = Date.now();
    if (now - this.lastAutoCommit < this.config.int('auto.commit.interval.ms')) return;
    this.lastAutoCommit = now;
    const list = this.currentOffsets();
    if (list.length > 0) this.commitAsync(list, () => undefined);
  }

  // ---------------------------------------------------------------- group membership

  private resetMember(): void {
    this.memberId = '';
    this.generationId = -1;
    this.joined = false;
  }

  private async ensureGroup(deadline: number): Promise<void> {
    if (this.subscribedPattern && Date.now() - this.lastRegexCheck > Math.min(this.config.int('metadata.max.age.ms'), 30000)) {
      this.lastRegexCheck = Date.now();
      await this.cluster.refreshMetadata(null).catch(() => undefined);
      const matched = this.matchedTopics();
      if (matched.join(',') !== this.joinedTopics.join(',')) this.rejoinNeeded = true;
    }
    if (this.joined && !this.rejoinNeeded) return;
    // The join runs in the background so poll(timeoutMs) keeps its deadline even while the coordinator holds
    // JoinGroup for a whole rebalance; the next poll picks up where this one stopped waiting.
    if (!this.joining) {
      const p = this.joinLoop().finally(() => {
        if (this.joining === p) this.joining = null;
      });
      p.catch(() => undefined);
      this.joining = p;
    }
    const left = deadline - Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([this.joining, new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, left))))]);
    } finally {
      clearTimeout(timer);
    }
  }

  private joining: Promise<void> | null = null;
  private joinedCounts = new Map<string, number>();

  /** Subscribed topics whose partition count changed since the last join need a new assignment. */
  private checkPartitionCounts(): void {
    if (this.manual || !this.joined) return;
    for (const [t, n] of this.joinedCounts) {
      const now = this.cluster.topics.get(t)?.partitions.length ?? 0;
      if (now !== n && now > 0) {
        this.rejoinNeeded = true;
        return;
      }
    }
  }

  private async joinLoop(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.joinGroup(Date.now() + this.config.int('default.api.timeout.ms'));
        return;
      } catch (e) {
        if (this.closed) throw e;
        const retriable = e instanceof KafkaClientError && e.retriable;
        if (!retriable) throw e;
        await sleep(this.config.int('retry.backoff.ms') * 2 ** Math.min(attempt, 4));
      }
    }
  }

  private matchedTopics(): string[] {
    if (this.subscribedTopics) return [...this.subscribedTopics].sort();
    const out: string[] = [];
    for (const t of this.cluster.topics.values()) {
      if (t.isInternal && this.config.bool('exclude.internal.topics')) continue;
      this.subscribedPattern!.lastIndex = 0;
      if (this.subscribedPattern!.test(t.name)) out.push(t.name);
    }
    return out.sort();
  }

  private assignorFor(name: string): Assignor {
    const a = this.assignors.find((x) => x.name === name);
    if (!a) throw new KafkaClientError(`coordinator chose unknown assignor ${name}`);
    return a;
  }

  private get cooperative(): boolean {
    return this.assignors.every((a) => a.rebalanceProtocol === 'cooperative');
  }

  private async revokeAll(lost: boolean): Promise<void> {
    const parts = this.assignment();
    if (!lost && this.config.bool('enable.auto.commit') && this.groupId && this.joined) {
      await this.commitSync(undefined, 5000).catch(() => undefined);
    }
    // the listener runs while the partitions are still assigned (as in Java), so it can commit their positions
    if (parts.length > 0 && this.listener) {
      try {
        if (lost) await (this.listener.onPartitionsLost ?? this.listener.onPartitionsRevoked)?.call(this.listener, parts);
        else await this.listener.onPartitionsRevoked?.(parts);
      } catch {
        /* listener errors do not stop the rebalance */
      }
    }
    this.assignments.clear();
  }

  private async joinGroup(deadline: number): Promise<void> {
    const groupId = this.groupId!;
    if (this.subscribedPattern || this.lastRegexCheck === 0) {
      if (this.subscribedPattern) await this.cluster.refreshMetadata(null).catch(() => undefined);
      this.lastRegexCheck = Date.now();
    }
    const topics = this.matchedTopics();
    // know the subscribed topics (creating them if allowed, as the Java consumer does) and remember their partition
    // counts: a later change (kafka-topics --alter --partitions) triggers a rebalance
    if (!this.subscribedPattern && topics.length > 0) {
      await this.cluster.refreshMetadata(topics, this.config.bool('allow.auto.create.topics')).catch(() => undefined);
    }
    this.joinedCounts = new Map(topics.map((t) => [t, this.cluster.topics.get(t)?.partitions.length ?? 0]));
    // eager protocol: give up everything before rejoining (commit first when auto-committing)
    if (!this.cooperative && this.assignments.size > 0) await this.revokeAll(false);
    this.stopHeartbeat();
    const owned = this.assignment();
    const protocols = this.assignors.map((a) => ({
      name: a.name,
      metadata: encodeSubscription({ topics, userData: a.subscriptionUserData?.(owned, this.generationId) ?? null, ownedPartitions: owned, generationId: this.generationId, rackId: null }, 1),
    }));
    const coordinator = await this.cluster.coordinator(groupId, 0, Math.max(1, deadline - Date.now()));
    const sessionTimeoutMs = this.config.int('session.timeout.ms');
    const rebalanceTimeoutMs = this.config.int('max.poll.interval.ms');
    let join;
    try {
      join = await this.cluster.sendTo(
        coordinator,
        spec(ApiKeys.JoinGroup, encodeJoinGroupRequest, decodeJoinGroupResponse, (v: number) => ({
          groupId,
          sessionTimeoutMs,
          ...(v >= 1 ? { rebalanceTimeoutMs } : {}),
          memberId: this.memberId,
          ...(v >= 5 ? { groupInstanceId: this.groupInstanceId } : {}),
          protocolType: 'consumer',
          protocols,
        }), { timeoutMs: rebalanceTimeoutMs + 5000 }), 'coordinator');
    } catch (e) {
      if (e instanceof KafkaClientError && e.retriable) this.cluster.invalidateCoordinator(groupId, 0);
      throw e;
    }
    if (join.errorCode !== 0) {
      const err = kafkaError(join.errorCode)!;
      if (err.name === 'MEMBER_ID_REQUIRED') {
        this.memberId = join.memberId;
        throw new KafkaClientError('rejoin with the assigned member id', true);
      }
      if (err.name === 'UNKNOWN_MEMBER_ID' || err.name === 'ILLEGAL_GENERATION') {
        this.resetMember();
        throw new KafkaClientError(err.message, true);
      }
      if (err.name === 'NOT_COORDINATOR' || err.name === 'COORDINATOR_NOT_AVAILABLE') this.cluster.invalidateCoordinator(groupId, 0);
      if (err.name === 'REBALANCE_IN_PROGRESS') throw new KafkaClientError(err.message, true);
      throw err;
    }
    this.memberId = join.memberId;
    this.generationId = join.generationId ?? -1;
    this.protocolName = join.protocolName ?? null;
    let assignments: { memberId: string; assignment: Buffer }[] = [];
    if (join.leader === join.memberId && !join.skipAssignment) {
      const assignor = this.assignorFor(this.protocolName!);
      const members: MemberSubscription[] = join.members.map((m) => {
        const sub = decodeSubscription(m.metadata);
        return { memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, topics: sub.topics, ownedPartitions: sub.ownedPartitions, generationId: sub.generationId, userData: sub.userData };
      });
      const allTopics = [...new Set(members.flatMap((m) => m.topics))];
      this.cluster.addInterest(allTopics);
      await this.cluster.refreshMetadata(this.cluster.interest === null ? null : allTopics);
      const counts = new Map<string, number>();
      for (const t of allTopics) {
        const md = this.cluster.topics.get(t);
        if (md && md.partitions.length > 0) counts.set(t, md.partitions.length);
      }
      const result = assignor.assign(counts, members);
      assignments = [...result].map(([memberId, tps]) => ({ memberId, assignment: encodeAssignment({ partitions: tps, userData: null }, 1) }));
    }
    const sync = await this.cluster.sendTo(
      coordinator,
      spec(ApiKeys.SyncGroup, encodeSyncGroupRequest, decodeSyncGroupResponse, (v: number) => ({
        groupId,
        generationId: this.generationId,
        memberId: this.memberId,
        ...(v >= 3 ? { groupInstanceId: this.groupInstanceId } : {}),
        ...(v >= 5 ? { protocolType: 'consumer', protocolName: this.protocolName } : {}),
        assignments,
      }), { timeoutMs: rebalanceTimeoutMs + 5000 }), 'coordinator');
    if (sync.errorCode !== 0) {
      const err = kafkaError(sync.errorCode)!;
      if (err.name === 'UNKNOWN_MEMBER_ID' || err.name === 'ILLEGAL_GENERATION') this.resetMember();
      if (err.name === 'NOT_COORDINATOR' || err.name === 'COORDINATOR_NOT_AVAILABLE') this.cluster.invalidateCoordinator(groupId, 0);
      if (err.name === 'REBALANCE_IN_PROGRESS' || err.name === 'UNKNOWN_MEMBER_ID' || err.name === 'ILLEGAL_GENERATION') throw new KafkaClientError(err.message, true);
      throw err;
    }
    const assigned = decodeAssignment(sync.assignment).partitions;
    this.joined = true;
    this.rejoinNeeded = false;
    this.joinedTopics = topics;
    this.cluster.addInterest(assigned.map((p) => p.topic));
    const newKeys = new Set(assigned.map((p) => tpKey(p.topic, p.partition)));
    if (this.cooperative) {
      const revoked = this.assignment().filter((p) => !newKeys.has(tpKey(p.topic, p.partition)));
      const added = assigned.filter((p) => !this.assignments.has(tpKey(p.topic, p.partition)));
      if (revoked.length > 0) {
        if (this.config.bool('enable.auto.commit')) {
          const offs = this.currentOffsets().filter((o) => revoked.some((r) => r.topic === o.topic && r.partition === o.partition));
          if (offs.length > 0) await this.commitSync(offs, 5000).catch(() => undefined);
        }
        try {
          await this.listener?.onPartitionsRevoked?.(revoked); // still assigned here, so it may commit them
        } catch {
          /* ignored */
        }
        for (const p of revoked) this.assignments.delete(tpKey(p.topic, p.partition));
        this.rejoinNeeded = true; // KIP-429: rejoin so the revoked partitions can be given to their new owner
      }
      for (const p of added) this.addPartition(p);
      if (added.length > 0 || revoked.length === 0) {
        try {
          await this.listener?.onPartitionsAssigned?.(added);
        } catch {
          /* ignored */
        }
      }
    } else {
      this.assignments.clear();
      for (const p of assigned) this.addPartition(p);
      try {
        await this.listener?.onPartitionsAssigned?.(assigned);
      } catch {
        /* ignored */
      }
    }
    this.startHeartbeat(coordinator);
  }

  private startHeartbeat(coordinator: number): void {
    this.stopHeartbeat();
    if (this.closed) return;
    const groupId = this.groupId!;
    const interval = this.config.int('heartbeat.interval.ms');
    const maxPollInterval = this.config.int('max.poll.interval.ms');
    let inFlight = false;
    this.heartbeatTimer = setInterval(() => {
      if (inFlight || this.closed || !this.joined) return;
      if (Date.now() - this.lastPoll > maxPollInterval) {
        // the application stopped polling: leave so the group can rebalance (Java's poll timeout behaviour)
        void this.leaveGroup('consumer poll timeout has expired').then(() => {
          this.rejoinNeeded = true;
        });
        return;
      }
      inFlight = true;
      this.cluster
        .sendTo(
          coordinator,
          spec(ApiKeys.Heartbeat, encodeHeartbeatRequest, decodeHeartbeatResponse, (v: number) => ({ groupId, generationId: this.generationId, memberId: this.memberId, ...(v >= 3 ? { groupInstanceId: this.groupInstanceId } : {}) })),
          'coordinator',
        )
        .then(
          (resp) => {
            if (resp.errorCode === 0) return;
            const err = kafkaError(resp.errorCode)!;
            if (err.name === 'REBALANCE_IN_PROGRESS') this.rejoinNeeded = true;
            else if (err.name === 'UNKNOWN_MEMBER_ID' || err.name === 'ILLEGAL_GENERATION' || err.name === 'FENCED_INSTANCE_ID') {
              this.resetMember();
              this.rejoinNeeded = true;
              const lost = this.assignment();
              this.assignments.clear();
              if (lost.length > 0 && this.listener) void Promise.resolve((this.listener.onPartitionsLost ?? this.listener.onPartitionsRevoked)?.call(this.listener, lost)).catch(() => undefined);
            } else if (err.name === 'NOT_COORDINATOR' || err.name === 'COORDINATOR_NOT_AVAILABLE') {
              this.cluster.invalidateCoordinator(groupId, 0);
              this.rejoinNeeded = true;
            }
            if (this.rejoinNeeded) this.notifyFetch();
          },
          () => {
            /* connection problems: the next heartbeat retries; the session timeout decides */
          },
        )
        .finally(() => {
          inFlight = false;
        });
    }, interval);
    this.heartbeatTimer.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private async leaveGroup(reason: string): Promise<void> {
    this.stopHeartbeat();
    if (!this.groupId || !this.memberId) return;
    const memberId = this.memberId;
    this.joined = false;
    // static members keep their assignment across restarts: they do not leave (Java behaviour)
    if (this.groupInstanceId) return;
    try {
      const coordinator = await this.cluster.coordinator(this.groupId, 0, 5000);
      await this.cluster.sendTo(
        coordinator,
        spec(ApiKeys.LeaveGroup, encodeLeaveGroupRequest, decodeLeaveGroupResponse, (v: number) =>
          v >= 3 ? { groupId: this.groupId!, members: [{ memberId, groupInstanceId: this.groupInstanceId, ...(v >= 5 ? { reason } : {}) }] } : { groupId: this.groupId!, memberId },
        ), 'coordinator');
    } catch {
      /* best effort */
    }
    this.resetMember();
  }

  private ensureOpen(): void {
    if (this.closed) throw new ClosedError('This consumer has already been closed.');
  }

  /** Commits (with auto commit), revokes, leaves the group and closes connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.wakeup();
    try {
      if (this.joining) {
        // let a join in progress finish (bounded) so the member can leave the group cleanly
        let t: NodeJS.Timeout | undefined;
        await Promise.race([this.joining.catch(() => undefined), new Promise<void>((r) => (t = setTimeout(r, 5000)))]);
        clearTimeout(t);
      }
      if (this.joined) {
        await this.revokeAll(false);
        await this.leaveGroup('the consumer is being closed');
      } else if (this.manual && this.groupId && this.config.bool('enable.auto.commit')) {
        await this.commitSync(undefined, 5000).catch(() => undefined);
      }
    } finally {
      this.closed = true;
      this.stopHeartbeat();
      for (const i of this.interceptors) i.close?.();
      this.cluster.close();
      this.notifyFetch();
    }
  }

  /** Group metadata (for sendOffsetsToTransaction and tooling). */
  groupMetadata(): { groupId: string | null; generationId: number; memberId: string; groupInstanceId: string | null } {
    return { groupId: this.groupId, generationId: this.generationId, memberId: this.memberId, groupInstanceId: this.groupInstanceId };
  }
}
