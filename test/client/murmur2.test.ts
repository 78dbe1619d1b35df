import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmur2, toPositive, partitionForKey } from '../../src/client/murmur2.js';

// Vectors from the Java client's UtilsTest.testMurmur2 (org.apache.kafka.common.utils).
const JAVA_VECTORS: [string | number[], number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  [[0x61, 0x62, 0x63], 479470107],
];

test('murmur2 matches the Java client bit for bit', () => {
  for (const [input, expected] of JAVA_VECTORS) {
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
    assert.equal(murmur2(bytes), expected, String(input));
  }
});

test('toPositive clears the sign bit like Utils.toPositive (not Math.abs)', () => {
  assert.equal(toPositive(-2147483648), 0);
  assert.equal(toPositive(-1), 0x7fffffff);
  assert.equal(toPositive(-973932308), -973932308 & 0x7fffffff);
  assert.equal(toPositive(5), 5);
});

test('partitionForKey = toPositive(murmur2(key)) % n', () => {
  // "foobar" -> -790332482 -> 1357151166; % 3 = 0, % 10 = 6
  assert.equal(partitionForKey(Buffer.from('foobar'), 3), 1357151166 % 3);
  assert.equal(partitionForKey(Buffer.from('foobar'), 10), 6);
  assert.equal(partitionForKey(Buffer.from('21'), 7), (-973932308 & 0x7fffffff) % 7);
});
