import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FetchSessionCache } from '../../src/broker/fetch-sessions.js';

test('fetch session cache: unique non-zero ids, LRU eviction at the slot limit, zero slots disables sessions', () => {
  const cache = new FetchSessionCache(2);
  const a = cache.create()!;
  const b = cache.create()!;
  assert.ok(a.id > 0 && b.id > 0 && a.id !== b.id);
  assert.equal(a.epoch, 0);
  a.bumpEpoch();
  assert.equal(a.epoch, 1);
  cache.get(a.id); // a is now the most recently used
  const c = cache.create()!;
  assert.equal(cache.size, 2);
  assert.equal(cache.get(b.id), undefined, 'least recently used session evicted');
  assert.ok(cache.get(a.id) && cache.get(c.id));
  cache.remove(a.id);
  assert.equal(cache.get(a.id), undefined);
  assert.equal(new FetchSessionCache(0).create(), undefined);
});

test('session epochs wrap from INT32_MAX to 1', () => {
  const s = new FetchSessionCache(1).create()!;
  s.epoch = 0x7fffffff;
  s.bumpEpoch();
  assert.equal(s.epoch, 1);
});
