// Kafka's small text checkpoint files, written atomically (temp file, fsync, rename, fsync of the directory) so a
// crash leaves either the old or the new content:
//   offset checkpoints (recovery-point-offset-checkpoint, replication-offset-checkpoint, log-start-offset-checkpoint,
//   cleaner-offset-checkpoint):  "0\n<count>\n<topic> <partition> <offset>\n..."
//   leader-epoch-checkpoint:     "0\n<count>\n<epoch> <startOffset>\n..."
import { open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TopicPartition } from './file-names.js';
import { tpKey } from './file-names.js';

export async function writeFileAtomic(path: string, content: string | Buffer, sync = true): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(content);
    if (sync) await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  if (sync) await syncDir(dirname(path));
}

export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // Some file systems refuse fsync on directories; the rename is still ordered after the data sync.
  }
}

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export class CheckpointFormatError extends Error {
  override readonly name = 'CheckpointFormatError';
}

function parseVersionedLines(path: string, text: string, fieldsPerLine: number): string[][] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  if (lines.length < 2) throw new CheckpointFormatError(`${path}: missing version/count`);
  if (lines[0]!.trim() !== '0') throw new CheckpointFormatError(`${path}: unsupported version ${lines[0]}`);
  const count = Number(lines[1]);
  if (!Number.isInteger(count) || count < 0 || count !== lines.length - 2) {
    throw new CheckpointFormatError(`${path}: expected ${lines[1]} entries, found ${lines.length - 2}`);
  }
  return lines.slice(2).map((l) => {
    const parts = l.trim().split(/\s+/);
    if (parts.length !== fieldsPerLine) throw new CheckpointFormatError(`${path}: malformed line "${l}"`);
    return parts;
  });
}

/** Offsets per partition; a missing file reads as empty. Keys are `<topic>-<partition>`. */
export async function readOffsetCheckpoint(path: string): Promise<Map<string, number>> {
  const text = await readIfExists(path);
  const out = new Map<string, number>();
  if (text === null) return out;
  for (const [topic, partition, offset] of parseVersionedLines(path, text, 3)) {
    const p = Number(partition);
    const o = Number(offset);
    if (!Number.isInteger(p) || !Number.isSafeInteger(o)) throw new CheckpointFormatError(`${path}: bad entry`);
    out.set(tpKey({ topic: topic!, partition: p }), o);
  }
  return out;
}

export async function writeOffsetCheckpoint(
  path: string,
  entries: Iterable<[TopicPartition, number]>,
  sync = true,
): Promise<void> {
  const lines: string[] = [];
  for (const [tp, off] of entries) lines.push(`${tp.topic} ${tp.partition} ${off}`);
  await writeFileAtomic(path, `0\n${lines.length}\n${lines.map((l) => l + '\n').join('')}`, sync);
}

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

export async function readLeaderEpochCheckpoint(path: string): Promise<EpochEntry[] | null> {
  const text = await readIfExists(path);
  if (text === null) return null;
  return parseVersionedLines(path, text, 2).map(([e, o]) => {
    const epoch = Number(e);
    const startOffset = Number(o);
    if (!Number.isInteger(epoch) || !Number.isSafeInteger(startOffset)) throw new CheckpointFormatError(`${path}: bad entry`);
    return { epoch, startOffset };
  });
}

export async function writeLeaderEpochCheckpoint(path: string, entries: readonly EpochEntry[], sync = true): Promise<void> {
  const body = entries.map((e) => `${e.epoch} ${e.startOffset}\n`).join('');
  await writeFileAtomic(path, `0\n${entries.length}\n${body}`, sync);
}
