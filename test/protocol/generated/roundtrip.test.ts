// Property test: for every generated message and every valid version, arbitrary values survive
// encode -> decode (absent fields come back as their defaults), decoding consumes exactly the bytes written,
// and re-encoding the decoded value reproduces the same bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';
import { expectedDecoded, loadAllMessages, structArb } from './schema-values.js';

const RUNS = Number(process.env.ROUNDTRIP_RUNS ?? 25);
const messages = await loadAllMessages();

test('every spec has a generated encoder and decoder', () => {
  assert.ok(messages.length > 200, `only ${messages.length} specs loaded`);
  for (const m of messages) {
    assert.equal(typeof m.encode, 'function', `encode${m.model.spec.name}`);
    assert.equal(typeof m.decode, 'function', `decode${m.model.spec.name}`);
  }
});

for (const m of messages) {
  test(`${m.dir}/${m.model.spec.name} round-trips in every version (${m.versions.join(',')})`, () => {
    for (const version of m.versions) {
      fc.assert(
        fc.property(structArb(m.model.top, version), (value) => {
          const w = new Writer(64);
          m.encode(w, value, version);
          const bytes = Buffer.from(w.toBuffer());
          const r = new Reader(bytes);
          const decoded = m.decode(r, version);
          assert.equal(r.remaining(), 0, 'decoder left bytes unread');
          assert.deepStrictEqual(decoded, expectedDecoded(m.model.top, value, version, m.module));
          const w2 = new Writer(16);
          m.encode(w2, decoded, version);
          assert.ok(w2.toBuffer().equals(bytes), 're-encoding the decoded value changed the bytes');
        }),
        { numRuns: RUNS, seed: Number(process.env.ROUNDTRIP_SEED ?? 0x6e6567) ^ version, endOnFailure: true },
      );
    }
  });
}
