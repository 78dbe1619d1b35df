// Incremental fetch sessions (KIP-227). A consumer that fetches the same partitions over and over opens a session
// with a full fetch (epoch 0); later fetches (epoch 1, 2, ...) list only partitions whose fetch offset changed,
// and the response lists only partitions with news (records, an error, or a moved HW / LSO / log start offset).
// Sessions live in memory, bounded by max.incremental.fetch.session.cache.slots; the least recently used one is
// evicted when the cache is full (Kafka additionally weighs session size; one node does not need that).

export interface SessionPartition {
  topic: string;
  topicId: string;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  /** What the last response told the client, to decide whether this partition has news. */
  lastHighWatermark: number;
  lastStableOffset: number;
  lastLogStartOffset: number;
}

export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;

export class FetchSession {
  /** Next epoch the client must send; the creating (epoch 0) fetch bumps it to 1. */
  epoch = 0;
  lastUsedMs = Date.now();
  readonly partitions = new Map<string, SessionPartition>();

  constructor(readonly id: number) {}

  static key(topic: string, partition: number): string {
    return `${topic}\u0000${partition}`;
  }

  bumpEpoch(): void {
    this.epoch = this.epoch >= 0x7fffffff ? 1 : this.epoch + 1;
    this.lastUsedMs = Date.now();
  }
}

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  private nextId = 1 + Math.floor(Math.random() * 1_000_000);

  constructor(private readonly maxSlots: number) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: number): FetchSession | undefined {
    const s = this.sessions.get(id);
    if (s) {
      // Map order = LRU order.
      this.sessions.delete(id);
      this.sessions.set(id, s);
    }
    return s;
  }

  remove(id: number): void {
    this.sessions.delete(id);
  }

  /** A new session, or undefined when sessions are disabled (0 slots). */
  create(): FetchSession | undefined {
    if (this.maxSlots <= 0) return undefined;
    while (this.sessions.size >= this.maxSlots) {
      const oldest = this.sessions.keys().next().value as number;
      this.sessions.delete(oldest);
    }
    let id = this.nextId++;
    if (this.nextId > 0x7fffffff) this.nextId = 1;
    while (this.sessions.has(id) || id === 0) id = this.nextId++;
    const s = new FetchSession(id);
    this.sessions.set(id, s);
    return s;
  }
}
