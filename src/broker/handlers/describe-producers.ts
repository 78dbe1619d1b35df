// DescribeProducers (KIP-664, kafka-transactions.sh describe-producers): the idempotent/transactional producers a
// partition knows (from storage's producer state): id, epoch, last sequence and timestamp, open transaction start.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.DescribeProducers,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const b = ctx.broker;
    return {
      throttleTimeMs: 0,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitionIndexes.map((index) => {
          const p = b.topics.partition(t.name, index);
          if (!p) return { partitionIndex: index, errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null, activeProducers: [] };
          const activeProducers = [...p.log.producerState.producers.values()].map((e) => ({
            producerId: BigInt(e.producerId),
            producerEpoch: e.producerEpoch,
            lastSequence: e.batches.at(-1)?.lastSeq ?? -1,
            lastTimestamp: BigInt(e.lastTimestamp),
            coordinatorEpoch: e.coordinatorEpoch,
            currentTxnStartOffset: BigInt(e.currentTxnFirstOffset),
          }));
          return { partitionIndex: index, errorCode: 0, errorMessage: null, activeProducers };
        }),
      })),
    };
  },
});
