// Shared helpers for storage tests: temp dirs and record batches built with the records layer.
import { mkdtemp, rm, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeRecordBatch, type RecordInput } from '../../src/protocol/records/record-batch.js';
import type { CompressionType } from '../../src/protocol/records/../compression/types.js';

export async function tempDir(prefix = 'gregor-storage-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

export const FIXTURE_DIR = new URL('../../../shared/kafka-fixtures/segment-written-by-kafka/test-0/', import.meta.url).pathname;

/** Copies the Kafka-written partition into `parent/test-0` (writable). */
export async function copyFixture(parent: string): Promise<string> {
  const dest = join(parent, 'test-0');
  await cp(FIXTURE_DIR, dest, { recursive: true });
  // The fixture files are read-only; the log must be able to write (recovery, indexes).
  const { chmod, readdir } = await import('node:fs/promises');
  await chmod(dest, 0o755);
  for (const f of await readdir(dest)) await chmod(join(dest, f), 0o644);
  return dest;
}

export interface BatchOpts {
  count?: number;
  valueSize?: number;
  timestamp?: number;
  keys?: (string | null)[];
  values?: (string | null)[];
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  compression?: CompressionType;
  transactional?: boolean;
}

/** A batch with `count` records (offsets are assigned by the log). */
export function batch(o: BatchOpts = {}): Buffer {
  const n = o.keys?.length ?? o.values?.length ?? o.count ?? 1;
  const records: RecordInput[] = [];
  for (let i = 0; i < n; i++) {
    const value = o.values ? o.values[i] : o.valueSize !== undefined ? Buffer.alloc(o.valueSize, i & 0xff) : `v${i}`;
    records.push({ key: o.keys ? o.keys[i] : null, value: value ?? null, timestamp: (o.timestamp ?? 1_700_000_000_000) + i });
  }
  return encodeRecordBatch({
    records,
    producerId: o.producerId,
    producerEpoch: o.producerEpoch,
    baseSequence: o.baseSequence,
    compression: o.compression,
    transactional: o.transactional,
  });
}
