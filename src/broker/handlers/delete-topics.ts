// DeleteTopics by name (v0-v5) or topic id (v6). Refused with TOPIC_DELETION_DISABLED when delete.topic.enable is
// false, and for internal topics.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import type { DeleteTopicsResponseDeletableTopicResult } from '../../protocol/generated/messages/delete-topics-response.js';
import { ApiError } from '../topic-manager.js';
import { defineHandler } from './registry.js';

const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

export default defineHandler({
  apiKey: ApiKeys.DeleteTopics,
  minVersion: 1,
  maxVersion: 6,
  async handle(req, ctx) {
    const b = ctx.broker;
    const wanted: { name: string | null; topicId: string }[] =
      ctx.apiVersion >= 6 ? (req.topics ?? []).map((t) => ({ name: t.name ?? null, topicId: t.topicId })) : (req.topicNames ?? []).map((n) => ({ name: n, topicId: ZERO_UUID }));
    const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
    for (const w of wanted) {
      const res: DeleteTopicsResponseDeletableTopicResult = { name: w.name, topicId: w.topicId, errorCode: 0, errorMessage: null };
      responses.push(res);
      try {
        let name = w.name;
        if (w.topicId !== ZERO_UUID) {
          const st = b.topics.getById(w.topicId);
          if (!st) throw new ApiError(ErrorCodes.UNKNOWN_TOPIC_ID, 'This server does not host this topic ID.');
          name = st.record.name;
          res.name = name;
        }
        if (name === null) throw new ApiError(ErrorCodes.INVALID_REQUEST, 'Neither topic name nor id were specified.');
        const st = b.topics.get(name);
        if (!st) throw new ApiError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, 'This server does not host this topic-partition.');
        res.topicId = st.record.topicId;
        if (!b.config.bool('delete.topic.enable')) throw new ApiError(ErrorCodes.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
        if (b.topics.isInternal(name)) throw new ApiError(ErrorCodes.INVALID_TOPIC_EXCEPTION, `Cannot delete internal topic ${name}`);
        await b.topics.deleteTopic(name);
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        res.errorCode = e.code;
        res.errorMessage = e.message;
      }
    }
    return { throttleTimeMs: 0, responses };
  },
});
