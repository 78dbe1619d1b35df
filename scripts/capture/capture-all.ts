// Captures golden wire bytes from real Kafka clients talking to librdkafka's mock cluster through
// CaptureProxy, and writes them as fixtures: test/fixtures/wire/<client>/<nnn>-<api>-v<version>-<dir>.bin
// plus test/fixtures/wire/index.json. Run once by scripts/capture/capture-all.sh; CI only reads the output.
//
// Usage: tsx scripts/capture/capture-all.ts [--upstream mock|gregor] [client ...]   (default: mock, every client)
//
// Upstream `mock` (librdkafka 2.0.2's mock cluster) gives responses written by an independent implementation,
// but caps versions at what that mock knows (no flexible versions, no @platformatic/kafka). Upstream `gregor`
// lets clients negotiate today's versions, so their *requests* cover the flexible encodings; the responses there
// are Gregor's own. Fixtures of the gregor run go to test/fixtures/wire/gregor/<client>/.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/helpers/build-cache.js';
import { startMockCluster } from '../../test/helpers/mock-cluster.js';
import { startGregor } from '../../test/helpers/broker.js';
import {
  confluentConsume,
  confluentProduce,
  kafkaPythonCodecs,
  kafkaPythonConsume,
  kafkaPythonProduce,
  kafkajsConsume,
  kafkajsProduce,
  kcatConsume,
  kcatProduce,
  runSystemPython,
  platformaticConsume,
  platformaticProduce,
  type Codec,
  type ConfigValue,
  type ConsumeOptions,
  type ProduceOptions,
} from '../../test/helpers/real-clients.js';
import { CaptureProxy, type CapturedFrame } from './proxy.js';
import { goldenMessages } from './scenario.js';

const OUT_DIR = join(REPO_ROOT, 'test', 'fixtures', 'wire');
const SPECS_DIR = join(REPO_ROOT, '..', 'shared', 'kafka-protocol', 'messages');
const TOPIC = 'golden';

export type Upstream = 'mock' | 'gregor';

export interface FixtureEntry {
  client: string;
  /** Who answered: librdkafka's mock cluster, or Gregor's broker. */
  upstream: Upstream;
  /** Path relative to test/fixtures/wire. */
  file: string;
  direction: 'request' | 'response';
  apiKey: number;
  apiName: string;
  apiVersion: number;
  correlationId: number;
  /** Connection number within this client's capture session. */
  conn: number;
  /** Set on Produce requests: the codec the scenario asked for. */
  compression?: Codec;
}

/** apiKey -> request name without the "Request" suffix, from Kafka's own message specs. */
function apiNames(): Map<number, string> {
  const names = new Map<number, string>();
  for (const f of readdirSync(SPECS_DIR)) {
    if (!f.endsWith('Request.json')) continue;
    const text = readFileSync(join(SPECS_DIR, f), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    const spec = JSON.parse(text) as { apiKey: number; name: string };
    names.set(spec.apiKey, spec.name.replace(/Request$/, ''));
  }
  return names;
}

const kebab = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

interface ClientScenario {
  name: string;
  codecs: () => Promise<Codec[]>;
  produce: (o: ProduceOptions) => Promise<void>;
  /** Reads without a group (ListOffsets + Fetch); undefined when the client only consumes in groups. */
  consume?: (o: ConsumeOptions) => Promise<unknown>;
  /** Reads through a consumer group with commits (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, OffsetCommit, OffsetFetch). */
  groupConsume: (o: ConsumeOptions) => Promise<unknown>;
  groupConfig: Record<string, ConfigValue>;
  /** Producer config (e.g. kafka-python's api_version to force old message formats). */
  produceConfig?: Record<string, ConfigValue>;
  /** false for clients writing magic 0/1 message sets, which have no headers. */
  headers?: boolean;
  /** Upstreams this client can talk to (default both). */
  upstreams?: Upstream[];
}

const ALL_CODECS: Codec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const SCENARIOS: ClientScenario[] = [
  {
    name: 'kcat',
    codecs: async () => ALL_CODECS,
    produce: kcatProduce,
    consume: kcatConsume,
    groupConsume: kcatConsume,
    groupConfig: { 'heartbeat.interval.ms': 100, 'auto.commit.interval.ms': 100 },
  },
  {
    name: 'confluent-kafka-python',
    codecs: async () => ALL_CODECS,
    produce: confluentProduce,
    consume: confluentConsume,
    groupConsume: confluentConsume,
    groupConfig: { 'heartbeat.interval.ms': 100, 'auto.commit.interval.ms': 100 },
  },
  {
    name: 'kafka-python',
    codecs: kafkaPythonCodecs,
    produce: kafkaPythonProduce,
    consume: kafkaPythonConsume,
    groupConsume: kafkaPythonConsume,
    groupConfig: { heartbeat_interval_ms: 100, auto_commit_interval_ms: 100 },
  },
  {
    name: 'kafkajs',
    // kafkajs ships only gzip; snappy/lz4/zstd need third-party codec plugins that are not installed.
    codecs: async () => ['none', 'gzip'],
    produce: kafkajsProduce,
    groupConsume: kafkajsConsume,
    groupConfig: { heartbeatInterval: 100 },
  },
  {
    // kafka-python producing as for Kafka 0.10.1: magic 1 message sets (timestamps, no headers) in Produce v2.
    // librdkafka's mock rejects those (UNSUPPORTED_VERSION), so against Gregor only, which up-converts them;
    // the consumer then is a modern kafka-python (Gregor serves Fetch v4+ only, like Kafka 4).
    name: 'kafka-python-0.10',
    codecs: async () => ['none', 'gzip', 'snappy', 'lz4'],
    produce: kafkaPythonProduce,
    consume: kafkaPythonConsume,
    groupConsume: kafkaPythonConsume,
    groupConfig: { heartbeat_interval_ms: 100, auto_commit_interval_ms: 100 },
    produceConfig: { api_version: [0, 10, 1] },
    headers: false,
    upstreams: ['gregor'],
  },
  {
    // ... and as for Kafka 0.9: magic 0 message sets (no timestamps), Produce v1. Its lz4 writer (the pre-KIP-57
    // framing) fails inside kafka-python with Debian's python3-lz4 4.x (nothing is sent), so no lz4 here.
    name: 'kafka-python-0.9',
    codecs: async () => ['none', 'gzip', 'snappy'],
    produce: kafkaPythonProduce,
    consume: kafkaPythonConsume,
    groupConsume: kafkaPythonConsume,
    groupConfig: { heartbeat_interval_ms: 100, auto_commit_interval_ms: 100 },
    produceConfig: { api_version: [0, 9] },
    headers: false,
    upstreams: ['gregor'],
  },
  {
    name: 'platformatic-kafka',
    // node:zlib has no zstd before Node 22.15, so @platformatic/kafka cannot use it on Node 20.
    codecs: async () => ['none', 'gzip', 'snappy', 'lz4'],
    produce: platformaticProduce,
    groupConsume: platformaticConsume,
    groupConfig: {},
    upstreams: ['gregor'], // needs ApiVersions v3+, which the mock lacks
  },
];

/**
 * Transactions and idempotence: FindCoordinator(TRANSACTION), InitProducerId, AddPartitionsToTxn, EndTxn,
 * transactional and idempotent batches (producer id, epoch, sequences), read_committed Fetch. Records: the golden
 * messages, the first two committed, the last two aborted, then all four again from an idempotent
 * (non-transactional) producer. librdkafka 2.0.2's mock writes no COMMIT/ABORT control batches, so the Fetch
 * responses here hold none (control records are covered by src/protocol/records' own tests). kafkajs 2.2's
 * transactions fail against that mock (its FindCoordinator(TRANSACTION) answer names a broker kafkajs does not
 * know) and Gregor serves no transaction APIs yet, so librdkafka is the only transactional client captured.
 */
const TRANSACTION_SCENARIOS: { name: string; upstreams?: Upstream[]; drive: Drive }[] = [
  {
    name: 'confluent-kafka-python-txn',
    upstreams: ['mock'], // Gregor serves no transaction APIs yet
    drive: async (proxy) => {
      const msgs = goldenMessages('confluent-kafka-python-txn').map((m) => ({
        key: m.key?.toString('base64') ?? null,
        value: m.value?.toString('base64') ?? null,
        headers: (m.headers ?? []).map((h) => [h.key, h.value?.toString('base64') ?? null]),
      }));
      await runSystemPython(CONFLUENT_TXN, { bootstrap: proxy.bootstrap, topic: TOPIC, messages: msgs }, 60_000);
    },
  },
];

const CONFLUENT_TXN = `
import sys, json, base64, time
from confluent_kafka import Producer, Consumer, TopicPartition, OFFSET_BEGINNING
req = json.load(sys.stdin)
def d(s): return None if s is None else base64.b64decode(s)
def send(p, ms):
    for m in ms:
        p.produce(req['topic'], key=d(m['key']), value=d(m['value']), headers=[(k, d(v)) for k, v in m['headers']], partition=0)
ms = req['messages']
p = Producer({'bootstrap.servers': req['bootstrap'], 'transactional.id': 'golden-txn', 'linger.ms': 5})
p.init_transactions(30)
p.begin_transaction(); send(p, ms[:2]); p.commit_transaction(30)
p.begin_transaction(); send(p, ms[2:]); p.flush(30); p.abort_transaction(30)
q = Producer({'bootstrap.servers': req['bootstrap'], 'enable.idempotence': True, 'linger.ms': 5})
send(q, ms); left = q.flush(30)
if left: print(json.dumps({'error': 'idempotent producer did not deliver'})); sys.exit(1)
c = Consumer({'bootstrap.servers': req['bootstrap'], 'group.id': 'golden-txn-reader', 'isolation.level': 'read_committed',
              'enable.auto.commit': False, 'enable.partition.eof': True})
c.assign([TopicPartition(req['topic'], 0, OFFSET_BEGINNING)])
got = []
deadline = time.time() + 30
while time.time() < deadline:
    m = c.poll(0.2)
    if m is None: continue
    if m.error():
        if m.error().code() == -191: break  # end of partition
        continue
    got.append(m.offset())
c.close()
# (librdkafka 2.0.2's mock writes no COMMIT/ABORT markers and does not filter aborted data, so no check here.)
print(json.dumps({'ok': True, 'seen': got}))
`;

/** Keeps the interesting frames: every Produce, Fetch responses that carry data, a few of everything else. */
function selectPairs(frames: CapturedFrame[]): { req: CapturedFrame; res?: CapturedFrame }[] {
  const responses = new Map<string, CapturedFrame>();
  for (const f of frames) if (f.direction === 'response') responses.set(`${f.conn}/${f.correlationId}`, f);
  const perApi = new Map<string, number>();
  const seen = new Set<string>();
  const out: { req: CapturedFrame; res?: CapturedFrame }[] = [];
  for (const req of frames) {
    if (req.direction !== 'request') continue;
    const res = responses.get(`${req.conn}/${req.correlationId}`);
    // Identical apart from the correlation id: nothing new for a golden test.
    const body = (f: CapturedFrame | undefined, from: number): string =>
      f ? Buffer.concat([f.bytes.subarray(0, from), f.bytes.subarray(from + 4)]).toString('base64') : '';
    const key = `${req.apiKey}/${req.apiVersion}/${body(req, 8)}/${body(res, 4)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const apiKv = `${req.apiKey}/${req.apiVersion}`;
    const n = perApi.get(apiKv) ?? 0;
    const isProduce = req.apiKey === 0;
    const isDataFetch = req.apiKey === 1 && res !== undefined && res.bytes.length > 200;
    const limit = isProduce ? Infinity : isDataFetch ? 8 : 3;
    if (n >= limit) continue;
    perApi.set(apiKv, n + 1);
    out.push({ req, res });
  }
  return out;
}

async function startUpstream(upstream: Upstream): Promise<{ bootstrap: string; stop(): Promise<void> }> {
  if (upstream === 'mock') return startMockCluster({ brokers: 1, topics: [{ name: TOPIC, partitions: 1 }] });
  const broker = await startGregor({ overrides: { 'num.partitions': '1', 'offsets.topic.num.partitions': '1' } });
  return { bootstrap: broker.bootstrap, stop: () => broker.close() };
}

/** Drives one client through the proxy; tags Produce frames with the codec in force via `codecBySeq`. */
type Drive = (proxy: CaptureProxy, codecBySeq: Map<number, Codec>) => Promise<void>;

function standardDrive(s: ClientScenario): Drive {
  return async (proxy, codecBySeq) => {
    const messages = goldenMessages(s.name, { headers: s.headers ?? true });
    const produceConfig = s.produceConfig ?? {};
    const codecs = await s.codecs();
    for (const codec of codecs) {
      const before = proxy.frames.length;
      await s.produce({ bootstrap: proxy.bootstrap, topic: TOPIC, messages, compression: codec, config: produceConfig, timeoutMs: 30_000 });
      for (const f of proxy.frames.slice(before)) if (f.apiKey === 0) codecBySeq.set(f.seq, codec);
    }
    const total = codecs.length * messages.length;
    if (s.consume) await s.consume({ bootstrap: proxy.bootstrap, topic: TOPIC, count: total, timeoutMs: 30_000 });
    await s.groupConsume({
      bootstrap: proxy.bootstrap,
      topic: TOPIC,
      count: total,
      groupId: `golden-${s.name}`,
      config: s.groupConfig,
      timeoutMs: 40_000,
    });
  };
}

async function captureClient(s: { name: string }, drive: Drive, names: Map<number, string>, upstream: Upstream): Promise<FixtureEntry[]> {
  const mock = await startUpstream(upstream);
  const proxy = await CaptureProxy.start(mock.bootstrap);
  const codecBySeq = new Map<number, Codec>();
  try {
    await drive(proxy, codecBySeq);
  } finally {
    await proxy.close();
    await mock.stop();
  }
  const prefix = upstream === 'mock' ? s.name : `gregor/${s.name}`;
  const dir = join(OUT_DIR, prefix);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const entries: FixtureEntry[] = [];
  let nnn = 0;
  for (const { req, res } of selectPairs(proxy.frames)) {
    nnn++;
    const apiName = names.get(req.apiKey) ?? `api${req.apiKey}`;
    for (const f of res ? [req, res] : [req]) {
      const file = `${prefix}/${String(nnn).padStart(3, '0')}-${kebab(apiName)}-v${req.apiVersion}-${f.direction}.bin`;
      writeFileSync(join(OUT_DIR, file), f.bytes);
      const entry: FixtureEntry = {
        client: s.name,
        upstream,
        file,
        direction: f.direction,
        apiKey: req.apiKey,
        apiName,
        apiVersion: req.apiVersion,
        correlationId: f.correlationId,
        conn: f.conn,
      };
      const codec = codecBySeq.get(req.seq);
      if (req.apiKey === 0 && f.direction === 'request' && codec) entry.compression = codec;
      entries.push(entry);
    }
  }
  return entries;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let upstream: Upstream = 'mock';
  const u = args.indexOf('--upstream');
  if (u >= 0) {
    const v = args[u + 1];
    if (v !== 'mock' && v !== 'gregor') throw new Error('--upstream takes mock or gregor');
    upstream = v;
    args.splice(u, 2);
  }
  const names = apiNames();
  const indexPath = join(OUT_DIR, 'index.json');
  mkdirSync(OUT_DIR, { recursive: true });
  let index: FixtureEntry[] = existsSync(indexPath) ? (JSON.parse(readFileSync(indexPath, 'utf8')) as FixtureEntry[]) : [];
  const all: { name: string; upstreams?: Upstream[]; drive: Drive }[] = [
    ...SCENARIOS.map((s) => ({ name: s.name, upstreams: s.upstreams, drive: standardDrive(s) })),
    ...TRANSACTION_SCENARIOS,
  ];
  for (const s of all) {
    if (args.length > 0 && !args.includes(s.name)) continue;
    if (!(s.upstreams ?? ['mock', 'gregor']).includes(upstream)) continue;
    process.stderr.write(`capturing ${s.name} against ${upstream}...\n`);
    const entries = await captureClient(s, s.drive, names, upstream);
    index = index.filter((e) => !(e.client === s.name && (e.upstream ?? 'mock') === upstream)).concat(entries);
    const apis = [...new Set(entries.map((e) => `${e.apiName}v${e.apiVersion}`))].join(' ');
    process.stderr.write(`  ${entries.length} frames: ${apis}\n`);
    // Written after every client, so the index matches the files even if a later client fails.
    for (const e of index) e.upstream ??= 'mock';
    writeFileSync(indexPath, JSON.stringify(index, null, 1) + '\n');
  }
}

await main();
