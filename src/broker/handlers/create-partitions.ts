// CreatePartitions: grow a topic to `count` partitions (never shrink), with validate_only.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import { ApiError } from '../topic-manager.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.CreatePartitions,
  minVersion: 0,
  maxVersion: 3,
  async handle(req, ctx) {
    const b = ctx.broker;
    const results = [];
    for (const t of req.topics) {
      try {
        if (t.assignments) {
          for (const a of t.assignments) {
            if (a.brokerIds.some((id) => id !== b.brokerId)) throw new ApiError(ErrorCodes.INVALID_REPLICA_ASSIGNMENT, `Unknown broker(s) in replica assignment: ${a.brokerIds.join(', ')}.`);
          }
        }
        if (b.topics.isInternal(t.name)) throw new ApiError(ErrorCodes.INVALID_REQUEST, `Cannot add partitions to internal topic ${t.name}`);
        await b.topics.createPartitions(t.name, t.count, req.validateOnly);
        results.push({ name: t.name, errorCode: 0, errorMessage: null });
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        results.push({ name: t.name, errorCode: e.code, errorMessage: e.message });
      }
    }
    return { throttleTimeMs: 0, results };
  },
});
