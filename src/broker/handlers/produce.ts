// Produce: per partition, validate + append the client's batch (see ReplicaManager.appendRecords); all partitions of
// a request proceed concurrently. acks=0 gets no response at all; acks=1 and acks=-1 are answered once the data is
// written (one replica: the ISR is this broker, so "all" is satisfied by the local write).
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import type {
  ProduceResponsePartitionProduceResponse,
  ProduceResponseTopicProduceResponse,
} from '../../protocol/generated/messages/produce-response.js';
import type { PartitionAppendResult } from '../replica-manager.js';
import { isLegacyMessageSet } from '../../protocol/records/legacy.js';
import { upConvertLegacy } from '../up-convert.js';
import { defineHandler } from './registry.js';

function partitionResponse(index: number, r: PartitionAppendResult, leaderId: number, leaderEpoch: number): ProduceResponsePartitionProduceResponse {
  return {
    index,
    errorCode: r.errorCode,
    baseOffset: BigInt(r.baseOffset),
    logAppendTimeMs: BigInt(r.logAppendTime),
    logStartOffset: BigInt(r.logStartOffset),
    recordErrors: r.recordErrors.map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message })),
    errorMessage: r.errorMessage,
    currentLeader: r.errorCode === ErrorCodes.NOT_LEADER_OR_FOLLOWER ? { leaderId, leaderEpoch } : { leaderId: -1, leaderEpoch: -1 },
  };
}

function errorOnly(index: number, code: number, message: string | null): ProduceResponsePartitionProduceResponse {
  return partitionResponse(index, { errorCode: code, errorMessage: message, baseOffset: -1, logAppendTime: -1, logStartOffset: -1, recordErrors: [] }, -1, -1);
}

export default defineHandler({
  apiKey: ApiKeys.Produce,
  // v0-v2 carry message format v0/v1: up-converted to v2 batches (see up-convert.ts).
  minVersion: 0,
  maxVersion: 11,
  async handle(req, ctx) {
    const b = ctx.broker;
    const acks = req.acks;
    const responses: ProduceResponseTopicProduceResponse[] = await Promise.all(
      req.topicData.map(async (t) => {
        const st = b.topics.get(t.name);
        const partitionResponses = await Promise.all(
          t.partitionData.map(async (pd): Promise<ProduceResponsePartitionProduceResponse> => {
            if (acks !== 0 && acks !== 1 && acks !== -1) return errorOnly(pd.index, ErrorCodes.INVALID_REQUIRED_ACKS, null);
            if (!st) return errorOnly(pd.index, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
            if (b.topics.isInternal(t.name)) return errorOnly(pd.index, ErrorCodes.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${t.name}`);
            const p = st.partitions[pd.index];
            if (!p) return errorOnly(pd.index, ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
            if (!pd.records || pd.records.length === 0) return errorOnly(pd.index, ErrorCodes.INVALID_RECORD, 'No records to append');
            if (acks === -1 && p.isr.length < st.produce.minInsyncReplicas) {
              return errorOnly(
                pd.index,
                ErrorCodes.NOT_ENOUGH_REPLICAS,
                `The size of the current ISR [${p.isr.join(', ')}] is insufficient to satisfy the min.isr requirement of ${st.produce.minInsyncReplicas} for partition ${t.name}-${pd.index}`,
              );
            }
            let records = pd.records;
            if (ctx.apiVersion < 3 && isLegacyMessageSet(records)) {
              try {
                records = await upConvertLegacy(records);
              } catch (e) {
                const code = (e as { kafkaErrorCode?: number }).kafkaErrorCode ?? ErrorCodes.CORRUPT_MESSAGE;
                return errorOnly(pd.index, code, (e as Error).message);
              }
            }
            // Up-converted (or v2 batches in an old request) are validated like Produce v3.
            const r = await b.replicas.appendRecords(st, p, records, Math.max(3, ctx.apiVersion));
            return partitionResponse(pd.index, r, p.leaderId, p.leaderEpoch);
          }),
        );
        return { name: t.name, partitionResponses };
      }),
    );
    if (acks === 0) {
      // Kafka closes the connection of an acks=0 producer whose write failed: the client cannot learn of the error
      // otherwise, and reconnecting makes it refresh its metadata.
      const failed = responses.some((t) => t.partitionResponses.some((p) => p.errorCode !== 0));
      if (failed) throw new Error('acks=0 produce failed; closing the connection as Kafka does');
      return null;
    }
    return { responses, throttleTimeMs: 0 };
  },
});
