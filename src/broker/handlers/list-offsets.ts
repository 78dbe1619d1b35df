// ListOffsets: earliest (-2), latest (-1), max timestamp (-3), earliest-local (-4, = earliest: no tiered storage),
// latest-tiered (-5: nothing tiered) and by timestamp (first offset with a record timestamp >= t). For
// read_committed the latest offset is the last stable offset; consumers (replicaId -1) never see past the HW.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import type { ListOffsetsResponseListOffsetsPartitionResponse } from '../../protocol/generated/messages/list-offsets-response.js';
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, MAX_TIMESTAMP, StorageError } from '../../storage/index.js';
import { defineHandler } from './registry.js';

const EARLIEST_LOCAL_TIMESTAMP = -4;
const LATEST_TIERED_TIMESTAMP = -5;

export default defineHandler({
  apiKey: ApiKeys.ListOffsets,
  minVersion: 1,
  maxVersion: 9,
  async handle(req, ctx) {
    const b = ctx.broker;
    const isolation = req.isolationLevel ?? 0;
    const topics = await Promise.all(
      req.topics.map(async (t) => {
        const st = b.topics.get(t.name);
        const partitions = await Promise.all(
          t.partitions.map(async (pr): Promise<ListOffsetsResponseListOffsetsPartitionResponse> => {
            const out = (errorCode: number, timestamp = -1n, offset = -1n, leaderEpoch = -1): ListOffsetsResponseListOffsetsPartitionResponse => ({
              partitionIndex: pr.partitionIndex,
              errorCode,
              timestamp,
              offset,
              // Non-ignorable field: versions before 4 must carry the default.
              leaderEpoch: ctx.apiVersion >= 4 ? leaderEpoch : -1,
            });
            const p = st?.partitions[pr.partitionIndex];
            if (!p) return out(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION);
            const cle = pr.currentLeaderEpoch ?? -1;
            if (cle >= 0 && cle !== p.leaderEpoch) return out(cle > p.leaderEpoch ? ErrorCodes.UNKNOWN_LEADER_EPOCH : ErrorCodes.FENCED_LEADER_EPOCH);
            let ts = Number(pr.timestamp);
            if (ts === EARLIEST_LOCAL_TIMESTAMP) ts = EARLIEST_TIMESTAMP;
            if (ts === LATEST_TIERED_TIMESTAMP) return out(ErrorCodes.NONE, -1n, -1n, -1);
            if (ts === LATEST_TIMESTAMP) {
              const end = req.replicaId >= 0 ? p.logEndOffset : isolation === 1 ? p.lastStableOffset : p.highWatermark;
              return out(ErrorCodes.NONE, -1n, BigInt(end), p.leaderEpoch);
            }
            try {
              const found = await p.log.offsetForTimestamp(ts);
              if (!found) return out(ErrorCodes.NONE, -1n, -1n, -1);
              // Consumers must not learn offsets above what they can read.
              const bound = isolation === 1 ? p.lastStableOffset : p.highWatermark;
              if (ts !== EARLIEST_TIMESTAMP && ts !== MAX_TIMESTAMP && found.offset >= bound && req.replicaId < 0) return out(ErrorCodes.NONE, -1n, -1n, -1);
              return out(ErrorCodes.NONE, BigInt(found.timestamp), BigInt(found.offset), found.leaderEpoch);
            } catch (e) {
              return out(e instanceof StorageError ? e.kafkaErrorCode : ErrorCodes.UNKNOWN_SERVER_ERROR);
            }
          }),
        );
        return { name: t.name, partitions };
      }),
    );
    return { throttleTimeMs: 0, topics };
  },
});
