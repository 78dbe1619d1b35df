// IncrementalAlterConfigs: SET (0), DELETE (1), APPEND (2) and SUBTRACT (3, list configs) per key.
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import { TOPIC_CONFIGS, BROKER_CONFIGS } from '../config/broker-config.js';
import { ApiError } from '../topic-manager.js';
import { applyOverrides, currentOverrides, toResult } from './alter-configs-common.js';
import { ResourceType } from './describe-configs.js';
import { defineHandler } from './registry.js';

export default defineHandler({
  apiKey: ApiKeys.IncrementalAlterConfigs,
  minVersion: 0,
  maxVersion: 1,
  async handle(req, ctx) {
    const b = ctx.broker;
    const responses = [];
    for (const r of req.resources) {
      try {
        if (r.resourceType === ResourceType.BROKER_LOGGER) {
          alterLogLevels(ctx.broker, r.configs, req.validateOnly);
          responses.push(toResult(r.resourceType, r.resourceName));
          continue;
        }
        const next = currentOverrides(b, r.resourceType, r.resourceName);
        const seen = new Set<string>();
        for (const c of r.configs) {
          if (seen.has(c.name)) throw new ApiError(ErrorCodes.INVALID_REQUEST, `Duplicate config ${c.name} in request`);
          seen.add(c.name);
          const defs = r.resourceType === ResourceType.TOPIC ? TOPIC_CONFIGS : BROKER_CONFIGS;
          const def = defs.find((d) => d.name === c.name);
          if (!def) throw new ApiError(ErrorCodes.INVALID_CONFIG, `Unknown config name: ${c.name}`);
          const effective = (): string[] => {
            const cur = next[c.name] ?? (r.resourceType === ResourceType.TOPIC ? b.config.topicDefaultRaw(c.name).value : b.config.raw(c.name)) ?? '';
            return cur.split(',').map((s) => s.trim()).filter(Boolean);
          };
          switch (c.configOperation) {
            case 0:
              if (c.value === null) throw new ApiError(ErrorCodes.INVALID_REQUEST, `Null value not supported for SET of ${c.name}`);
              next[c.name] = c.value;
              break;
            case 1:
              delete next[c.name];
              break;
            case 2:
            case 3: {
              if (def.type !== 'list') throw new ApiError(ErrorCodes.INVALID_CONFIG, `Config value append/subtract is not allowed for config key ${c.name}`);
              const items = (c.value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
              const cur = effective();
              next[c.name] = (c.configOperation === 2 ? [...cur, ...items.filter((i) => !cur.includes(i))] : cur.filter((i) => !items.includes(i))).join(',');
              break;
            }
            default:
              throw new ApiError(ErrorCodes.INVALID_REQUEST, `Unknown config operation ${c.configOperation}`);
          }
        }
        await applyOverrides(b, r.resourceType, r.resourceName, next, req.validateOnly);
        responses.push(toResult(r.resourceType, r.resourceName));
      } catch (e) {
        responses.push(toResult(r.resourceType, r.resourceName, e));
      }
    }
    return { throttleTimeMs: 0, responses };
  },
});

const LEVELS: Record<string, string> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error', FATAL: 'fatal', OFF: 'silent' };

/** kafka-configs --entity-type broker-loggers: Gregor has one logger tree, so every logger name sets the root level. */
function alterLogLevels(b: { log: { level: string } }, configs: { name: string; configOperation: number; value: string | null }[], validateOnly: boolean): void {
  let level: string | undefined;
  for (const c of configs) {
    if (c.configOperation === 1) level = 'info';
    else if (c.configOperation === 0) {
      const l = LEVELS[(c.value ?? '').toUpperCase()];
      if (!l) throw new ApiError(ErrorCodes.INVALID_CONFIG, `Cannot set the log level of ${c.name} to ${c.value}: use one of ${Object.keys(LEVELS).join(', ')}`);
      level = l;
    } else throw new ApiError(ErrorCodes.INVALID_REQUEST, `Operation ${c.configOperation} is not supported for broker loggers`);
  }
  if (level && !validateOnly) b.log.level = level;
}
