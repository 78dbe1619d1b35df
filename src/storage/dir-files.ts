// Per-log-dir and per-partition metadata files: meta.properties (cluster/node identity of the directory),
// partition.metadata (topic id), and the clean-shutdown marker.
import { readFile, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from './checkpoint-files.js';
import { CLEAN_SHUTDOWN_FILE, META_PROPERTIES, PARTITION_METADATA } from './file-names.js';
import { StorageError, StorageErrorCodes } from './errors.js';

/** Java-properties subset: key=value lines, '#' / '!' comments. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(line);
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

/** A random Kafka-style uuid in base64url without padding (22 chars), as Kafka prints topic and directory ids. */
export function randomKafkaUuid(): string {
  return randomBytes(16).toString('base64url');
}

export interface MetaProperties {
  clusterId: string;
  nodeId: number;
  directoryId: string;
}

/**
 * Reads meta.properties (KRaft layout, version=1) or creates it. A directory that belongs to another cluster or
 * node is refused, as Kafka refuses it (InconsistentClusterIdException / InconsistentBrokerIdException).
 */
export async function ensureMetaProperties(dir: string, clusterId: string, nodeId: number): Promise<MetaProperties> {
  const path = join(dir, META_PROPERTIES);
  let text: string | null = null;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text !== null) {
    const p = parseProperties(text);
    const existingCluster = p.get('cluster.id');
    const existingNode = p.get('node.id') ?? p.get('broker.id');
    if (existingCluster !== undefined && existingCluster !== clusterId) {
      throw new StorageError(
        `${path}: log dir belongs to cluster ${existingCluster}, not ${clusterId}`,
        StorageErrorCodes.INCONSISTENT_CLUSTER_ID,
      );
    }
    if (existingNode !== undefined && Number(existingNode) !== nodeId) {
      throw new StorageError(`${path}: log dir belongs to node ${existingNode}, not ${nodeId}`);
    }
    const directoryId = p.get('directory.id');
    if (existingCluster !== undefined && existingNode !== undefined && directoryId !== undefined) {
      return { clusterId, nodeId, directoryId };
    }
  }
  const directoryId = randomKafkaUuid();
  const body =
    `#\n#${new Date().toString()}\n` +
    `cluster.id=${clusterId}\ndirectory.id=${directoryId}\nnode.id=${nodeId}\nversion=1\n`;
  await writeFileAtomic(path, body);
  return { clusterId, nodeId, directoryId };
}

export async function readPartitionMetadata(partitionDir: string): Promise<string | null> {
  try {
    const p = parseProperties(await readFile(join(partitionDir, PARTITION_METADATA), 'utf8'));
    return p.get('topic_id') ?? null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export async function writePartitionMetadata(partitionDir: string, topicId: string): Promise<void> {
  await writeFileAtomic(join(partitionDir, PARTITION_METADATA), `version: 0\ntopic_id: ${topicId}\n`);
}

export async function hasCleanShutdownMarker(dir: string): Promise<boolean> {
  try {
    await readFile(join(dir, CLEAN_SHUTDOWN_FILE));
    return true;
  } catch {
    return false;
  }
}

export async function writeCleanShutdownMarker(dir: string, brokerEpoch = -1): Promise<void> {
  await writeFileAtomic(join(dir, CLEAN_SHUTDOWN_FILE), JSON.stringify({ version: 0, brokerEpoch }));
}

export async function removeCleanShutdownMarker(dir: string): Promise<void> {
  await unlink(join(dir, CLEAN_SHUTDOWN_FILE)).catch(() => undefined);
}
