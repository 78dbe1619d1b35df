// dump-log on a segment, offset index and time index written by Gregor's storage layer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { encodeRecordBatch } from '../../src/protocol/records/record-batch.js';
import { withTempDir } from '../helpers/tmp.js';
import { runCli } from './run-cli.js';
import { legacyMessageV1 } from '../helpers/legacy-messages.js';

async function writeLog(dir: string): Promise<string> {
  const log = await PartitionLog.open({ dir: join(dir, 't-0'), topicPartition: { topic: 't', partition: 0 }, config: { indexIntervalBytes: 1 } });
  for (let i = 0; i < 5; i++) {
    await log.append(encodeRecordBatch({ baseTimestamp: 1000 + i * 10, records: [{ key: Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), timestamp: 1000 + i * 10 }, { value: Buffer.from(`w${i}`), timestamp: 1005 + i * 10 }] }));
  }
  await log.close();
  return join(dir, 't-0');
}

test('dump-log prints .index and .timeindex entries that match the log', async () => {
  await withTempDir(async (dir) => {
    const part = await writeLog(dir);
    const files = readdirSync(part);
    const stem = '00000000000000000000';
    assert.ok(files.includes(`${stem}.index`) && files.includes(`${stem}.timeindex`), files.join(','));
    let r = await runCli('dump-log', ['--files', `${join(part, `${stem}.index`)},${join(part, `${stem}.timeindex`)}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no mismatches');
    const lines = r.stdout.split('\n');
    const idx = lines.filter((l) => l.startsWith('offset: '));
    assert.ok(idx.length >= 1);
    assert.match(idx[0]!, /^offset: \d+ position: \d+$/);
    const times = lines.filter((l) => l.startsWith('timestamp: '));
    assert.ok(times.length >= 1);
    assert.match(times.at(-1)!, /^timestamp: 1045 offset: 9$/);
    r = await runCli('dump-log', ['--files', join(part, `${stem}.log`), '--deep-iteration']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('baseOffset: ')).length, 5);
    assert.match(r.stdout, /\| offset: 9 CreateTime: 1045 keySize: -1 valueSize: 2 sequence: -1 headerKeys: \[\]\n/);
    r = await runCli('dump-log', ['--files', join(part, `${stem}.index`), '--index-sanity-check']);
    assert.match(r.stdout, /passed sanity check\./);

    // Corrupt the offset index (point its first entry at a wrong position): dump-log reports the mismatch.
    const indexPath = join(part, `${stem}.index`);
    const buf = readFileSync(indexPath);
    if (buf.length >= 16) {
      buf.writeInt32BE(buf.readInt32BE(12), 4);
      writeFileSync(indexPath, buf);
      r = await runCli('dump-log', ['--files', indexPath, '--verify-index-only']);
      assert.match(r.stderr + r.stdout, /Mismatches in :|failed sanity check/);
    }
  });
});

/** One magic v1 message (legacy format) as Kafka 0.10 wrote it, without a key. */
const legacyV1 = (offset: number, timestamp: number, value: string): Buffer => legacyMessageV1({ offset, timestamp, key: null, value });

test('dump-log reads legacy (magic v1) segments', async () => {
  await withTempDir(async (dir) => {
    const file = join(dir, '00000000000000000000.log');
    writeFileSync(file, Buffer.concat([legacyV1(0, 1000, 'old'), legacyV1(1, 1001, 'older')]));
    const r = await runCli('dump-log', ['--files', file, '--print-data-log']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[2]!, /^offset: 0 position: 0 CreateTime: 1000 size: 37 magic: 1 compresscodec: none crc: \d+ isvalid: true$/);
    assert.match(lines[3]!, /^\| offset: 0 CreateTime: 1000 keySize: -1 valueSize: 3 isValid: true crc: \d+\} payload: old$/);
    assert.match(lines[5]!, /^\| offset: 1 CreateTime: 1001 keySize: -1 valueSize: 5 isValid: true crc: \d+\} payload: older$/);
  });
});
