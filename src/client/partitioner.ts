// Partitioners. The producer asks the partitioner for a partition only when the record has none; records with a
// key go to murmur2(key) like the Java client; records without a key use the sticky partitioner of KIP-480: stay on
// one partition until a new batch is needed for it, then switch, so small records still fill large batches.
import { partitionForKey } from './murmur2.js';
import { ConfigError } from './errors.js';

export interface PartitionerContext {
  /** Number of partitions of the topic. */
  numPartitions: number;
  /** Partitions that currently have a leader (Java's availablePartitionsForTopic). */
  availablePartitions: readonly number[];
}

export interface Partitioner {
  partition(topic: string, key: unknown, keyBytes: Buffer | null, value: unknown, valueBytes: Buffer | null, ctx: PartitionerContext): number;
  /** KIP-480 hook: the accumulator is about to open a new batch on `prevPartition` of `topic`. */
  onNewBatch?(topic: string, ctx: PartitionerContext, prevPartition: number): void;
  close?(): void;
}

/** A custom partitioner as a plain function. */
export type PartitionerFunction = (args: {
  topic: string;
  key: unknown;
  keyBytes: Buffer | null;
  value: unknown;
  valueBytes: Buffer | null;
  numPartitions: number;
  availablePartitions: readonly number[];
}) => number;

function randomInt(n: number): number {
  return Math.floor(Math.random() * n);
}

/** Per-topic sticky choice among available partitions (Java's StickyPartitionCache). */
class StickyCache {
  private readonly current = new Map<string, number>();
  partition(topic: string, ctx: PartitionerContext): number {
    const p = this.current.get(topic);
    if (p !== undefined && p < ctx.numPartitions) return p;
    return this.next(topic, ctx, -1);
  }
  next(topic: string, ctx: PartitionerContext, prev: number): number {
    const old = this.current.get(topic);
    // only switch if the batch that triggered this was on the sticky partition (another batch may have raced)
    if (old !== undefined && old !== prev && prev !== -1) return old;
    const avail = ctx.availablePartitions.length > 0 ? ctx.availablePartitions : range(ctx.numPartitions);
    let p: number;
    if (avail.length === 1) p = avail[0]!;
    else {
      do p = avail[randomInt(avail.length)]!;
      while (p === old);
    }
    this.current.set(topic, p);
    return p;
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Java's default: key -> murmur2 (unless ignoreKeys), null key -> sticky (KIP-480). */
export class DefaultPartitioner implements Partitioner {
  private readonly sticky = new StickyCache();
  constructor(private readonly ignoreKeys = false) {}
  partition(topic: string, _key: unknown, keyBytes: Buffer | null, _v: unknown, _vb: Buffer | null, ctx: PartitionerContext): number {
    if (keyBytes !== null && !this.ignoreKeys) return partitionForKey(keyBytes, ctx.numPartitions);
    return this.sticky.partition(topic, ctx);
  }
  onNewBatch(topic: string, ctx: PartitionerContext, prevPartition: number): void {
    this.sticky.next(topic, ctx, prevPartition);
  }
}

/** Java's UniformStickyPartitioner: sticky for every record, keys ignored. */
export class UniformStickyPartitioner extends DefaultPartitioner {
  constructor() {
    super(true);
  }
}

/** Java's RoundRobinPartitioner: each record to the next available partition, keys ignored. */
export class RoundRobinPartitioner implements Partitioner {
  private readonly counters = new Map<string, number>();
  partition(topic: string, _k: unknown, _kb: Buffer | null, _v: unknown, _vb: Buffer | null, ctx: PartitionerContext): number {
    const n = this.counters.get(topic) ?? 0;
    this.counters.set(topic, (n + 1) | 0);
    const avail = ctx.availablePartitions;
    if (avail.length > 0) return avail[(n & 0x7fffffff) % avail.length]!;
    return (n & 0x7fffffff) % ctx.numPartitions;
  }
}

class FunctionPartitioner implements Partitioner {
  constructor(private readonly fn: PartitionerFunction) {}
  partition(topic: string, key: unknown, keyBytes: Buffer | null, value: unknown, valueBytes: Buffer | null, ctx: PartitionerContext): number {
    return this.fn({ topic, key, keyBytes, value, valueBytes, numPartitions: ctx.numPartitions, availablePartitions: ctx.availablePartitions });
  }
}

/**
 * partitioner.class: a Partitioner object, a function, or a name: 'default' | 'murmur2' | 'sticky' |
 * 'round-robin' | 'uniform-sticky', or the Java class names of the built-ins.
 */
export function createPartitioner(spec: unknown, ignoreKeys: boolean): Partitioner {
  if (spec === null || spec === undefined) return new DefaultPartitioner(ignoreKeys);
  if (typeof spec === 'function') return new FunctionPartitioner(spec as PartitionerFunction);
  if (typeof spec === 'object' && typeof (spec as Partitioner).partition === 'function') return spec as Partitioner;
  if (typeof spec === 'string') {
    const s = spec.trim();
    const simple = s.slice(s.lastIndexOf('.') + 1).toLowerCase();
    if (['default', 'defaultpartitioner', 'murmur2', 'sticky'].includes(simple) || s === '') return new DefaultPartitioner(ignoreKeys);
    if (['round-robin', 'roundrobin', 'roundrobinpartitioner'].includes(simple)) return new RoundRobinPartitioner();
    if (['uniform-sticky', 'uniformsticky', 'uniformstickypartitioner'].includes(simple)) return new UniformStickyPartitioner();
  }
  throw new ConfigError(`partitioner.class: unknown partitioner ${String(spec)}`);
}
