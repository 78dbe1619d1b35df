// AlterConfigs (legacy): replaces ALL overrides of a topic or of this broker's dynamic configs.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { applyOverrides, currentOverrides, toResult } from './alter-configs-common.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.AlterConfigs,
  minVersion: 0,
  maxVersion: 2,
  async handle(req, ctx) {
    const responses = [];
    for (const r of req.resources) {
      try {
        currentOverrides(ctx.broker, r.resourceType, r.resourceName); // existence / type check
        const next: Record<string, string> = {};
        for (const c of r.configs) if (c.value !== null) next[c.name] = c.value;
        await applyOverrides(ctx.broker, r.resourceType, r.resourceName, next, req.validateOnly);
        responses.push(toResult(r.resourceType, r.resourceName));
      } catch (e) {
        responses.push(toResult(r.resourceType, r.resourceName, e));
      }
    }
    return { throttleTimeMs: 0, responses };
  },
});
