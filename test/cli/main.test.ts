import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';

test('gregor with no subcommand prints usage and exits 0', async () => {
  assert.equal(await main([]), 0);
});

test('gregor with an unknown command exits non-zero', async () => {
  assert.equal(await main(['no-such-command']), 1);
});
