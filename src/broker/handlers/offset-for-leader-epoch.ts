// OffsetForLeaderEpoch: the end offset of a leader epoch (the start of the next epoch, or the LEO for the
// current one), from the partition's leader epoch cache. Consumers use it to detect log truncation.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.OffsetForLeaderEpoch,
  minVersion: 2,
  maxVersion: 4,
  handle(req, ctx) {
    const b = ctx.broker;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((pr) => {
          const p = b.topics.partition(t.topic, pr.partition);
          if (!p) return { errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, partition: pr.partition, leaderEpoch: -1, endOffset: -1n };
          const cle = pr.currentLeaderEpoch ?? -1;
          if (cle >= 0 && cle !== p.leaderEpoch) {
            return { errorCode: cle > p.leaderEpoch ? ErrorCodes.UNKNOWN_LEADER_EPOCH : ErrorCodes.FENCED_LEADER_EPOCH, partition: pr.partition, leaderEpoch: -1, endOffset: -1n };
          }
          const r = p.log.leaderEpochCache.endOffsetFor(pr.leaderEpoch, p.logEndOffset);
          return { errorCode: 0, partition: pr.partition, leaderEpoch: r.epoch, endOffset: BigInt(r.endOffset) };
        }),
      })),
    };
  },
});
