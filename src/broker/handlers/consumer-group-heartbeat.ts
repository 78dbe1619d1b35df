// ConsumerGroupHeartbeat (KIP-848 consumer group protocol, v0): answered by the group coordinator (src/coordinator).
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { coordinatorContext } from './group-apis.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.ConsumerGroupHeartbeat,
  minVersion: 0,
  maxVersion: 0,
  handle: (req, ctx) => ctx.broker.coordinator.handleConsumerGroupHeartbeat(req, coordinatorContext(ctx)),
});
