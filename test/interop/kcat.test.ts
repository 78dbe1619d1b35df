// kcat (librdkafka 2.0.2) against the broker the way people use it from a shell: -P with keys and headers
// and every -z codec, -C with -o beginning / relative / absolute offsets, -L metadata, -Q offsets for times.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { kcat, kcatConsume, kcatMetadata, type Codec } from '../helpers/real-clients.js';
import { runChecked } from '../helpers/process.js';
import { startTarget, type InteropTarget } from './target.js';

const CODECS: Codec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const TOPICS = ['kcat-lines', 'kcat-offsets', ...CODECS.map((c) => `kcat-z-${c}`)];
let target: InteropTarget;

before(async () => {
  target = await startTarget(TOPICS, 3);
});
after(async () => {
  await target?.close();
});

/** Produces newline-separated "key:value" lines like a shell user would. */
async function produceLines(topic: string, lines: string[], extra: string[] = []): Promise<void> {
  await runChecked('kcat', ['-b', target.bootstrap, '-P', '-t', topic, '-K', ':', ...extra], {
    stdin: lines.map((l) => `${l}\n`).join(''),
    timeoutMs: 20_000,
  });
}

test('kcat -P with -K and -H, then -C -o beginning -e returns keys, values and headers', async () => {
  await produceLines('kcat-lines', ['a:apple', 'b:banana', 'c:cherry'], ['-p', '0', '-H', 'source=shell', '-H', 'n=1']);
  const got = await kcatConsume({ bootstrap: target.bootstrap, topic: 'kcat-lines', partition: 0, count: 3, timeoutMs: 20_000 });
  assert.deepEqual(
    got.map((m) => [m.key?.toString(), m.value?.toString(), m.headers.map((h) => `${h.key}=${h.value?.toString()}`).join(',')]),
    [
      ['a', 'apple', 'source=shell,n=1'],
      ['b', 'banana', 'source=shell,n=1'],
      ['c', 'cherry', 'source=shell,n=1'],
    ],
  );
  assert.deepEqual(got.map((m) => m.offset), [0n, 1n, 2n]);
});

for (const codec of CODECS) {
  test(`kcat -z ${codec}: 500 records round-trip through one topic`, async () => {
    const topic = `kcat-z-${codec}`;
    const lines = Array.from({ length: 500 }, (_, i) => `k${i}:value ${i} ${'x'.repeat(i % 50)}`);
    await produceLines(topic, lines, ['-p', '1', ...(codec === 'none' ? [] : ['-z', codec])]);
    const got = await kcatConsume({ bootstrap: target.bootstrap, topic, partition: 1, count: 500, timeoutMs: 20_000 });
    assert.equal(got.length, 500);
    assert.deepEqual(
      got.map((m) => `${m.key?.toString()}:${m.value?.toString()}`),
      lines,
    );
  });
}

test('kcat -C with -o <absolute>, -o -<relative> and -c', async () => {
  await produceLines('kcat-offsets', Array.from({ length: 10 }, (_, i) => `k${i}:v${i}`), ['-p', '2']);
  const base = ['-b', target.bootstrap, '-C', '-t', 'kcat-offsets', '-p', '2', '-e', '-q', '-f', '%o=%s\n'];
  const abs = await kcat(target.bootstrap, base.slice(2).concat(['-o', '7']), { timeoutMs: 20_000 });
  assert.equal(abs.code, 0, abs.stderr.toString());
  assert.deepEqual(abs.stdout.toString().trim().split('\n'), ['7=v7', '8=v8', '9=v9']);
  const rel = await kcat(target.bootstrap, base.slice(2).concat(['-o', '-2']), { timeoutMs: 20_000 });
  assert.deepEqual(rel.stdout.toString().trim().split('\n'), ['8=v8', '9=v9']);
  const limited = await kcat(target.bootstrap, base.slice(2).concat(['-o', 'beginning', '-c', '4']), { timeoutMs: 20_000 });
  assert.deepEqual(limited.stdout.toString().trim().split('\n'), ['0=v0', '1=v1', '2=v2', '3=v3']);
});

test('kcat -Q maps timestamps to offsets (ListOffsets)', async () => {
  // kcat-offsets partition 2 holds 10 records written after `since`.
  const since = Date.now() - 60 * 60 * 1000;
  const r = await kcat(target.bootstrap, ['-Q', '-t', `kcat-offsets:2:${since}`], { timeoutMs: 20_000 });
  assert.equal(r.code, 0, r.stderr.toString());
  assert.match(r.stdout.toString(), /kcat-offsets \[2\]\s+offset 0/);
});

interface KcatJsonMetadata {
  brokers: { id: number; name: string }[];
  topics: { topic: string; partitions: { partition: number; leader: number; replicas: { id: number }[]; isrs: { id: number }[] }[] }[];
}

test('kcat -L -J lists the broker at its advertised address and topics with partitions and leaders', async () => {
  const md = (await kcatMetadata(target.bootstrap, undefined, 20_000)) as KcatJsonMetadata;
  assert.equal(md.brokers.length, 1);
  assert.equal(md.brokers[0]!.name, target.bootstrap);
  const t = md.topics.find((x) => x.topic === 'kcat-lines');
  assert.ok(t, 'kcat-lines listed');
  assert.equal(t.partitions.length, 3);
  for (const p of t.partitions) {
    assert.equal(p.leader, md.brokers[0]!.id);
    assert.deepEqual(p.replicas.map((x) => x.id), [md.brokers[0]!.id]);
    assert.deepEqual(p.isrs.map((x) => x.id), [md.brokers[0]!.id]);
  }
});
