// Real frames as fuzzing seeds: every strict prefix of a captured frame must be rejected with a ProtocolError,
// and random byte mutations must either decode or be rejected with a ProtocolError — never another exception
// (RangeError, TypeError...), which would mean an unchecked read. Record bytes inside a frame are opaque to the
// message decoders; the record batches' own malformed-input tests live with src/protocol/records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Reader } from '../../../src/protocol/primitives/reader.js';
import { decodeRequestBody, decodeRequestHeader, decodeResponse } from '../../../src/protocol/messages.js';
import { isProtocolError } from '../../../src/protocol/errors.js';
import { isMockUnsupportedApiVersions, wireFrame, wireIndex, type FixtureEntry } from '../../helpers/wire-fixtures.js';

// librdkafka's mock answers unsupported ApiVersions versions in a shape of its own (see wire-fixtures.ts).
const index = wireIndex().filter((e) => !isMockUnsupportedApiVersions(e, wireFrame(e)));

/** Decodes a frame without its size prefix, the way the broker (requests) or a client (responses) would. */
function decode(e: FixtureEntry, payload: Buffer): void {
  if (e.direction === 'request') {
    const r = new Reader(payload);
    const h = decodeRequestHeader(r);
    // A mutated length may leave bytes over; what the broker does with them is the broker's policy.
    decodeRequestBody(h.apiKey, h.apiVersion, r);
  } else {
    decodeResponse(e.apiKey, e.apiVersion, payload);
  }
}

function expectProtocolErrorOrSuccess(what: string, fn: () => void): 'ok' | 'rejected' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (isProtocolError(err)) return 'rejected';
    assert.fail(`${what}: threw a non-protocol error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  }
}

/** Deterministic xorshift32, so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

test('every strict prefix of every captured frame is rejected with a ProtocolError', () => {
  let prefixes = 0;
  for (const e of index) {
    const payload = wireFrame(e).subarray(4);
    // All prefixes for small frames; for large ones (Fetch/Produce with data) every 7th plus the last 64.
    for (let len = 0; len < payload.length; len++) {
      if (payload.length > 512 && len % 7 !== 0 && len < payload.length - 64) continue;
      const cut = payload.subarray(0, len);
      const outcome = expectProtocolErrorOrSuccess(`${e.file} cut at ${len}`, () => {
        if (e.direction === 'request') {
          const r = new Reader(cut);
          const h = decodeRequestHeader(r);
          decodeRequestBody(h.apiKey, h.apiVersion, r);
        } else {
          decodeResponse(e.apiKey, e.apiVersion, cut);
        }
      });
      assert.equal(outcome, 'rejected', `${e.file}: prefix of ${len}/${payload.length} bytes decoded`);
      prefixes++;
    }
  }
  assert.ok(prefixes > 10_000, `${prefixes} prefixes`);
});

test('random byte mutations of captured frames decode or fail with a ProtocolError, nothing else', () => {
  const next = rng(0x6a09e667);
  let decoded = 0;
  let rejected = 0;
  for (const e of index) {
    const original = wireFrame(e).subarray(4);
    for (let round = 0; round < 30; round++) {
      const m = Buffer.from(original);
      const flips = 1 + Math.floor(next() * 4);
      for (let i = 0; i < flips; i++) {
        const at = Math.floor(next() * m.length);
        // Favour the values that break lengths and counts: 0xff (negative / huge), 0x7f, 0x00.
        const pick = next();
        m[at] = pick < 0.3 ? 0xff : pick < 0.45 ? 0x7f : pick < 0.6 ? 0x00 : Math.floor(next() * 256);
      }
      const outcome = expectProtocolErrorOrSuccess(`${e.file} mutation ${round}`, () => decode(e, m));
      if (outcome === 'ok') decoded++;
      else rejected++;
    }
  }
  // Both outcomes must occur: mutations of record bytes or plain int fields still decode, lengths break.
  assert.ok(decoded > 0 && rejected > 0, `decoded ${decoded}, rejected ${rejected}`);
});
