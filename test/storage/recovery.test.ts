import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, open, readdir, readFile, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PartitionLog, type LogConfig } from '../../src/storage/index.js';
import { iterateBatches } from '../../src/protocol/records/batch-view.js';
import { decodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { batch, tempDir } from './helpers.js';

const TP = { topic: 'rec', partition: 0 };
const CONFIG: Partial<LogConfig> = { segmentBytes: 2000, indexIntervalBytes: 200 };

async function build(dir: string, batches = 80): Promise<void> {
  const log = await PartitionLog.open({ dir, topicPartition: TP, config: CONFIG });
  for (let i = 0; i < batches; i++) await log.append(batch({ count: 2, values: [`${2 * i}`, `${2 * i + 1}`] }));
  await log.close();
}

/** Reads the whole log; checks CRCs, contiguous offsets and that each record's value is its offset. */
async function readAllChecked(log: PartitionLog): Promise<number> {
  let o = log.logStartOffset;
  let n = 0;
  let expected = o;
  while (o < log.logEndOffset) {
    const r = await log.read(o, 1 << 20);
    assert.ok(r.data.length > 0, `no data at ${o}`);
    for (const v of iterateBatches(r.data)) {
      assert.ok(v.isCrcValid(), 'never serve a corrupt batch');
      for (const rec of decodeRecordBatch(v).records) {
        if (rec.offset < o) continue;
        assert.equal(rec.offset, expected++, 'offsets are contiguous');
        assert.equal(rec.value!.toString().split('.')[0], String(rec.offset));
        n++;
      }
    }
    o = r.nextOffset;
  }
  return n;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const tmp = await tempDir();
  try {
    await fn(join(tmp.path, 'rec-0'));
  } finally {
    await tmp.cleanup();
  }
}

const lastSegmentLog = async (dir: string): Promise<string> =>
  join(dir, (await readdir(dir)).filter((n) => n.endsWith('.log')).sort().pop()!);

test('garbage tail is truncated at the first invalid byte', async () => {
  await withDir(async (dir) => {
    await build(dir);
    const last = await lastSegmentLog(dir);
    const before = (await stat(last)).size;
    await appendFile(last, Buffer.from('this is not a record batch, just junk that a crash might leave'));
    const log = await PartitionLog.open({ dir, topicPartition: TP, config: CONFIG }); // no clean-shutdown flag
    assert.ok(log.openStats.recoveredSegments >= 1);
    assert.equal(log.openStats.truncatedBytes, 62);
    assert.equal((await stat(last)).size, before);
    assert.equal(log.logEndOffset, 160);
    assert.equal(await readAllChecked(log), 160);
    assert.equal((await log.append(batch({ values: ['160'] }))).firstOffset, 160, 'appends resume at the recovered end');
    await log.close();
  });
});

test('a torn (half-written) last batch is dropped', async () => {
  await withDir(async (dir) => {
    await build(dir);
    const last = await lastSegmentLog(dir);
    await truncate(last, (await stat(last)).size - 7);
    const log = await PartitionLog.open({ dir, topicPartition: TP, config: CONFIG });
    assert.equal(log.logEndOffset, 158);
    assert.equal(await readAllChecked(log), 158);
    await log.close();
  });
});

test('a CRC error in an old segment truncates there and drops every later segment', async () => {
  await withDir(async (dir) => {
    await build(dir);
    const segs = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
    assert.ok(segs.length >= 3);
    // Flip a byte in the value of the 3rd batch of the 2nd segment.
    const path = join(dir, segs[1]!);
    const data = await readFile(path);
    let pos = 0;
    for (let i = 0; i < 2; i++) pos += data.readInt32BE(pos + 8) + 12;
    const base = Number(data.readBigInt64BE(pos));
    const fh = await open(path, 'r+');
    await fh.write(Buffer.from([data[pos + 70]! ^ 0xff]), 0, 1, pos + 70);
    await fh.close();
    const log = await PartitionLog.open({ dir, topicPartition: TP, config: CONFIG, recoveryPoint: 0 });
    assert.equal(log.logEndOffset, base);
    assert.equal(log.segments.length, 2);
    assert.equal(await readAllChecked(log), base);
    await log.close();
  });
});

test('missing or corrupt indexes are rebuilt, also lazily after a clean shutdown', async () => {
  await withDir(async (dir) => {
    await build(dir);
    await unlink(join(dir, '00000000000000000000.index'));
    await unlink(join(dir, '00000000000000000000.timeindex'));
    const second = (await readdir(dir)).filter((n) => n.endsWith('.index')).sort()[0]!;
    await writeFile(join(dir, second), Buffer.alloc(64, 0xab));
    const log = await PartitionLog.open({ dir, topicPartition: TP, config: CONFIG, hadCleanShutdown: true, recoveryPoint: 160 });
    assert.equal(log.openStats.recoveredSegments, 0, 'clean shutdown: no scan at open');
    assert.equal(log.segments[0]!.loaded, false, 'old segments load lazily');
    assert.equal(await readAllChecked(log), 160);
    assert.ok((await readdir(dir)).includes('00000000000000000000.index'));
    assert.ok((await stat(join(dir, '00000000000000000000.index'))).size > 0);
    assert.equal((await readFile(join(dir, second))).length % 8, 0);
    assert.equal((await log.offsetForTimestamp(1_700_000_000_001))?.offset, 1);
    await log.close();
  });
});

const CHILD = fileURLToPath(new URL('./fixtures/append-child.ts', import.meta.url));

async function killMidAppend(dir: string, mode: string, minAcks: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  let maxAcked = -1;
  let acks = 0;
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) {
        if (!l.startsWith('ack ')) continue;
        maxAcked = Math.max(maxAcked, Number(l.slice(4)));
        if (++acks === minAcks) child.kill('SIGKILL');
      }
    });
  });
  return maxAcked;
}

test('a process SIGKILLed mid-append loses no acknowledged batch and serves no corrupt one', { timeout: 60_000 }, async () => {
  await withDir(async (dir) => {
    for (const [round, mode] of [
      [1, 'fsync'],
      [2, 'nofsync'],
    ] as const) {
      const acked = await killMidAppend(dir, mode, 300 * round);
      assert.ok(acked > 0, 'child acknowledged appends before the kill');
      const log = await PartitionLog.open({ dir, topicPartition: { topic: 'crash', partition: 0 }, config: { segmentBytes: 64 * 1024 } });
      assert.ok(log.logEndOffset >= acked + 1, `acked ${acked}, recovered LEO ${log.logEndOffset}`);
      assert.equal(log.logEndOffset % 5, 0, 'only whole batches survive');
      // Every offset present, every CRC valid, each record where it belongs.
      let o = 0;
      while (o < log.logEndOffset) {
        const r = await log.read(o, 1 << 20);
        for (const v of iterateBatches(r.data)) {
          assert.ok(v.isCrcValid());
          for (const rec of decodeRecordBatch(v).records) {
            if (rec.offset < o) continue;
            assert.equal(rec.value!.toString().replace(/\.+$/, ''), `${Math.floor(rec.offset / 5)}-${rec.offset % 5}`);
          }
        }
        o = r.nextOffset;
      }
      assert.equal(o, log.logEndOffset);
      // The producer-state / index files of the recovered log are consistent enough to reopen cleanly.
      await log.close();
    }
  });
});

test('an interrupted compaction swap is completed or undone at open', async () => {
  await withDir(async (dir) => {
    await build(dir);
    const segs = (await readdir(dir)).filter((n) => n.endsWith('.log')).sort();
    const first = join(dir, segs[0]!);
    const data = await readFile(first);
    // The cleaner had written a replacement holding only the first batch and renamed it to .swap; the crash came
    // before the old files were renamed. Also a half-written .cleaned and a .deleted leftover.
    const firstBatch = data.subarray(0, data.readInt32BE(8) + 12);
    await writeFile(first + '.swap', firstBatch);
    await writeFile(join(dir, segs[1]!) + '.cleaned', Buffer.from('half written'));
    await writeFile(join(dir, '00000000000000099999.log.deleted'), Buffer.from('old'));
    const log = await PartitionLog.open({ dir, topicPartition: TP, config: CONFIG, hadCleanShutdown: true, recoveryPoint: 160 });
    const names = await readdir(dir);
    assert.ok(!names.some((n) => n.endsWith('.swap') || n.endsWith('.cleaned') || n.endsWith('.deleted')));
    assert.equal((await stat(first)).size, firstBatch.length, 'the .swap replaced the segment');
    // Offsets of the removed batches are gone; reads continue into the next segment; indexes match the new file.
    const r = await log.read(0, 1 << 20);
    assert.ok(r.data.equals(firstBatch));
    const next = await log.read(r.nextOffset, 1 << 20);
    assert.equal([...iterateBatches(next.data)][0]!.baseOffset, log.segments[1]!.baseOffset);
    assert.equal(log.logEndOffset, 160);
    await log.close();
  });
});
