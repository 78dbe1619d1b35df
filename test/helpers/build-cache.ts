// Where test helpers keep things they build on demand (C helpers, rdkafka_performance...): a cache directory
// under node_modules, never committed, keyed by a hash of the inputs so a changed source rebuilds.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function cacheDir(): string {
  const dir = process.env.GREGOR_CACHE_DIR ?? join(REPO_ROOT, 'node_modules', '.cache', 'gregor');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export function shortHash(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 16);
}
