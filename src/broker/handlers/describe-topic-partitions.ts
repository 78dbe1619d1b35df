// DescribeTopicPartitions (KIP-966): like Metadata's topic part, paginated with a cursor and a partition limit.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import type {
  DescribeTopicPartitionsResponse,
  DescribeTopicPartitionsResponseDescribeTopicPartitionsResponseTopic,
} from '../../protocol/generated/messages/describe-topic-partitions-response.js';
import { defineHandler } from './registry.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export default defineHandler({
  apiKey: ApiKeys.DescribeTopicPartitions,
  minVersion: 0,
  maxVersion: 0,
  handle(req, ctx) {
    const b = ctx.broker;
    let budget = Math.max(1, req.responsePartitionLimit ?? 2000);
    const names = (req.topics.length === 0 ? b.topics.all().map((t) => t.record.name) : req.topics.map((t) => t.name)).sort();
    const cursor = req.cursor ?? null;
    const topics: DescribeTopicPartitionsResponseDescribeTopicPartitionsResponseTopic[] = [];
    let nextCursor: DescribeTopicPartitionsResponse['nextCursor'] = null;
    for (const name of names) {
      if (cursor && name < cursor.topicName) continue;
      const st = b.topics.get(name);
      if (!st) {
        topics.push({ errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: ZERO_UUID, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 });
        continue;
      }
      const start = cursor && name === cursor.topicName ? cursor.partitionIndex : 0;
      const t: DescribeTopicPartitionsResponseDescribeTopicPartitionsResponseTopic = {
        errorCode: 0,
        name,
        topicId: st.record.topicId,
        isInternal: b.topics.isInternal(name),
        partitions: [],
        topicAuthorizedOperations: -2147483648,
      };
      topics.push(t);
      for (let i = start; i < st.partitions.length; i++) {
        if (budget === 0) {
          nextCursor = { topicName: name, partitionIndex: i };
          break;
        }
        const p = st.partitions[i]!;
        t.partitions.push({ errorCode: 0, partitionIndex: p.index, leaderId: p.leaderId, leaderEpoch: p.leaderEpoch, replicaNodes: p.replicas, isrNodes: p.isr, eligibleLeaderReplicas: [], lastKnownElr: [], offlineReplicas: [] });
        budget--;
      }
      if (nextCursor) break;
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
});
