// OffsetFetch: answered by the group coordinator (src/coordinator).
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { coordinatorContext } from './group-apis.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.OffsetFetch,
  minVersion: 0,
  maxVersion: 9,
  handle: (req, ctx) => ctx.broker.coordinator.handleOffsetFetch(req, coordinatorContext(ctx)),
});
