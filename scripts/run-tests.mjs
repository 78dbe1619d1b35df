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
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// A hung test file fails after 10 minutes, named, instead of silently eating CI's whole time budget. (Node 20 applies
// --test-timeout to each file as a whole as well as to each test without its own timeout; the slowest file takes ~1 min.)
const timeoutMs = process.env.TEST_TIMEOUT_MS ?? '600000';
const args = ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${timeoutMs}`, ...files];
const r = spawnSync(process.execPath, args, {
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
