#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) with node's own test runner, TypeScript loaded through tsx.
// Usage: node scripts/run-tests.mjs [path-substring ...]  — only files whose path contains one of the substrings.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = walk('test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// Native addons must load under the Node that runs the tests. All of ours are N-API (one build serves Node 20 and
// 24), but an addon built from source with npm's `nodedir` pointing at other headers, or a half-finished install,
// makes hundreds of tests fail with a cryptic load error; say once, up front, which addon does not load.
// Checked in a child process so an addon that crashes on load cannot take the runner down. Warns, does not fail:
// code with a pure-JS fallback still works.
const ADDONS = ['sse4_crc32', 'lz4-napi', 'zstd-napi', 'snappy'];
const probe = `for (const m of ${JSON.stringify(ADDONS)}) { try { require(m); } catch (e) {
  console.log(m + ': ' + String(e && e.message).split('\\n')[0]); } }`;
const addonCheck = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
const broken = (addonCheck.stdout ?? '').trim();
if (addonCheck.status !== 0 || broken !== '') {
  console.error(`run-tests: native addons that do not load under node ${process.version} (ABI ${process.versions.modules}):`);
  console.error(broken === '' ? `  probe exited with ${addonCheck.status ?? addonCheck.signal}` : broken.replace(/^/gm, '  '));
  console.error('  fix: `npm rebuild <addon>` under this node (with npm config `nodedir` unset or pointing at its headers)');
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// A hung test file fails after 10 minutes, named, instead of silently eating CI's whole time budget. (Node 20 applies
// --test-timeout to each file as a whole as well as to each test without its own timeout; the slowest file takes ~1 min.)
const timeoutMs = process.env.TEST_TIMEOUT_MS ?? '600000';
const args = ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeoutMs}`, ...files];
const r = spawnSync(process.execPath, args, {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
