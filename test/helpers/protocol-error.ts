// The ProtocolError code a call fails with, for tests of bad input: any other exception fails the test, and a call
// that does not throw yields 'no error' so an assert.equal against the expected code reports it plainly.
import assert from 'node:assert/strict';
import { ProtocolError } from '../../src/protocol/errors.js';

export function protocolErrorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ProtocolError, `expected ProtocolError, got ${String(e)}`);
    return e.code;
  }
  return 'no error';
}
