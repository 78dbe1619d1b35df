import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSerializer, resolveDeserializer, IntegerSerializer, LongDeserializer } from '../../src/client/serdes.js';
import { ConfigError } from '../../src/client/errors.js';

test('Java class names resolve to the same byte formats', () => {
  const s = resolveSerializer<string>('org.apache.kafka.common.serialization.StringSerializer', 'key.serializer');
  assert.deepEqual(s.serialize('t', 'héllo'), Buffer.from('héllo', 'utf8'));
  assert.equal(s.serialize('t', null), null);
  const d = resolveDeserializer<string>('org.apache.kafka.common.serialization.StringDeserializer', 'x');
  assert.equal(d.deserialize('t', Buffer.from('héllo')), 'héllo');
  assert.deepEqual(IntegerSerializer.serialize('t', 258), Buffer.from([0, 0, 1, 2]));
  assert.equal(resolveDeserializer<number>('IntegerDeserializer', 'x').deserialize('t', Buffer.from([0xff, 0xff, 0xff, 0xfe])), -2);
  assert.equal(LongDeserializer.deserialize('t', Buffer.from([0, 0, 0, 0, 0, 0, 1, 0])), 256n);
  assert.throws(() => LongDeserializer.deserialize('t', Buffer.from([1])), ConfigError);
});

test('json, bytes, functions, unknown names', () => {
  const j = resolveSerializer<unknown>('json', 'v');
  assert.deepEqual(resolveDeserializer<unknown>('json', 'v').deserialize('t', j.serialize('t', { a: [1] })), { a: [1] });
  const b = resolveSerializer<Buffer | string>(undefined, 'v');
  assert.deepEqual(b.serialize('t', 'x'), Buffer.from('x'));
  const f = resolveSerializer<number>((_t: string, n: number | null | undefined) => Buffer.from([n ?? 0]), 'v');
  assert.deepEqual(f.serialize('t', 7), Buffer.from([7]));
  assert.throws(() => resolveSerializer('com.acme.Avro', 'v'), ConfigError);
});
