// Protocol-layer throughput: CRC32C (native vs JS fallback), each codec, record batch encode/decode/validate on a
// 1 MiB batch. Prints MB/s (10^6 bytes of uncompressed payload per second) next to this machine's memcpy speed,
// measured in the same run as the raw limit. Run: npm run bench protocol
import { performance } from 'node:perf_hooks';
import { crc32c, crc32cJs, crc32cImplementation } from '../src/protocol/records/crc32c.js';
import { CompressionType, compressSync, decompressSync, compress, decompress, COMPRESSION_NAMES } from '../src/protocol/compression/index.js';
import { encodeRecordBatch, decodeRecordBatch, type RecordInput } from '../src/protocol/records/record-batch.js';
import { validateProduceRecords } from '../src/protocol/records/validate.js';
import { iterateBatches } from '../src/protocol/records/batch-view.js';

// Each operation: warm up for WARMUP_MS (JIT, lazily created codec contexts), then ROUNDS timed rounds of ROUND_MS.
// Both the median and the best round are printed: on a machine shared with other work the best round is the better
// estimate of what the code can do, the median of what it did.
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 200);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Row {
  name: string;
  mbps: number;
  bestMbps: number;
  opsPerSec: number;
  extra?: string;
}
const rows: Row[] = [];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function run(name: string, bytes: number, fn: () => unknown, extra?: string): Promise<Row> {
  const until = (ms: number) => performance.now() + ms;
  // Sync operations are called without await so the figure is not a microtask-queue benchmark.
  const call = async () => {
    const r = fn();
    if (r instanceof Promise) await r;
  };
  const isAsync = fn() instanceof Promise;
  for (const end = until(WARMUP_MS); performance.now() < end; ) {
    if (isAsync) await call();
    else fn();
  }
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let ops = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ROUND_MS) {
      if (isAsync) await call();
      else fn();
      ops++;
      elapsed = performance.now() - start;
    }
    rates.push(ops / (elapsed / 1000));
  }
  const opsPerSec = median(rates);
  const row = { name, mbps: (bytes * opsPerSec) / 1e6, bestMbps: (bytes * Math.max(...rates)) / 1e6, opsPerSec, extra };
  rows.push(row);
  return row;
}

// A 1 MiB batch of 1024 records with ~1 KiB JSON-like values: compressible like typical application data.
function makeRecords(): RecordInput[] {
  const records: RecordInput[] = [];
  const words = ['order', 'customer', 'status', 'shipped', 'pending', 'amount', 'currency', 'EUR', 'USD', 'warehouse'];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 1024; i++) {
    let v = '{';
    while (v.length < 980) v += `"${words[Math.floor(rnd() * words.length)]}":${Math.floor(rnd() * 1e6)},`;
    records.push({ key: `key-${i}`, value: `${v}"i":${i}}`, headers: [{ key: 'trace', value: `t-${i}` }], timestamp: 1_700_000_000_000 + i });
  }
  return records;
}

const records = makeRecords();
const plainBatch = encodeRecordBatch({ records });
const payload = plainBatch.subarray(61); // the uncompressed record bytes: what codecs work on
const MiB = plainBatch.length;

console.log(`node ${process.version}, ${process.arch}; crc32c implementation: ${crc32cImplementation}`);
console.log(`batch: ${records.length} records, ${MiB} bytes uncompressed\n`);

// Raw limit: copying the same bytes.
const copyTarget = Buffer.allocUnsafe(MiB);
await run('memcpy (raw limit)', MiB, () => plainBatch.copy(copyTarget));

// CRC32C
await run('crc32c native (sse4_crc32)', MiB, () => crc32c(plainBatch));
await run('crc32c JS fallback', MiB, () => crc32cJs(plainBatch));

// Codecs (sync), ratio shown
for (const codec of [CompressionType.Gzip, CompressionType.Snappy, CompressionType.Lz4, CompressionType.Zstd]) {
  const name = COMPRESSION_NAMES[codec];
  const compressed = compressSync(codec, payload);
  const ratio = `ratio ${(payload.length / compressed.length).toFixed(2)}`;
  await run(`${name} compress`, payload.length, () => compressSync(codec, payload), ratio);
  await run(`${name} decompress`, payload.length, () => decompressSync(codec, compressed));
}
// Async variants for the thread-pool codecs
for (const codec of [CompressionType.Gzip, CompressionType.Snappy]) {
  const name = COMPRESSION_NAMES[codec];
  const compressed = compressSync(codec, payload);
  await run(`${name} compress (async)`, payload.length, () => compress(codec, payload));
  await run(`${name} decompress (async)`, payload.length, () => decompress(codec, compressed));
}

// Record batches
for (const codec of [CompressionType.None, CompressionType.Lz4, CompressionType.Zstd, CompressionType.Snappy, CompressionType.Gzip]) {
  const name = COMPRESSION_NAMES[codec];
  const batch = encodeRecordBatch({ records, compression: codec });
  const enc = await run(`batch encode (${name})`, MiB, () => encodeRecordBatch({ records, compression: codec }));
  enc.extra = `${Math.round(enc.opsPerSec * records.length).toLocaleString('en')} records/s`;
  const dec = await run(`batch decode (${name})`, MiB, () => decodeRecordBatch(batch));
  dec.extra = `${Math.round(dec.opsPerSec * records.length).toLocaleString('en')} records/s`;
  const validationOptions = { produceVersion: 9, maxMessageBytes: 16 * MiB };
  if (validateProduceRecords(batch, validationOptions).errorCode !== 0) throw new Error('benchmark batch does not validate');
  await run(`produce validation (${name})`, MiB, () => validateProduceRecords(batch, validationOptions));
}
// Header-only path the broker uses per fetch/append: split + CRC check without decoding records
const tenBatches = Buffer.concat(Array.from({ length: 10 }, () => plainBatch));
await run('iterateBatches + isCrcValid (10 x 1 MiB)', tenBatches.length, () => {
  for (const v of iterateBatches(tenBatches)) if (!v.isCrcValid()) throw new Error('bad crc');
});

const width = Math.max(...rows.map((r) => r.name.length));
console.log(`${'operation'.padEnd(width)}  ${'MB/s med'.padStart(9)}  ${'MB/s best'.padStart(9)}  ${'ops/s med'.padStart(9)}  notes`);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(width)}  ${r.mbps.toFixed(0).padStart(9)}  ${r.bestMbps.toFixed(0).padStart(9)}  ${r.opsPerSec.toFixed(1).padStart(9)}  ${r.extra ?? ''}`,
  );
}
const native = rows.find((r) => r.name.startsWith('crc32c native'))!;
const js = rows.find((r) => r.name.startsWith('crc32c JS'))!;
console.log(`\ncrc32c native is ${(native.bestMbps / js.bestMbps).toFixed(1)}x the JS fallback (best rounds)`);
