// The committed src/protocol/generated must be exactly what the generator produces from the current specs
// and generator sources; otherwise someone edited generated code by hand or forgot `npm run generate`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, generateProtocolFiles } from '../../../scripts/generate-protocol.js';

const GENERATED = join(REPO_ROOT, 'src', 'protocol', 'generated');

test('committed generated protocol code is up to date (run `npm run generate` if this fails)', () => {
  const files = generateProtocolFiles();
  const stale: string[] = [];
  for (const [rel, text] of files) {
    const p = join(GENERATED, rel);
    if (!existsSync(p) || readFileSync(p, 'utf8') !== text) stale.push(rel);
  }
  assert.deepEqual(stale, [], `stale or missing generated files: ${stale.slice(0, 10).join(', ')}`);
});

test('no leftover generated modules without a spec', () => {
  const files = generateProtocolFiles();
  const extra: string[] = [];
  for (const sub of ['messages', 'internal']) {
    for (const name of readdirSync(join(GENERATED, sub))) {
      if (!files.has(`${sub}/${name}`)) extra.push(`${sub}/${name}`);
    }
  }
  for (const name of readdirSync(GENERATED)) {
    if (name.endsWith('.ts') && !files.has(name)) extra.push(name);
  }
  assert.deepEqual(extra, []);
});
