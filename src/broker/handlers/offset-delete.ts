// OffsetDelete: answered by the group coordinator (src/coordinator).
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { coordinatorContext } from './group-apis.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.OffsetDelete,
  minVersion: 0,
  maxVersion: 0,
  handle: (req, ctx) => ctx.broker.coordinator.handleOffsetDelete(req, coordinatorContext(ctx)),
});
