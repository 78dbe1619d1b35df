import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerArgs, run } from '../../src/cli/commands/server.js';

test('gregor server argument parsing: file, repeated --override, -daemon, errors', () => {
  assert.deepEqual(parseServerArgs(['config/server.properties', '--override', 'broker.id=1', '--override=num.partitions=3']), {
    file: 'config/server.properties',
    overrides: ['broker.id=1', 'num.partitions=3'],
    daemon: false,
    help: false,
  });
  assert.equal(parseServerArgs(['-daemon', 'a.properties']).daemon, true);
  assert.throws(() => parseServerArgs(['--override']), /needs a property=value/);
  assert.throws(() => parseServerArgs(['a', 'b']), /unexpected argument b/);
  assert.throws(() => parseServerArgs(['--bogus']), /unknown option/);
});

test('gregor server exits 1 with a clear message on bad configuration', async () => {
  const errors: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(' '));
  try {
    assert.equal(await run(['--override', 'socket.request.max.bytes=lots']), 1);
    assert.equal(await run(['/no/such/server.properties']), 1);
    assert.equal(await run(['--override', 'novalue']), 1);
  } finally {
    console.error = orig;
  }
  assert.match(errors.join('\n'), /socket\.request\.max\.bytes/);
  assert.match(errors.join('\n'), /Cannot read configuration file \/no\/such\/server\.properties/);
  assert.match(errors.join('\n'), /expected key=value/);
});
