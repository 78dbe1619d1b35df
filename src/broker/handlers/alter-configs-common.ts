// Shared by AlterConfigs (replace all overrides) and IncrementalAlterConfigs (per-key set/delete/append/subtract):
// apply a new override map to a topic or to this broker's dynamic configs, validating every key first.
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import { BROKER_CONFIGS, ConfigError } from '../config/broker-config.js';
import type { BrokerServices } from '../context.js';
import { ApiError } from '../topic-manager.js';
import { ResourceType } from './describe-configs.js';

export interface AlterResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

/** Current override map of a resource (topic overrides; broker: dynamic per-broker or cluster-default values). */
export function currentOverrides(b: BrokerServices, type: number, name: string): Record<string, string> {
  if (type === ResourceType.TOPIC) {
    const st = b.topics.get(name);
    if (!st) throw new ApiError(ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${name} does not exist`);
    return { ...st.record.configs };
  }
  if (type === ResourceType.BROKER) {
    if (name !== '' && name !== String(b.brokerId)) throw new ApiError(ErrorCodes.INVALID_REQUEST, `Unexpected broker id ${name}`);
    return Object.fromEntries(name === '' ? b.config.dynamicDefaultValues : b.config.dynamicValues);
  }
  throw new ApiError(ErrorCodes.INVALID_REQUEST, `Unsupported resource type ${type}`);
}

export async function applyOverrides(b: BrokerServices, type: number, name: string, next: Record<string, string>, validateOnly: boolean): Promise<void> {
  if (type === ResourceType.TOPIC) {
    await b.topics.setTopicConfigs(name, next, validateOnly);
    return;
  }
  const perBroker = name !== '';
  const target = perBroker ? b.config.dynamicValues : b.config.dynamicDefaultValues;
  const before = new Map(target);
  try {
    for (const k of Object.keys(next)) {
      if (!BROKER_CONFIGS.some((d) => d.name === k)) throw new ApiError(ErrorCodes.INVALID_CONFIG, `Unknown broker config ${k}`);
    }
    for (const k of [...target.keys()]) if (!(k in next)) b.config.setDynamic(k, null, perBroker);
    for (const [k, v] of Object.entries(next)) b.config.setDynamic(k, v, perBroker);
  } catch (e) {
    restore(b, before, perBroker);
    if (e instanceof ConfigError) throw new ApiError(ErrorCodes.INVALID_CONFIG, e.message);
    throw e;
  }
  if (validateOnly) {
    restore(b, before, perBroker);
    return;
  }
  await b.topics.persistBrokerConfigs(Object.fromEntries(b.config.dynamicValues), Object.fromEntries(b.config.dynamicDefaultValues));
}

function restore(b: BrokerServices, before: Map<string, string>, perBroker: boolean): void {
  const target = perBroker ? b.config.dynamicValues : b.config.dynamicDefaultValues;
  target.clear();
  for (const [k, v] of before) target.set(k, v);
  b.config.invalidate();
}

export function toResult(type: number, name: string, e?: unknown): AlterResult {
  if (e === undefined) return { errorCode: 0, errorMessage: null, resourceType: type, resourceName: name };
  if (e instanceof ApiError) return { errorCode: e.code, errorMessage: e.message, resourceType: type, resourceName: name };
  throw e;
}
