// Drives real Kafka clients from tests: kcat (librdkafka), confluent-kafka-python and kafka-python (through
// Debian's /usr/bin/python3, which has those packages; the pyenv python3 on PATH does not), kafkajs and
// @platformatic/kafka (in-process). Every call has a hard timeout and cleans up its process or connections.
//
// Messages are exchanged as TestMessage / ConsumedMessage with Buffers so tests can compare bytes exactly.
import { randomBytes } from 'node:crypto';
import { runChecked, runProcess, withTimeout, type RunOptions, type RunResult } from './process.js';

export const SYSTEM_PYTHON = '/usr/bin/python3';

export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface TestHeader {
  key: string;
  value: Buffer | null;
}

export interface TestMessage {
  key: Buffer | null;
  value: Buffer | null;
  headers?: TestHeader[];
  /** Target partition; the client's partitioner decides when absent. */
  partition?: number;
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: TestHeader[];
}

/** A client config value; arrays are for kafka-python's api_version tuple. */
export type ConfigValue = string | number | boolean | number[];

export interface ProduceOptions {
  bootstrap: string;
  topic: string;
  messages: TestMessage[];
  compression?: Codec;
  /** Extra client configuration in the client's own naming (librdkafka properties for kcat/confluent). */
  config?: Record<string, ConfigValue>;
  timeoutMs?: number;
}

export interface ConsumeOptions {
  bootstrap: string;
  topic: string;
  /** Stop after this many messages. */
  count: number;
  /** Only this partition (default: all partitions of the topic). */
  partition?: number;
  /** Consume through a consumer group with this id (default: assign partitions, no group). */
  groupId?: string;
  config?: Record<string, ConfigValue>;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------------------------------------------------
// kcat

/** Runs kcat with raw arguments (and -b added first). */
export function kcat(bootstrap: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return runProcess('kcat', ['-b', bootstrap, ...args], { timeoutMs: DEFAULT_TIMEOUT_MS, ...opts });
}

function configArgs(config: Record<string, ConfigValue> | undefined): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(config ?? {})) out.push('-X', `${k}=${String(v)}`);
  return out;
}

function uniqueToken(messages: TestMessage[]): string {
  // kcat splits stdin on string delimiters; pick one that occurs in no key or value, so bytes pass exactly.
  for (;;) {
    const token = `~${randomBytes(9).toString('base64url')}~`;
    const t = Buffer.from(token);
    if (messages.every((m) => (m.key?.indexOf(t) ?? -1) < 0 && (m.value?.indexOf(t) ?? -1) < 0)) return token;
  }
}

function headerSignature(m: TestMessage): string {
  return JSON.stringify((m.headers ?? []).map((h) => [h.key, h.value?.toString('latin1') ?? null]));
}

/**
 * Produces with `kcat -P`. kcat applies -H headers, -p and -Z to a whole invocation, so consecutive messages
 * sharing those are sent by one kcat run (one or more batches). kcat cannot express a null key together with
 * an empty or null value, and header values must be text without '=' issues; such messages are rejected.
 */
export async function kcatProduce(opts: ProduceOptions): Promise<void> {
  const runs: TestMessage[][] = [];
  for (const m of opts.messages) {
    if (m.key === null && (m.value === null || m.value.length === 0)) {
      throw new Error('kcat cannot produce a message with a null key and an empty/null value');
    }
    if ((m.headers ?? []).some((h) => h.value === null)) throw new Error('kcat cannot produce null header values');
    const last = runs.at(-1)?.[0];
    const same =
      last !== undefined &&
      last.partition === m.partition &&
      headerSignature(last) === headerSignature(m) &&
      (last.value === null) === (m.value === null);
    if (same) runs.at(-1)!.push(m);
    else runs.push([m]);
  }
  for (const run of runs) {
    const first = run[0]!;
    const delim = uniqueToken(run);
    const keyDelim = uniqueToken(run);
    const args = ['-P', '-t', opts.topic, '-D', delim, '-K', keyDelim, '-c', String(run.length)];
    args.push('-p', String(first.partition ?? -1));
    if (first.value === null) args.push('-Z'); // "key<kd>" with -Z is a null value
    if (opts.compression && opts.compression !== 'none') args.push('-z', opts.compression);
    for (const h of first.headers ?? []) args.push('-H', `${h.key}=${h.value!.toString('latin1')}`);
    args.push(...configArgs(opts.config));
    const parts: Buffer[] = [];
    for (const m of run) {
      if (m.key !== null) parts.push(m.key, Buffer.from(keyDelim));
      if (m.value !== null) parts.push(m.value);
      parts.push(Buffer.from(delim));
    }
    await runChecked('kcat', ['-b', opts.bootstrap, ...args], {
      stdin: Buffer.concat(parts),
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
  }
}

/** Parses kcat output written with KCAT_FORMAT. */
export function parseKcatOutput(topic: string, out: Buffer): ConsumedMessage[] {
  const msgs: ConsumedMessage[] = [];
  let pos = 0;
  const readLine = (): string => {
    const nl = out.indexOf(0x0a, pos);
    if (nl < 0) throw new Error(`kcat output truncated at byte ${pos}`);
    const line = out.toString('latin1', pos, nl);
    pos = nl + 1;
    return line;
  };
  while (pos < out.length) {
    const m = /^M (\d+) (\d+) (-?\d+) (-?\d+) (-?\d+)$/.exec(readLine());
    if (!m) throw new Error('unexpected kcat output line');
    const keyLen = Number(m[4]);
    const valueLen = Number(m[5]);
    const key = keyLen < 0 ? null : Buffer.from(out.subarray(pos, pos + keyLen));
    pos += Math.max(keyLen, 0);
    const value = valueLen < 0 ? null : Buffer.from(out.subarray(pos, pos + valueLen));
    pos += Math.max(valueLen, 0);
    if (out[pos] !== 0x0a) throw new Error('kcat output: missing newline after value');
    pos += 1;
    const headerLine = readLine();
    const headers: TestHeader[] = headerLine === ''
      ? []
      : headerLine.split(',').map((kv) => {
          const eq = kv.indexOf('=');
          return { key: kv.slice(0, eq), value: Buffer.from(kv.slice(eq + 1), 'latin1') };
        });
    msgs.push({
      topic,
      partition: Number(m[1]),
      offset: BigInt(m[2]!),
      timestamp: BigInt(m[3]!),
      key,
      value,
      headers,
    });
  }
  return msgs;
}

/** Lengths first, so keys and values may hold any bytes; headers are kcat's n=v CSV (text only). */
export const KCAT_FORMAT = 'M %p %o %T %K %S\\n%k%s\\n%h\\n';

/** Consumes from the beginning with `kcat -C -e` (exits at the end of the partitions) or `-G` for a group. */
export async function kcatConsume(opts: ConsumeOptions): Promise<ConsumedMessage[]> {
  const args = opts.groupId
    ? ['-G', opts.groupId, '-X', 'auto.offset.reset=earliest', '-c', String(opts.count), opts.topic]
    : ['-C', '-t', opts.topic, '-o', 'beginning', '-e', '-c', String(opts.count)];
  if (!opts.groupId && opts.partition !== undefined) args.push('-p', String(opts.partition));
  args.push('-f', KCAT_FORMAT.replaceAll('\\n', '\n'), '-q', ...configArgs(opts.config));
  const r = await runChecked('kcat', ['-b', opts.bootstrap, ...args], { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS });
  return parseKcatOutput(opts.topic, r.stdout);
}

/** `kcat -L -J`: the cluster's metadata as kcat sees it. */
export async function kcatMetadata(bootstrap: string, topic?: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<unknown> {
  const args = ['-b', bootstrap, '-L', '-J', ...(topic ? ['-t', topic] : [])];
  const r = await runChecked('kcat', args, { timeoutMs });
  return JSON.parse(r.stdout.toString()) as unknown;
}

// ---------------------------------------------------------------------------------------------------------
// Python clients: a script reads one JSON request on stdin and prints one JSON result on stdout.
// Binary fields travel base64-encoded (null stays null).

interface WireMessage {
  key: string | null;
  value: string | null;
  headers: [string, string | null][];
  partition?: number;
}

interface WireConsumed extends WireMessage {
  topic: string;
  partition: number;
  offset: number | string;
  timestamp: number | string;
}

const b64 = (b: Buffer | null): string | null => (b === null ? null : b.toString('base64'));
const unb64 = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, 'base64'));

function toWire(m: TestMessage): WireMessage {
  const w: WireMessage = { key: b64(m.key), value: b64(m.value), headers: (m.headers ?? []).map((h) => [h.key, b64(h.value)]) };
  if (m.partition !== undefined) w.partition = m.partition;
  return w;
}

function fromWire(w: WireConsumed): ConsumedMessage {
  return {
    topic: w.topic,
    partition: w.partition,
    offset: BigInt(w.offset),
    timestamp: BigInt(w.timestamp),
    key: unb64(w.key),
    value: unb64(w.value),
    headers: w.headers.map(([k, v]) => ({ key: k, value: unb64(v) })),
  };
}

const PY_COMMON = `
import sys, json, base64, time
req = json.load(sys.stdin)
def d(s): return None if s is None else base64.b64decode(s)
def e(b): return None if b is None else base64.b64encode(b).decode()
`;

const CONFLUENT_PRODUCE = `${PY_COMMON}
from confluent_kafka import Producer
conf = {'bootstrap.servers': req['bootstrap']}
conf.update(req.get('config') or {})
if req.get('compression'): conf['compression.codec'] = req['compression']
p = Producer(conf)
errors = []
def cb(err, msg):
    if err is not None: errors.append(str(err))
for m in req['messages']:
    kw = {}
    if m.get('partition') is not None: kw['partition'] = m['partition']
    if m['headers']: kw['headers'] = [(k, d(v)) for k, v in m['headers']]
    p.produce(req['topic'], value=d(m['value']), key=d(m['key']), on_delivery=cb, **kw)
    p.poll(0)
left = p.flush(req['timeout'])
if left or errors:
    print(json.dumps({'error': 'undelivered=%d errors=%s' % (left, errors)})); sys.exit(1)
print(json.dumps({'ok': True}))
`;

const CONFLUENT_CONSUME = `${PY_COMMON}
from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
conf = {'bootstrap.servers': req['bootstrap'], 'group.id': req.get('groupId') or 'gregor-test-nogroup',
        'auto.offset.reset': 'earliest', 'enable.auto.commit': bool(req.get('groupId'))}
conf.update(req.get('config') or {})
c = Consumer(conf)
deadline = time.time() + req['timeout']
if req.get('groupId'):
    c.subscribe([req['topic']])
else:
    md = c.list_topics(req['topic'], timeout=req['timeout'])
    parts = sorted(md.topics[req['topic']].partitions.keys())
    if req.get('partition') is not None: parts = [req['partition']]
    c.assign([TopicPartition(req['topic'], p, OFFSET_BEGINNING) for p in parts])
out = []
while len(out) < req['count'] and time.time() < deadline:
    msg = c.poll(0.2)
    if msg is None: continue
    if msg.error():
        if msg.error().code() == -191: continue  # _PARTITION_EOF
        print(json.dumps({'error': str(msg.error())})); sys.exit(1)
    out.append({'topic': msg.topic(), 'partition': msg.partition(), 'offset': msg.offset(),
                'timestamp': msg.timestamp()[1], 'key': e(msg.key()), 'value': e(msg.value()),
                'headers': [[k, e(v)] for k, v in (msg.headers() or [])]})
c.close()
print(json.dumps({'messages': out}))
`;

const KAFKA_PYTHON_PRODUCE = `${PY_COMMON}
from kafka import KafkaProducer
kw = dict(req.get('config') or {})
if 'api_version' in kw: kw['api_version'] = tuple(kw['api_version'])  # JSON has no tuples
if req.get('compression') and req['compression'] != 'none': kw['compression_type'] = req['compression']
p = KafkaProducer(bootstrap_servers=req['bootstrap'].split(','), **kw)
futs = []
for m in req['messages']:
    hs = [(k, d(v)) for k, v in m['headers']]
    # Old message formats (api_version < 0.11) have no headers; kafka-python rejects even an empty list there.
    futs.append(p.send(req['topic'], value=d(m['value']), key=d(m['key']), partition=m.get('partition'),
                       **({'headers': hs} if hs else {})))
for f in futs: f.get(timeout=req['timeout'])
p.flush(timeout=req['timeout'])
p.close(timeout=5)
print(json.dumps({'ok': True}))
`;

const KAFKA_PYTHON_CONSUME = `${PY_COMMON}
from kafka import KafkaConsumer, TopicPartition
kw = dict(req.get('config') or {})
if 'api_version' in kw: kw['api_version'] = tuple(kw['api_version'])
c = KafkaConsumer(bootstrap_servers=req['bootstrap'].split(','), group_id=req.get('groupId'),
                  auto_offset_reset='earliest', enable_auto_commit=bool(req.get('groupId')), **kw)
deadline = time.time() + req['timeout']
if req.get('groupId'):
    c.subscribe([req['topic']])
else:
    parts = None
    while parts is None and time.time() < deadline:
        parts = c.partitions_for_topic(req['topic'])
        if parts is None: time.sleep(0.1)
    if req.get('partition') is not None: parts = {req['partition']}
    tps = [TopicPartition(req['topic'], p) for p in sorted(parts or [])]
    c.assign(tps)
    c.seek_to_beginning(*tps)
out = []
while len(out) < req['count'] and time.time() < deadline:
    for tp, msgs in c.poll(timeout_ms=200).items():
        for msg in msgs:
            out.append({'topic': msg.topic, 'partition': msg.partition, 'offset': msg.offset,
                        'timestamp': msg.timestamp, 'key': e(msg.key), 'value': e(msg.value),
                        'headers': [[k, e(v)] for k, v in (msg.headers or [])]})
c.close()
print(json.dumps({'messages': out}))
`;

/** Runs a Python script with Debian's interpreter; request goes in as JSON on stdin, result comes back parsed. */
export async function runSystemPython<T>(script: string, request: unknown, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<T> {
  const r = await runProcess(SYSTEM_PYTHON, ['-c', script], { stdin: JSON.stringify(request), timeoutMs });
  const lastLine = r.stdout.toString().trim().split('\n').at(-1) ?? '';
  let parsed: ({ error?: string } & T) | undefined;
  try {
    parsed = JSON.parse(lastLine) as { error?: string } & T;
  } catch {}
  if (r.timedOut || r.code !== 0 || parsed === undefined || parsed.error !== undefined) {
    const why = r.timedOut ? `timed out after ${timeoutMs} ms` : `exit ${r.code ?? r.signal}`;
    throw new Error(`python client failed (${why}): ${parsed?.error ?? ''}\n${r.stderr.toString().slice(-4000)}`);
  }
  return parsed;
}

function pyRequest(opts: ProduceOptions | ConsumeOptions, extra: Record<string, unknown>): Record<string, unknown> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // The script's own deadline is shorter than the process timeout so it can report instead of being killed.
  return { bootstrap: opts.bootstrap, topic: opts.topic, config: opts.config ?? {}, timeout: Math.max(1, timeoutMs / 1000 - 3), ...extra };
}

export async function confluentProduce(opts: ProduceOptions): Promise<void> {
  const compression = opts.compression && opts.compression !== 'none' ? opts.compression : undefined;
  await runSystemPython(CONFLUENT_PRODUCE, pyRequest(opts, { messages: opts.messages.map(toWire), compression }), opts.timeoutMs);
}

export async function confluentConsume(opts: ConsumeOptions): Promise<ConsumedMessage[]> {
  const r = await runSystemPython<{ messages: WireConsumed[] }>(
    CONFLUENT_CONSUME,
    pyRequest(opts, { count: opts.count, partition: opts.partition ?? null, groupId: opts.groupId ?? null }),
    opts.timeoutMs,
  );
  return r.messages.map(fromWire);
}

export async function kafkaPythonProduce(opts: ProduceOptions): Promise<void> {
  await runSystemPython(KAFKA_PYTHON_PRODUCE, pyRequest(opts, { messages: opts.messages.map(toWire), compression: opts.compression ?? 'none' }), opts.timeoutMs);
}

export async function kafkaPythonConsume(opts: ConsumeOptions): Promise<ConsumedMessage[]> {
  const r = await runSystemPython<{ messages: WireConsumed[] }>(
    KAFKA_PYTHON_CONSUME,
    pyRequest(opts, { count: opts.count, partition: opts.partition ?? null, groupId: opts.groupId ?? null }),
    opts.timeoutMs,
  );
  return r.messages.map(fromWire);
}

/** Which compression codecs kafka-python can use here (it needs python libs for all but gzip). */
export async function kafkaPythonCodecs(): Promise<Codec[]> {
  const script = `
import json
from kafka.codec import has_gzip, has_snappy, has_lz4, has_zstd
print(json.dumps({'codecs': [c for c, ok in [('gzip', has_gzip()), ('snappy', has_snappy()), ('lz4', has_lz4()), ('zstd', has_zstd())] if ok]}))
`;
  const r = await runSystemPython<{ codecs: Codec[] }>(script, {}, 15_000);
  return ['none', ...r.codecs];
}

// ---------------------------------------------------------------------------------------------------------
// kafkajs (in-process)

const quietKafkajsLog = 0; // logLevel.NOTHING: tests assert on results, not on client chatter

function kafkajsHeaders(headers: TestHeader[] | undefined): Record<string, Buffer> | undefined {
  if (!headers || headers.length === 0) return undefined;
  const out: Record<string, Buffer> = {};
  for (const h of headers) {
    if (h.value === null) throw new Error('kafkajs cannot produce null header values');
    if (h.key in out) throw new Error('kafkajs headers are a map; duplicate header keys are not expressible');
    out[h.key] = h.value;
  }
  return out;
}

export async function kafkajsProduce(opts: ProduceOptions & { clientId?: string }): Promise<void> {
  const { Kafka, CompressionTypes } = await import('kafkajs');
  const codecs: Record<Codec, number> = {
    none: CompressionTypes.None,
    gzip: CompressionTypes.GZIP,
    snappy: CompressionTypes.Snappy,
    lz4: CompressionTypes.LZ4,
    zstd: CompressionTypes.ZSTD,
  };
  const kafka = new Kafka({ clientId: opts.clientId ?? 'gregor-test-kafkajs', brokers: opts.bootstrap.split(','), logLevel: quietKafkajsLog });
  const producer = kafka.producer({ allowAutoTopicCreation: true });
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    await withTimeout(
      (async () => {
        await producer.connect();
        await producer.send({
          topic: opts.topic,
          compression: codecs[opts.compression ?? 'none'],
          messages: opts.messages.map((m) => ({
            key: m.key,
            value: m.value,
            headers: kafkajsHeaders(m.headers),
            ...(m.partition !== undefined ? { partition: m.partition } : {}),
          })),
        });
      })(),
      timeoutMs,
      'kafkajs produce',
    );
  } finally {
    await withTimeout(producer.disconnect(), 5000, 'kafkajs disconnect').catch(() => {});
  }
}

export async function kafkajsConsume(opts: ConsumeOptions & { clientId?: string }): Promise<ConsumedMessage[]> {
  const { Kafka } = await import('kafkajs');
  const kafka = new Kafka({ clientId: opts.clientId ?? 'gregor-test-kafkajs', brokers: opts.bootstrap.split(','), logLevel: quietKafkajsLog });
  // kafkajs only consumes through a group; a fresh random group reads from the beginning.
  // opts.config holds kafkajs consumer options by their kafkajs names (sessionTimeout, heartbeatInterval...).
  const consumer = kafka.consumer({ ...opts.config, groupId: opts.groupId ?? `gregor-test-${randomBytes(6).toString('hex')}` });
  const out: ConsumedMessage[] = [];
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    await withTimeout(
      (async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: [opts.topic], fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
          consumer
            .run({
              eachMessage: async ({ topic, partition, message }) => {
                if (opts.partition !== undefined && partition !== opts.partition) return;
                if (out.length >= opts.count) return;
                out.push({
                  topic,
                  partition,
                  offset: BigInt(message.offset),
                  timestamp: BigInt(message.timestamp),
                  key: message.key ?? null,
                  value: message.value ?? null,
                  headers: Object.entries(message.headers ?? {}).flatMap(([key, v]) =>
                    (Array.isArray(v) ? v : [v]).map((one) => ({
                      key,
                      value: one === undefined ? null : Buffer.isBuffer(one) ? one : Buffer.from(one),
                    })),
                  ),
                });
                if (out.length >= opts.count) resolve();
              },
            })
            .catch(reject);
        });
      })(),
      timeoutMs,
      'kafkajs consume',
    );
  } finally {
    await withTimeout(consumer.disconnect(), 10_000, 'kafkajs disconnect').catch(() => {});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// @platformatic/kafka (in-process)

/** @platformatic/kafka reports failures as nested AggregateErrors; flatten them so test output shows the cause. */
function flattenError(e: unknown, depth = 0): string {
  if (!(e instanceof Error)) return `${'  '.repeat(depth)}${String(e)}\n`;
  const code = (e as { code?: unknown }).code;
  let out = `${'  '.repeat(depth)}${e.message}${code === undefined ? '' : ` [${String(code)}]`}\n`;
  const nested = (e as { errors?: unknown }).errors;
  if (Array.isArray(nested)) for (const n of nested) out += flattenError(n, depth + 1);
  if (e.cause !== undefined) out += flattenError(e.cause, depth + 1);
  return out;
}

async function explainErrors<T>(what: string, p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw new Error(`${what} failed:\n${flattenError(e)}`, { cause: e });
  }
}

export async function platformaticProduce(opts: ProduceOptions & { clientId?: string }): Promise<void> {
  const { Producer } = await import('@platformatic/kafka');
  const producer = new Producer({
    clientId: opts.clientId ?? 'gregor-test-platformatic',
    bootstrapBrokers: opts.bootstrap.split(','),
    autocreateTopics: true,
    ...(opts.compression && opts.compression !== 'none' ? { compression: opts.compression } : {}),
  });
  try {
    await explainErrors('@platformatic/kafka produce', withTimeout(
      producer.send({
        messages: opts.messages.map((m) => {
          const headers = new Map<Buffer, Buffer>();
          for (const h of m.headers ?? []) {
            if (h.value === null) throw new Error('@platformatic/kafka cannot produce null header values here');
            headers.set(Buffer.from(h.key), h.value);
          }
          return {
            topic: opts.topic,
            key: m.key ?? undefined,
            value: m.value ?? undefined,
            headers,
            ...(m.partition !== undefined ? { partition: m.partition } : {}),
          };
        }),
      }),
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      '@platformatic/kafka produce',
    ));
  } finally {
    await withTimeout(producer.close(), 5000, '@platformatic/kafka close').catch(() => {});
  }
}

export async function platformaticConsume(opts: ConsumeOptions & { clientId?: string }): Promise<ConsumedMessage[]> {
  const { Consumer, MessagesStreamModes } = await import('@platformatic/kafka');
  const consumer = new Consumer({
    // opts.config holds @platformatic/kafka consumer options by their names (sessionTimeout, heartbeatInterval...).
    ...opts.config,
    clientId: opts.clientId ?? 'gregor-test-platformatic',
    groupId: opts.groupId ?? `gregor-test-${randomBytes(6).toString('hex')}`,
    bootstrapBrokers: opts.bootstrap.split(','),
  });
  const out: ConsumedMessage[] = [];
  try {
    await explainErrors('@platformatic/kafka consume', withTimeout(
      (async () => {
        const stream = await consumer.consume({ topics: [opts.topic], mode: MessagesStreamModes.EARLIEST, autocommit: false });
        try {
          for await (const message of stream) {
            if (opts.partition !== undefined && message.partition !== opts.partition) continue;
            const headers: TestHeader[] = [];
            for (const [k, v] of message.headers) headers.push({ key: Buffer.from(k).toString(), value: v === undefined ? null : Buffer.from(v) });
            out.push({
              topic: message.topic,
              partition: message.partition,
              offset: BigInt(message.offset),
              timestamp: BigInt(message.timestamp),
              key: message.key === undefined || message.key === null ? null : Buffer.from(message.key),
              value: message.value === undefined || message.value === null ? null : Buffer.from(message.value),
              headers,
            });
            if (out.length >= opts.count) break;
          }
        } finally {
          await stream.close().catch(() => {});
        }
      })(),
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      '@platformatic/kafka consume',
    ));
  } finally {
    const closed = new Promise<void>((resolve) => consumer.close(true, () => resolve()));
    await withTimeout(closed, 5000, '@platformatic/kafka close').catch(() => {});
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------

export type ClientName = 'kcat' | 'confluent' | 'kafka-python' | 'kafkajs' | 'platformatic';

export const PRODUCERS: Record<ClientName, (opts: ProduceOptions) => Promise<void>> = {
  kcat: kcatProduce,
  confluent: confluentProduce,
  'kafka-python': kafkaPythonProduce,
  kafkajs: kafkajsProduce,
  platformatic: platformaticProduce,
};

/** Four messages every client must carry byte-exact: binary with CR/LF/0xff and a header, a null key, an empty
 * value, and a 3000-byte value; tagged with the producing client so a mix-up shows. */
export function sampleMessages(client: ClientName): TestMessage[] {
  return [
    { key: Buffer.from(`${client}-k1`), value: Buffer.from([0, 1, 2, 10, 13, 0xfe, 0xff]), headers: [{ key: 'origin', value: Buffer.from(client) }] },
    { key: null, value: Buffer.from(`plain value from ${client}`) },
    { key: Buffer.from('k3'), value: Buffer.alloc(0) },
    { key: Buffer.from('k4'), value: Buffer.alloc(3000, client.length) },
  ];
}

/** The part of a message compared across clients: key, value and headers (absent headers = none). */
export function messageContent(m: ConsumedMessage | TestMessage): { key: Buffer | null; value: Buffer | null; headers: TestHeader[] } {
  return { key: m.key, value: m.value, headers: m.headers ?? [] };
}

export const CONSUMERS: Record<ClientName, (opts: ConsumeOptions) => Promise<ConsumedMessage[]>> = {
  kcat: kcatConsume,
  confluent: confluentConsume,
  'kafka-python': kafkaPythonConsume,
  kafkajs: kafkajsConsume,
  platformatic: platformaticConsume,
};
