import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { crc32c, crc32cJs, crc32cImplementation } from '../../../src/protocol/records/crc32c.js';

test('CRC32C golden vectors (RFC 3720 / iSCSI)', () => {
  assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32cJs(Buffer.from('123456789')), 0xe3069283);
  assert.equal(crc32c(Buffer.alloc(0)), 0);
  // RFC 3720 B.4: 32 bytes of zeros -> 0x8A9136AA, 32 bytes of 0xFF -> 0x62A8AB43.
  assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
  assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
  const ascending = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
  assert.equal(crc32cJs(ascending), 0x46dd794e);
});

test('the native implementation is in use on this machine (sse4_crc32 loads)', () => {
  assert.equal(crc32cImplementation, 'native');
});

test('native and JS agree on random buffers of every small length and on large ones', () => {
  for (let len = 0; len < 300; len++) {
    const b = randomBytes(len);
    assert.equal(crc32c(b), crc32cJs(b), `length ${len}`);
  }
  const big = randomBytes(1 << 20);
  assert.equal(crc32c(big), crc32cJs(big));
  // subarrays at odd offsets (unaligned memory) too
  assert.equal(crc32c(big.subarray(3, 70001)), crc32cJs(big.subarray(3, 70001)));
});

test('CRC can be continued across chunks', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 500 }), fc.nat(), (data, cut) => {
      const buf = Buffer.from(data);
      const at = buf.length === 0 ? 0 : cut % buf.length;
      const whole = crc32c(buf);
      assert.equal(crc32c(buf.subarray(at), crc32c(buf.subarray(0, at))), whole);
      assert.equal(crc32cJs(buf.subarray(at), crc32cJs(buf.subarray(0, at))), whole);
    }),
  );
});

test('GREGOR_CRC32C_JS=1 selects the JS fallback, which gives the same CRCs', () => {
  const module = fileURLToPath(new URL('../../../src/protocol/records/crc32c.ts', import.meta.url));
  const script = `const m = await import(${JSON.stringify(module)}); console.log(m.crc32cImplementation, m.crc32c(Buffer.alloc(1000, 1)));`;
  const run = (env: NodeJS.ProcessEnv) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
  const js = run({ GREGOR_CRC32C_JS: '1' });
  assert.equal(js.status, 0, js.stderr);
  assert.equal(js.stdout.trim(), `js ${crc32c(Buffer.alloc(1000, 1))}`);
});
