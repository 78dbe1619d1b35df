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

function readmeCliExample(): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Command-line tools'));
  const m = /```sh\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'README has a sh code block under "Command-line tools"');
  return m[1]!;
}

test('the README command lines run as written against a Gregor broker (bin/ shims over the built dist/)', async () => {
  const broker = await startGregor();
  after(() => broker.close());
  const script = readmeCliExample()
    .replace(/localhost:9092/g, broker.bootstrap)
    .replace(/\bdata\//g, `${broker.dataDir}/`);
  const r = await runChecked('bash', ['-e', '-c', script], { cwd: REPO_ROOT, timeoutMs: 120_000 });
  const out = r.stdout.toString();
  assert.match(out, /Created topic first\./);
  assert.match(out, /Topic: first\tTopicId: \S+\tPartitionCount: 3\tReplicationFactor: 1/);
  assert.match(r.stderr.toString(), /Processed a total of 2 messages/);
  assert.match(out, /GROUP\s+TOPIC\s+PARTITION\s+NEW-OFFSET/);
  assert.match(out, /Completed updating config for topic first\./);
  assert.match(out, /baseOffset: 0 lastOffset: \d+ count: \d+/);
  assert.match(out, /100000 records sent, [\d.]+ records\/sec/);
});
