// SyncGroup: answered by the group coordinator (src/coordinator).
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { coordinatorContext } from './group-apis.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.SyncGroup,
  minVersion: 0,
  maxVersion: 5,
  handle: (req, ctx) => ctx.broker.coordinator.handleSyncGroup(req, coordinatorContext(ctx)),
});
