// Cluster metadata the broker must remember across restarts: the cluster id, every topic (name, id, partition
// count, config overrides), dynamic broker configs and the producer-id block. Behind a small interface so the
// single-node file store can be replaced by a ZooKeeper-backed one for the replicated milestone without touching
// the handlers.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../storage/checkpoint-files.js';

export interface TopicRecord {
  name: string;
  /** Kafka uuid, base64url (22 chars). */
  topicId: string;
  numPartitions: number;
  /** Topic-level config overrides (Kafka names, raw strings). */
  configs: Record<string, string>;
  internal?: boolean;
}

export interface ClusterMetadata {
  version: 1;
  clusterId: string;
  topics: TopicRecord[];
  /** Dynamic broker configs: per this broker, and cluster-wide defaults. */
  brokerConfigs: { perBroker: Record<string, string>; defaults: Record<string, string> };
  /** First producer id of the next unallocated block (InitProducerId). */
  nextProducerIdBlock: number;
}

export interface MetadataStore {
  load(): Promise<ClusterMetadata | null>;
  /** Durably replaces the stored metadata. Calls are applied in order. */
  save(meta: ClusterMetadata): Promise<void>;
}

export const METADATA_FILE = '__gregor_cluster_metadata.json';

/** One JSON file in the first log dir, replaced atomically (write temp + fsync + rename). */
export class LocalFileMetadataStore implements MetadataStore {
  private chain: Promise<void> = Promise.resolve();
  readonly path: string;

  constructor(logDir: string) {
    this.path = join(logDir, METADATA_FILE);
  }

  async load(): Promise<ClusterMetadata | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const parsed = JSON.parse(text) as ClusterMetadata;
    if (parsed.version !== 1 || !Array.isArray(parsed.topics)) throw new Error(`unsupported metadata file ${this.path}`);
    return parsed;
  }

  save(meta: ClusterMetadata): Promise<void> {
    const text = JSON.stringify(meta, null, 1);
    const next = this.chain.then(() => writeFileAtomic(this.path, text));
    this.chain = next.catch(() => undefined);
    return next;
  }
}
