// ListGroups: answered by the group coordinator (src/coordinator).
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { coordinatorContext } from './group-apis.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.ListGroups,
  minVersion: 0,
  maxVersion: 5,
  handle: (req, ctx) => ctx.broker.coordinator.handleListGroups(req, coordinatorContext(ctx)),
});
