// DeleteRecords: moves a partition's log start offset forward (offset -1 = up to the high watermark). Offsets
// above the high watermark are OFFSET_OUT_OF_RANGE, as in Kafka.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import { StorageError } from '../../storage/index.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.DeleteRecords,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const b = ctx.broker;
    const topics = await Promise.all(
      req.topics.map(async (t) => {
        const st = b.topics.get(t.name);
        const partitions = await Promise.all(
          t.partitions.map(async (pr) => {
            const p = st?.partitions[pr.partitionIndex];
            if (!p) return { partitionIndex: pr.partitionIndex, lowWatermark: -1n, errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION };
            if (b.topics.isInternal(t.name)) return { partitionIndex: pr.partitionIndex, lowWatermark: -1n, errorCode: ErrorCodes.INVALID_TOPIC_EXCEPTION };
            const target = pr.offset === -1n ? p.highWatermark : Number(pr.offset);
            if (target < 0 || target > p.highWatermark) return { partitionIndex: pr.partitionIndex, lowWatermark: -1n, errorCode: ErrorCodes.OFFSET_OUT_OF_RANGE };
            try {
              const low = await p.log.deleteRecordsBefore(target);
              p.notify();
              return { partitionIndex: pr.partitionIndex, lowWatermark: BigInt(low), errorCode: 0 };
            } catch (e) {
              return { partitionIndex: pr.partitionIndex, lowWatermark: -1n, errorCode: e instanceof StorageError ? e.kafkaErrorCode : ErrorCodes.UNKNOWN_SERVER_ERROR };
            }
          }),
        );
        return { name: t.name, partitions };
      }),
    );
    return { throttleTimeMs: 0, topics };
  },
});
