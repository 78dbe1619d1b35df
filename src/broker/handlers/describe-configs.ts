// DescribeConfigs for topics and this broker: every config with its effective value, source (topic override,
// dynamic broker, static server.properties, Kafka default), read-only flag, type and, on request, the synonyms
// that explain where a value comes from (e.g. retention.ms <- log.retention.hours=1 in server.properties).
import { ApiKeys } from '../../protocol/generated/api-keys.js';
import { ErrorCodes } from '../../protocol/generated/error-codes.js';
import type {
  DescribeConfigsResponseDescribeConfigsResourceResult,
  DescribeConfigsResponseDescribeConfigsResult,
  DescribeConfigsResponseDescribeConfigsSynonym,
} from '../../protocol/generated/messages/describe-configs-response.js';
import { BROKER_CONFIGS, ConfigSource, TOPIC_CONFIGS, type ConfigDef } from '../config/broker-config.js';
import type { BrokerServices } from '../context.js';
import { defineHandler } from './registry.js';

export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

const CONFIG_TYPE: Record<ConfigDef['type'], number> = { boolean: 1, string: 2, int: 3, short: 4, long: 5, double: 6, list: 7, class: 8, password: 9 };

type Entry = DescribeConfigsResponseDescribeConfigsResourceResult;

function brokerSynonyms(b: BrokerServices, names: readonly string[]): DescribeConfigsResponseDescribeConfigsSynonym[] {
  const out: DescribeConfigsResponseDescribeConfigsSynonym[] = [];
  for (const n of names) for (const r of b.config.explicitSources(n)) out.push({ name: r.name, value: r.value, source: r.source });
  for (const n of names) {
    const d = BROKER_CONFIGS.find((x) => x.name === n);
    if (d && d.default !== null) {
      out.push({ name: n, value: d.default, source: ConfigSource.DEFAULT_CONFIG });
      break;
    }
  }
  return out;
}

/** Entries for a topic with these overrides; `keys` null = all. */
export function describeTopicConfigs(b: BrokerServices, _topic: string, overrides: Record<string, string>, keys: string[] | null, includeSynonyms: boolean): Entry[] {
  const out: Entry[] = [];
  for (const d of TOPIC_CONFIGS) {
    if (keys && !keys.includes(d.name)) continue;
    const override = overrides[d.name];
    let value: string | null;
    let source: number;
    if (override !== undefined) {
      value = override;
      source = ConfigSource.DYNAMIC_TOPIC_CONFIG;
    } else {
      const r = b.config.topicDefaultRaw(d.name);
      value = r.value;
      source = r.source;
    }
    const synonyms: DescribeConfigsResponseDescribeConfigsSynonym[] = [];
    if (includeSynonyms) {
      if (override !== undefined) synonyms.push({ name: d.name, value: override, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
      synonyms.push(...brokerSynonyms(b, d.synonyms));
    }
    out.push({
      name: d.name,
      value,
      readOnly: false,
      isDefault: source === ConfigSource.DEFAULT_CONFIG,
      configSource: source,
      isSensitive: false,
      synonyms,
      configType: CONFIG_TYPE[d.type],
      documentation: null,
    });
  }
  return out;
}

export function describeBrokerConfigs(b: BrokerServices, keys: string[] | null, includeSynonyms: boolean, defaultsOnly: boolean): Entry[] {
  const out: Entry[] = [];
  for (const d of BROKER_CONFIGS) {
    if (keys && !keys.includes(d.name)) continue;
    const r = b.config.resolve(d.name);
    if (defaultsOnly && r.source !== ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG) continue;
    out.push({
      name: d.name,
      value: d.sensitive ? null : r.value,
      readOnly: !d.dynamic,
      isDefault: r.source === ConfigSource.DEFAULT_CONFIG,
      configSource: r.source,
      isSensitive: d.sensitive === true,
      synonyms: includeSynonyms ? brokerSynonyms(b, [d.name]) : [],
      configType: CONFIG_TYPE[d.type],
      documentation: null,
    });
  }
  return out;
}

export default defineHandler({
  apiKey: ApiKeys.DescribeConfigs,
  minVersion: 0,
  maxVersion: 4,
  handle(req, ctx) {
    const b = ctx.broker;
    const includeSynonyms = ctx.apiVersion >= 1 && req.includeSynonyms === true;
    const results: DescribeConfigsResponseDescribeConfigsResult[] = req.resources.map((res) => describeResource(res));
    // isDefault exists only in v0 (later versions say configSource) and the encoder refuses a non-default value.
    if (ctx.apiVersion > 0) for (const r of results) for (const c of r.configs) c.isDefault = false;
    return { throttleTimeMs: 0, results };

    function describeResource(res: (typeof req.resources)[number]): DescribeConfigsResponseDescribeConfigsResult {
      const base = { resourceType: res.resourceType, resourceName: res.resourceName };
      if (res.resourceType === ResourceType.TOPIC) {
        const st = b.topics.get(res.resourceName);
        if (!st) return { ...base, errorCode: ErrorCodes.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${res.resourceName} does not exist`, configs: [] };
        return { ...base, errorCode: 0, errorMessage: null, configs: describeTopicConfigs(b, res.resourceName, st.record.configs, res.configurationKeys, includeSynonyms) };
      }
      if (res.resourceType === ResourceType.BROKER) {
        if (res.resourceName !== '' && res.resourceName !== String(b.brokerId)) {
          return { ...base, errorCode: ErrorCodes.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${b.brokerId} or empty string, but received ${res.resourceName}`, configs: [] };
        }
        return { ...base, errorCode: 0, errorMessage: null, configs: describeBrokerConfigs(b, res.configurationKeys, includeSynonyms, res.resourceName === '') };
      }
      if (res.resourceType === ResourceType.BROKER_LOGGER) {
        return { ...base, errorCode: 0, errorMessage: null, configs: [{ name: 'root', value: b.log.level === 'silent' ? 'OFF' : b.log.level.toUpperCase(), readOnly: false, isDefault: false, configSource: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG, isSensitive: false, synonyms: [], configType: 2, documentation: null }] };
      }
      return { ...base, errorCode: ErrorCodes.INVALID_REQUEST, errorMessage: `Unsupported resource type ${res.resourceType}`, configs: [] };
    }
  },
});
