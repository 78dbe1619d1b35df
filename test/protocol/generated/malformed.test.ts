// Malformed input: every generated decoder must either return a value or throw ProtocolError — never another
// error type, never hang, never allocate in proportion to a claimed (rather than actual) length.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { Writer } from '../../../src/protocol/primitives/writer.js';
import { ProtocolError } from '../../../src/protocol/errors.js';
import { decodeProduceRequest } from '../../../src/protocol/generated/messages/produce-request.js';
import { decodeApiVersionsResponse } from '../../../src/protocol/generated/messages/api-versions-response.js';
import { decodeMetadataRequest } from '../../../src/protocol/generated/messages/metadata-request.js';
import { type LoadedMessage, loadAllMessages, structArb } from './schema-values.js';
import { protocolErrorCode } from '../../helpers/protocol-error.js';

const messages = await loadAllMessages();
const byName = new Map(messages.map((m) => [m.model.spec.name, m]));

function decodeOutcome(m: LoadedMessage, bytes: Buffer, version: number): 'ok' | ProtocolError {
  try {
    m.decode(new Reader(bytes), version);
    return 'ok';
  } catch (e) {
    if (e instanceof ProtocolError) return e;
    throw new Error(`${m.model.spec.name} v${version} threw a non-ProtocolError: ${String(e)}`, { cause: e });
  }
}

/** A deterministic, reasonably rich sample value of message m at version v. */
function sample(m: LoadedMessage, version: number, seed: number): Buffer {
  const values = fc.sample(structArb(m.model.top, version), { numRuns: 30, seed });
  // Pick the value with the longest encoding, so cut points land inside nested structures.
  let best = Buffer.alloc(0);
  for (const v of values) {
    const w = new Writer();
    m.encode(w, v, version);
    if (w.offset > best.length) best = Buffer.from(w.toBuffer());
  }
  return best;
}

const TRUNCATION_CASES: [string, number[]][] = [
  ['ProduceRequest', [3, 9, 11]],
  ['FetchRequest', [4, 12, 15, 17]],
  ['FetchResponse', [4, 12, 16]],
  ['MetadataResponse', [1, 9, 12]],
  ['ApiVersionsResponse', [0, 3, 4]],
  ['JoinGroupRequest', [5, 9]],
  ['OffsetCommitRequest', [2, 8]],
  ['ConsumerGroupHeartbeatResponse', [0]],
];

test('a frame cut at every byte fails with ProtocolError', () => {
  for (const [name, versions] of TRUNCATION_CASES) {
    const m = byName.get(name);
    assert.ok(m, name);
    for (const version of versions) {
      const full = sample(m, version, 17 + version);
      assert.equal(decodeOutcome(m, full, version), 'ok');
      for (let cut = 0; cut < full.length; cut++) {
        const out = decodeOutcome(m, full.subarray(0, cut), version);
        assert.notEqual(out, 'ok', `${name} v${version} decoded from only ${cut} of ${full.length} bytes`);
      }
    }
  }
});

test('negative lengths, lengths past the end, bad varints and huge counts are typed errors', () => {
  // ProduceRequest v3: transactionalId int16 length -2.
  assert.equal(protocolErrorCode(() => decodeProduceRequest(new Reader(Buffer.from('fffe', 'hex')), 3)), 'NEGATIVE_LENGTH');
  // v3: null id, acks, timeout, then a topic count of 2^31-1 with nothing behind it.
  const huge = Buffer.from('ffff' + '0001' + '00001000' + '7fffffff', 'hex');
  const t0 = process.hrtime.bigint();
  const heap0 = process.memoryUsage().heapUsed;
  assert.equal(protocolErrorCode(() => decodeProduceRequest(new Reader(huge), 3)), 'ARRAY_TOO_LARGE');
  assert.ok(process.hrtime.bigint() - t0 < 50_000_000n, 'huge count took too long to reject');
  assert.ok(process.memoryUsage().heapUsed - heap0 < 16 * 1024 * 1024, 'huge count allocated memory');
  // v3: topic array count -5.
  assert.equal(protocolErrorCode(() => decodeProduceRequest(new Reader(Buffer.from('ffff000100001000fffffffb', 'hex')), 3)), 'NEGATIVE_LENGTH');
  // v9 (flexible): compact topic count 2^32-2 elements.
  assert.equal(protocolErrorCode(() => decodeProduceRequest(new Reader(Buffer.from('00' + '0001' + '00001000' + 'ffffffff0f', 'hex')), 9)), 'ARRAY_TOO_LARGE');
  // v9: a six-byte varint.
  assert.equal(protocolErrorCode(() => decodeProduceRequest(new Reader(Buffer.from('00' + '0001' + '00001000' + 'ffffffffff01', 'hex')), 9)), 'BAD_VARINT');
  // v3: one topic "t", one partition whose records claim 1000 bytes but only 3 follow.
  const past = Buffer.from('ffff000100001000' + '00000001' + '000174' + '00000001' + '00000000' + '000003e8' + 'aabbcc', 'hex');
  assert.equal(protocolErrorCode(() => decodeProduceRequest(new Reader(past), 3)), 'TRUNCATED');
  // Flexible message with an unknown tagged field whose size runs past the end.
  assert.equal(protocolErrorCode(() => decodeMetadataRequest(new Reader(Buffer.from('01' + '00' + '00' + '01' + '05' + '10' + 'aa', 'hex')), 12)), 'TRUNCATED');
  // ApiVersionsResponse v3: known tag 1 (finalizedFeaturesEpoch, int64) declared 9 bytes long.
  const badTag = Buffer.from('0000' + '01' + '00000000' + '01' + '01' + '01' + '09' + '000000000000000500', 'hex');
  assert.equal(protocolErrorCode(() => decodeApiVersionsResponse(new Reader(badTag), 3)), 'BAD_TAGGED_FIELD');
  // A version outside validVersions.
  assert.equal(protocolErrorCode(() => decodeProduceRequest(new Reader(Buffer.alloc(0)), 99)), 'UNSUPPORTED_VERSION');
});

test('random bytes: every decoder in every version returns or throws ProtocolError', () => {
  for (const m of messages) {
    for (const version of m.versions) {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
          decodeOutcome(m, Buffer.from(bytes), version);
        }),
        { numRuns: 15, seed: version * 7919 + m.model.spec.name.length },
      );
    }
  }
});

test('mutated valid encodings: every decoder returns or throws ProtocolError', () => {
  for (const m of messages) {
    for (const version of m.versions) {
      fc.assert(
        fc.property(
          structArb(m.model.top, version),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
          (value, flips) => {
            const w = new Writer();
            m.encode(w, value, version);
            const bytes = Buffer.from(w.toBuffer());
            if (bytes.length === 0) return;
            for (const [pos, b] of flips) bytes[pos % bytes.length] = b;
            decodeOutcome(m, bytes, version);
          },
        ),
        { numRuns: 8, seed: version * 31 + m.model.spec.name.length },
      );
    }
  }
});

test('every array element takes at least one byte, so decoded objects are bounded by the input size', () => {
  for (const m of messages) {
    for (const s of m.model.structs) {
      for (const f of s.fields) {
        if (!f.isArray || f.struct === undefined) continue;
        assert.ok(f.struct.minSize.classic >= 1 && f.struct.minSize.compact >= 2, `${f.struct.tsName} can encode to zero bytes`);
      }
    }
  }
});
