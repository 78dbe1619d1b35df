// FindCoordinator: answered by the group coordinator (src/coordinator).
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { coordinatorContext } from './group-apis.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.FindCoordinator,
  minVersion: 0,
  maxVersion: 6,
  handle: (req, ctx) => ctx.broker.coordinator.handleFindCoordinator(req, coordinatorContext(ctx)),
});
