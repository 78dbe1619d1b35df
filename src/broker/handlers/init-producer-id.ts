// InitProducerId for idempotent producers (no transactional id): a fresh producer id with epoch 0. A producer that
// re-initialises with its current id and epoch (KIP-360, v3+) gets the epoch bumped. Transactional ids need the
// transaction coordinator, which this broker does not run yet; they are refused with
// TRANSACTIONAL_ID_AUTHORIZATION_FAILED (a clear, non-retriable answer) rather than left to time out.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.InitProducerId,
  minVersion: 0,
  maxVersion: 5,
  async handle(req, ctx) {
    if (req.transactionalId !== null && req.transactionalId !== '') {
      return { throttleTimeMs: 0, errorCode: ErrorCodes.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
    }
    const pid = req.producerId ?? -1n;
    const epoch = req.producerEpoch ?? -1;
    if (pid >= 0n && epoch >= 0 && epoch < 32766) {
      return { throttleTimeMs: 0, errorCode: ErrorCodes.NONE, producerId: pid, producerEpoch: epoch + 1 };
    }
    const id = await ctx.broker.producerIds.nextId();
    return { throttleTimeMs: 0, errorCode: ErrorCodes.NONE, producerId: BigInt(id), producerEpoch: 0 };
  },
});
