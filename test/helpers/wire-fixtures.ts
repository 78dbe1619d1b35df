// The captured wire fixtures (test/fixtures/wire, written by scripts/capture/capture-all.ts; see docs/testing.md):
// the index of frames and the frames themselves, each with its 4-byte size prefix.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FixtureEntry } from '../../scripts/capture/capture-all.js';
import { ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { ErrorCodes } from '../../src/protocol/generated/error-codes.js';
import { REPO_ROOT } from './build-cache.js';

export type { FixtureEntry };

export const WIRE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'wire');

export function wireIndex(): FixtureEntry[] {
  return JSON.parse(readFileSync(join(WIRE_DIR, 'index.json'), 'utf8')) as FixtureEntry[];
}

/** A captured frame, size prefix included. */
export function wireFrame(e: Pick<FixtureEntry, 'file'>): Buffer {
  return readFileSync(join(WIRE_DIR, e.file));
}

/**
 * librdkafka 2.0.2's mock answers an ApiVersions request of a version it lacks with UNSUPPORTED_VERSION in a
 * body of its own shape (not Kafka's v0 fallback body); clients read only the error code and retry with v0.
 */
export function isMockUnsupportedApiVersions(e: FixtureEntry, frame: Buffer): boolean {
  return e.direction === 'response' && e.apiKey === ApiKeys.ApiVersions && frame.readInt16BE(8) === ErrorCodes.UNSUPPORTED_VERSION;
}
