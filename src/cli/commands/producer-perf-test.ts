// kafka-producer-perf-test.sh (ProducerPerformance): sends --num-records records of --record-size bytes (or lines of
// --payload-file) at up to --throughput records/s, printing a progress line every 5 s and Kafka's final summary with
// latency percentiles. Latency = time from send() to the acknowledgement callback, as in Kafka.
import { randomFillSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Producer } from '../../client/index.js';
import { type CommandSpec, UsageError, parseInteger } from '../lib/args.js';
import { readPropertiesFile, runCommand, type Context } from '../lib/command.js';
import { fixed } from '../lib/format.js';
import type { CliIo } from '../lib/io.js';

export const summary = 'Producer throughput and latency test (kafka-producer-perf-test.sh).';

export const spec: CommandSpec = {
  name: 'producer-perf-test',
  description: 'This tool is used to verify the producer performance.',
  options: [
    { name: 'topic', arg: 'required', argName: 'TOPIC', description: 'produce messages to this topic' },
    { name: 'num-records', arg: 'required', argName: 'NUM-RECORDS', description: 'number of messages to produce' },
    { name: 'record-size', arg: 'required', argName: 'RECORD-SIZE', description: 'message size in bytes. Note that you must provide exactly one of --record-size or --payload-file.' },
    { name: 'payload-file', arg: 'required', argName: 'PAYLOAD-FILE', description: 'file to read the message payloads from. This works only for UTF-8 encoded text files. Payloads will be read from this file and a payload will be randomly selected when sending messages. Note that you must provide exactly one of --record-size or --payload-file.' },
    { name: 'payload-delimiter', arg: 'required', argName: 'PAYLOAD-DELIMITER', description: 'provides delimiter to be used when --payload-file is provided. Defaults to new line. Note that this parameter will be ignored if --payload-file is not provided.', defaultValue: '\\n' },
    { name: 'throughput', arg: 'required', argName: 'THROUGHPUT', description: 'throttle maximum message throughput to *approximately* THROUGHPUT messages/sec. Set this to -1 to disable throttling.' },
    { name: 'producer-props', arg: 'required', argName: 'PROP-NAME=PROP-VALUE [PROP-NAME=PROP-VALUE ...]', description: 'kafka producer related configuration properties like bootstrap.servers,client.id etc. These configs take precedence over those passed via --producer.config.' },
    { name: 'producer.config', arg: 'required', argName: 'CONFIG-FILE', description: 'producer config properties file.' },
    { name: 'print-metrics', description: 'print out metrics at the end of the test.' },
    { name: 'transactional-id', arg: 'required', argName: 'TRANSACTIONAL-ID', description: 'The transactionalId to use if transaction-duration-ms is > 0.', defaultValue: 'performance-producer-default-transactional-id' },
    { name: 'transaction-duration-ms', arg: 'required', argName: 'TRANSACTION-DURATION', description: 'The max age of each transaction. The commitTransaction will be called after this time has elapsed. Transactions are only enabled if this value is positive.', defaultValue: '0' },
  ],
};

/** argparse4j lets --producer-props take several values: `--producer-props a=1 b=2`. Expand to repeated options. */
export function expandMultiValued(argv: string[], option: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    out.push(a);
    if (a !== `--${option}`) continue;
    let first = true;
    while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) {
      if (!first) out.push(`--${option}`);
      out.push(argv[++i]!);
      first = false;
    }
  }
  return out;
}

/** ProducerPerformance.Stats: windowed progress lines plus sampled latencies for the final percentiles. */
export class PerfStats {
  private readonly start = Date.now();
  private windowStart = Date.now();
  private readonly latencies: Int32Array;
  private readonly sampling: number;
  private index = 0;
  count = 0;
  private bytes = 0;
  private maxLatency = 0;
  private totalLatency = 0;
  private windowCount = 0;
  private windowMaxLatency = 0;
  private windowTotalLatency = 0;
  private windowBytes = 0;

  constructor(
    numRecords: number,
    private readonly reportingIntervalMs: number,
    private readonly print: (line: string) => void,
  ) {
    this.sampling = Math.max(1, Math.floor(numRecords / Math.max(1, Math.min(numRecords, 500000))));
    this.latencies = new Int32Array(Math.floor(numRecords / this.sampling) + 1);
  }

  record(iteration: number, latency: number, bytes: number, now: number): void {
    this.count++;
    this.bytes += bytes;
    this.totalLatency += latency;
    this.maxLatency = Math.max(this.maxLatency, latency);
    this.windowCount++;
    this.windowBytes += bytes;
    this.windowTotalLatency += latency;
    this.windowMaxLatency = Math.max(this.windowMaxLatency, latency);
    if (iteration % this.sampling === 0 && this.index < this.latencies.length) this.latencies[this.index++] = latency;
    if (now - this.windowStart >= this.reportingIntervalMs) {
      this.printWindow();
      this.windowStart = Date.now();
      this.windowCount = 0;
      this.windowMaxLatency = 0;
      this.windowTotalLatency = 0;
      this.windowBytes = 0;
    }
  }

  private printWindow(): void {
    const elapsed = Math.max(1, Date.now() - this.windowStart);
    const recsPerSec = (1000 * this.windowCount) / elapsed;
    const mbPerSec = (1000 * this.windowBytes) / elapsed / (1024 * 1024);
    this.print(
      `${this.windowCount} records sent, ${fixed(recsPerSec, 1)} records/sec (${fixed(mbPerSec, 2)} MB/sec), ` +
        `${fixed(this.windowTotalLatency / this.windowCount, 1)} ms avg latency, ${fixed(this.windowMaxLatency, 1)} ms max latency.`,
    );
  }

  percentiles(...ps: number[]): number[] {
    const sorted = this.latencies.slice(0, this.index).sort();
    return ps.map((p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : 0));
  }

  totalLine(): string {
    const elapsed = Math.max(1, Date.now() - this.start);
    const recsPerSec = (1000 * this.count) / elapsed;
    const mbPerSec = (1000 * this.bytes) / elapsed / (1024 * 1024);
    const [p50, p95, p99, p999] = this.percentiles(0.5, 0.95, 0.99, 0.999);
    return (
      `${this.count} records sent, ${fixed(recsPerSec, 6)} records/sec (${fixed(mbPerSec, 2)} MB/sec), ` +
      `${fixed(this.count ? this.totalLatency / this.count : 0, 2)} ms avg latency, ${fixed(this.maxLatency, 2)} ms max latency, ` +
      `${p50} ms 50th, ${p95} ms 95th, ${p99} ms 99th, ${p999} ms 99.9th.`
    );
  }
}

/**
 * Random uppercase ASCII payloads, as Kafka's perf test fills its buffer per record. Random bytes come from a pool
 * refilled 1 MiB at a time (one randomFillSync call per MiB instead of one per record).
 */
class PayloadFiller {
  private pool = Buffer.alloc(0);
  private pos = 0;

  fill(buf: Buffer): void {
    if (this.pos + buf.length > this.pool.length) {
      this.pool = randomFillSync(Buffer.allocUnsafe(Math.max(1 << 20, buf.length)));
      for (let i = 0; i < this.pool.length; i++) this.pool[i] = 65 + (this.pool[i]! % 26);
      this.pos = 0;
    }
    this.pool.copy(buf, 0, this.pos, this.pos + buf.length);
    this.pos += buf.length;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function run(argv: string[], io?: CliIo): Promise<number> {
  return runCommand(spec, expandMultiValued(argv, 'producer-props'), io, async (ctx: Context) => {
    const args = ctx.args;
    for (const req of ['topic', 'num-records', 'throughput']) if (!args.has(req)) throw new UsageError(`argument --${req} is required`);
    if (args.has('record-size') === args.has('payload-file')) throw new UsageError('one of the arguments --record-size --payload-file is required (exactly one)');
    if (!args.has('producer-props') && !args.has('producer.config')) throw new UsageError('Either --producer-props or --producer.config must be specified.');
    const topic = args.value('topic')!;
    const numRecords = parseInteger('num-records', args.value('num-records')!);
    const throughput = parseInteger('throughput', args.value('throughput')!);
    if (numRecords < 1) throw new UsageError('--num-records must be positive');
    const props: Record<string, string> = {};
    if (args.has('producer.config')) for (const [k, v] of readPropertiesFile(args.value('producer.config')!)) props[k] = v;
    for (const p of args.all('producer-props')) {
      const pieces = p.split('=');
      if (pieces.length !== 2) throw new UsageError(`Invalid property: ${p}`);
      props[pieces[0]!] = pieces[1]!;
    }
    if (!props['bootstrap.servers']) throw new UsageError('bootstrap.servers must be given in --producer-props or --producer.config');
    props['key.serializer'] = 'org.apache.kafka.common.serialization.ByteArraySerializer';
    props['value.serializer'] = 'org.apache.kafka.common.serialization.ByteArraySerializer';
    props['client.id'] ??= 'perf-producer-client';
    const txnMs = parseInteger('transaction-duration-ms', args.value('transaction-duration-ms') ?? '0');
    if (txnMs > 0) props['transactional.id'] = args.value('transactional-id') ?? 'performance-producer-default-transactional-id';

    let payloads: Buffer[] = [];
    if (args.has('payload-file')) {
      const path = args.value('payload-file')!;
      const delim = (args.value('payload-delimiter') ?? '\\n') === '\\n' ? '\n' : args.value('payload-delimiter')!;
      await ctx.out(`Reading payloads from: ${path}`);
      payloads = readFileSync(path, 'utf8').split(delim).filter((s) => s !== '').map((s) => Buffer.from(s, 'utf8'));
      await ctx.out(`Number of messages read: ${payloads.length}`);
      if (payloads.length === 0) throw new UsageError('File is empty');
    }
    const recordSize = args.has('record-size') ? parseInteger('record-size', args.value('record-size')!) : 0;
    const stats = new PerfStats(numRecords, 5000, (l) => void ctx.io.stdout.write(l + '\n'));
    const producer = new Producer<Buffer, Buffer>(props);
    let failures = 0;
    const start = Date.now();
    // Bound the sends awaiting acknowledgement: roughly buffer.memory worth of records, like the Java producer's
    // blocking send() when its buffer is full.
    const bufferMemory = Number(props['buffer.memory'] ?? 33554432);
    const maxPending = Math.max(1000, Math.floor(bufferMemory / Math.max(1, recordSize || 100)));
    let pending = 0;
    let wake: (() => void) | null = null;
    try {
      // Like the Java producer's blocking send(), learn the topic's partitions before timing the first record.
      await producer.partitionsFor(topic);
      if (txnMs > 0) await producer.initTransactions();
      let txnStart = 0;
      let inTxn = 0;
      const filler = new PayloadFiller();
      for (let i = 0; i < numRecords; i++) {
        let value: Buffer;
        if (payloads.length) value = payloads[Math.floor(Math.random() * payloads.length)]!;
        else {
          value = Buffer.allocUnsafe(recordSize);
          filler.fill(value);
        }
        if (txnMs > 0 && inTxn === 0) {
          producer.beginTransaction();
          txnStart = Date.now();
        }
        const sendStart = Date.now();
        const iteration = i;
        pending++;
        // Java's Callback form: no promise per record, the completion runs on acknowledgement or failure.
        producer.send({ topic, value }, (err) => {
          const now = Date.now();
          stats.record(iteration, now - sendStart, value.length, now);
          if (err && failures++ < 10) ctx.io.stderr.write(`${err.message}\n`);
          pending--;
          if (wake) {
            const w = wake;
            wake = null;
            w();
          }
        });
        inTxn++;
        if (txnMs > 0 && txnMs <= sendStart - txnStart) {
          await producer.commitTransaction();
          inTxn = 0;
        }
        if (pending >= maxPending) await new Promise<void>((r) => (wake = r));
        else if (i % 1000 === 999) await new Promise<void>((r) => setImmediate(r));
        // ThroughputThrottler: stay at or under the target rate.
        if (throughput > 0) {
          const elapsedMs = Date.now() - start;
          const aheadMs = ((i + 1) * 1000) / throughput - elapsedMs;
          if (aheadMs > 0) await sleep(aheadMs);
        }
      }
      if (txnMs > 0 && inTxn > 0) await producer.commitTransaction();
      await producer.flush();
      // Every send settles (acknowledged or failed) before the producer closes.
      while (pending > 0) await new Promise<void>((r) => (wake = r));
    } finally {
      await producer.close();
    }
    await ctx.out(stats.totalLine());
    return failures > 0 ? 1 : 0;
  });
}
