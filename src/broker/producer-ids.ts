// Producer id allocation for InitProducerId. Ids come from blocks reserved in the metadata store (persisted before
// use), so a restart never hands out an id twice; within a block allocation is a counter.
import type { TopicManager } from './topic-manager.js';

const BLOCK_SIZE = 1000;

export class ProducerIdManager {
  private next = 0;
  private end = 0;
  private pending: Promise<void> | null = null;

  constructor(private readonly topics: TopicManager) {}

  async nextId(): Promise<number> {
    while (this.next >= this.end) {
      if (!this.pending) {
        this.pending = this.topics.allocateProducerIdBlock(BLOCK_SIZE).then(
          (start) => {
            this.next = start;
            this.end = start + BLOCK_SIZE;
            this.pending = null;
          },
          (e: unknown) => {
            this.pending = null;
            throw e;
          },
        );
      }
      await this.pending;
    }
    return this.next++;
  }
}
