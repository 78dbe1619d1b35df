// CreateTopics (with validate_only): name, partitions, replication factor (one broker: only 1, or -1 = default),
// explicit replica assignments (must name this broker), and config overrides, each checked like Kafka does.
// The response (v5+) carries the topic id, partition count and the resulting configs.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import type { CreateTopicsResponseCreatableTopicResult } from '../../protocol/generated/messages/create-topics-response.js';
import { ApiError } from '../topic-manager.js';
import { describeTopicConfigs } from './describe-configs.js';
import { defineHandler } from './registry.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export default defineHandler({
  apiKey: ApiKeys.CreateTopics,
  minVersion: 2,
  maxVersion: 7,
  async handle(req, ctx) {
    const b = ctx.broker;
    const seen = new Map<string, number>();
    for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
    const results: CreateTopicsResponseCreatableTopicResult[] = [];
    for (const t of req.topics) {
      const res: CreateTopicsResponseCreatableTopicResult = {
        name: t.name,
        topicId: ZERO_UUID,
        errorCode: ErrorCodes.NONE,
        errorMessage: null,
        topicConfigErrorCode: 0,
        numPartitions: -1,
        replicationFactor: -1,
        configs: null,
      };
      results.push(res);
      try {
        if ((seen.get(t.name) ?? 0) > 1) throw new ApiError(ErrorCodes.INVALID_REQUEST, `Create topics request from client contains multiple entries for the topic ${t.name}`);
        let partitions = t.numPartitions === -1 ? b.config.int('num.partitions') : t.numPartitions;
        let rf = t.replicationFactor === -1 ? b.config.int('default.replication.factor') : t.replicationFactor;
        if (t.assignments.length > 0) {
          if (t.numPartitions !== -1 || t.replicationFactor !== -1) {
            throw new ApiError(ErrorCodes.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
          }
          partitions = t.assignments.length;
          rf = t.assignments[0]!.brokerIds.length;
          for (const a of t.assignments) {
            if (a.brokerIds.some((id) => id !== b.brokerId)) {
              throw new ApiError(ErrorCodes.INVALID_REPLICA_ASSIGNMENT, `Unknown broker(s) in replica assignment: ${a.brokerIds.join(', ')}.`);
            }
          }
        }
        const configs: Record<string, string> = {};
        for (const c of t.configs) if (c.value !== null) configs[c.name] = c.value;
        if (b.topics.isInternal(t.name)) throw new ApiError(ErrorCodes.INVALID_REQUEST, `Creation of internal topic ${t.name} is prohibited.`);
        b.topics.validateCreate(t.name, partitions, rf, configs);
        res.numPartitions = partitions;
        res.replicationFactor = rf;
        if (!req.validateOnly) {
          const st = await b.topics.createTopic(t.name, partitions, configs);
          res.topicId = st.record.topicId;
        }
        if (ctx.apiVersion >= 5) {
          res.configs = describeTopicConfigs(b, t.name, configs, null, false).map((c) => ({
            name: c.name,
            value: c.value,
            readOnly: c.readOnly,
            configSource: c.configSource ?? -1,
            isSensitive: c.isSensitive,
          }));
        }
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        res.errorCode = e.code;
        res.errorMessage = e.message;
      }
    }
    return { throttleTimeMs: 0, topics: results };
  },
});
