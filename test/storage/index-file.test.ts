import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OffsetIndex, TimeIndex } from '../../src/storage/index.js';
import { tempDir } from './helpers.js';

test('offset index lookups at every boundary', () => {
  const idx = new OffsetIndex('/nonexistent', 100, 8 * 10);
  assert.deepEqual(idx.lookup(50), { offset: 100, position: 0 }, 'below the base: start of segment');
  assert.deepEqual(idx.lookup(100), { offset: 100, position: 0 }, 'empty index: start of segment');
  idx.append(110, 1000);
  idx.append(120, 2000);
  idx.append(130, 3000);
  idx.append(125, 9999); // non-increasing offsets are ignored
  assert.equal(idx.entries, 3);
  assert.deepEqual(idx.lookup(109), { offset: 100, position: 0 });
  assert.deepEqual(idx.lookup(110), { offset: 110, position: 1000 });
  assert.deepEqual(idx.lookup(119), { offset: 110, position: 1000 });
  assert.deepEqual(idx.lookup(120), { offset: 120, position: 2000 });
  assert.deepEqual(idx.lookup(130), { offset: 130, position: 3000 });
  assert.deepEqual(idx.lookup(1e9), { offset: 130, position: 3000 });
  idx.truncateToOffset(120);
  assert.equal(idx.entries, 1);
  assert.deepEqual(idx.lookup(125), { offset: 110, position: 1000 });
  for (let i = 0; i < 20; i++) idx.append(200 + i, 5000 + i);
  assert.equal(idx.entries, 10, 'never more than segment.index.bytes / 8 entries');
  assert.ok(idx.isFull);
});

test('time index lookups and truncation', () => {
  const t = new TimeIndex('/nonexistent', 0, 12 * 100);
  assert.deepEqual(t.lookup(5), { timestamp: -1, offset: 0 });
  t.maybeAppend(1000, 10);
  t.maybeAppend(1000, 20); // same timestamp: no entry
  t.maybeAppend(2000, 30);
  t.maybeAppend(1500, 40); // older timestamp: no entry
  assert.equal(t.entries, 2);
  assert.deepEqual(t.lookup(999), { timestamp: -1, offset: 0 });
  assert.deepEqual(t.lookup(1000), { timestamp: 1000, offset: 10 });
  assert.deepEqual(t.lookup(1999), { timestamp: 1000, offset: 10 });
  assert.deepEqual(t.lookup(2000), { timestamp: 2000, offset: 30 });
  assert.deepEqual(t.lastEntry, { timestamp: 2000, offset: 30 });
  t.truncateToOffset(30);
  assert.deepEqual(t.lastEntry, { timestamp: 1000, offset: 10 });
});

test('index files: preallocated while active, trimmed on persist, corrupt content detected', async () => {
  const tmp = await tempDir();
  try {
    const path = join(tmp.path, '00000000000000000000.index');
    const idx = new OffsetIndex(path, 0, 1024);
    await idx.create(true);
    assert.equal((await stat(path)).size, 1024, 'preallocated like Kafka');
    idx.append(5, 100);
    idx.append(9, 200);
    await idx.persist(false);
    // An unclean stop leaves the preallocated zeros: loading keeps the valid prefix.
    const reloaded = new OffsetIndex(path, 0, 1024);
    await reloaded.load(1000);
    assert.equal(reloaded.entries, 2);
    await idx.persist(true);
    assert.equal((await stat(path)).size, 16);
    assert.deepEqual([...(await readFile(path))], [0, 0, 0, 5, 0, 0, 0, 100, 0, 0, 0, 9, 0, 0, 0, 200]);
    // Positions beyond the log, or a partial entry, are corruption.
    const bad = new OffsetIndex(path, 0, 1024);
    await assert.rejects(bad.load(150), /invalid entry/);
    await writeFile(path, Buffer.alloc(13, 1));
    await assert.rejects(new OffsetIndex(path, 0, 1024).load(1000), /not a multiple/);
  } finally {
    await tmp.cleanup();
  }
});
