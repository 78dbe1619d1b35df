// The README's client example is run as written (only the bootstrap address and the package import are pointed
// at this checkout), so the usage the README shows cannot drift from what the client does.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './helpers/build-cache.js';
import { startGregor } from './helpers/broker.js';
import { makeTempDir } from './helpers/tmp.js';
import { runChecked } from './helpers/process.js';

function readmeClientExample(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The TypeScript client'));
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README has a ts code block under "The TypeScript client"');
  return m[1]!;
}

test('the README client example runs against a Gregor broker and prints both records', async () => {
  const broker = await startGregor();
  after(() => broker.close());
  const tmp = await makeTempDir('gregor-readme-');
  after(() => tmp.cleanup());
  const clientUrl = pathToFileURL(join(REPO_ROOT, 'src', 'client', 'index.ts')).href;
  const code = readmeClientExample()
    .replace(/from 'gregor'/g, `from '${clientUrl}'`)
    .replace(/localhost:9092/g, broker.bootstrap);
  const file = join(tmp.path, 'example.mts');
  writeFileSync(file, code);
  const r = await runChecked(process.execPath, ['--import', 'tsx', file], { cwd: REPO_ROOT, timeoutMs: 60_000 });
  const out = r.stdout.toString();
  assert.match(out, /\bhello\b/);
  assert.match(out, /\basync\b/);
});
