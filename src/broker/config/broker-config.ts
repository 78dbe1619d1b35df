// The broker's effective configuration: Kafka defaults, then server.properties, then --override, then dynamic
// (AlterConfigs) values. Start-up validation happens here: unknown keys produce warnings, invalid values throw.
import { readFile } from 'node:fs/promises';
import {
  BROKER_CONFIG_BY_NAME,
  BROKER_CONFIGS,
  TOPIC_CONFIG_BY_NAME,
  TOPIC_CONFIGS,
  type ConfigDef,
  type TopicConfigDef,
} from './definitions.js';
import { ConfigError, parseProperties, parseValue, type ConfigValue } from './values.js';

export { ConfigError } from './values.js';

/** Where a config value came from; numbers are Kafka's DescribeConfigs ConfigSource codes. */
export const ConfigSource = {
  UNKNOWN: 0,
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  DYNAMIC_BROKER_LOGGER_CONFIG: 6,
  CLIENT_METRICS_CONFIG: 7,
} as const;

export interface Listener {
  name: string;
  host: string;
  port: number;
}

export interface ResolvedValue {
  name: string;
  value: string | null;
  source: number;
}

export class BrokerConfig {
  /** Values from server.properties and --override (STATIC_BROKER_CONFIG). */
  private readonly staticValues = new Map<string, string>();
  /** Values set at runtime with AlterConfigs on the broker (DYNAMIC_BROKER_CONFIG) or the default broker
   * resource (DYNAMIC_DEFAULT_BROKER_CONFIG). */
  readonly dynamicValues = new Map<string, string>();
  readonly dynamicDefaultValues = new Map<string, string>();
  readonly warnings: string[] = [];
  private readonly cache = new Map<string, ConfigValue>();

  /** Builds a config from `key -> raw string` pairs. Throws ConfigError on an invalid value. */
  constructor(values: Iterable<[string, string]> = []) {
    for (const [k, v] of values) {
      const d = BROKER_CONFIG_BY_NAME.get(k);
      if (!d) {
        // Topic-level names are not broker keys; a Kafka broker ignores them with a warning too.
        this.warnings.push(`Unknown configuration '${k}' was supplied but isn't a known config; ignored`);
        continue;
      }
      parseValue(d, v); // validate now, so start-up stops with a clear message
      this.staticValues.set(k, v);
    }
    this.validateCombinations();
  }

  static async fromArgs(propertiesFile: string | undefined, overrides: string[]): Promise<BrokerConfig> {
    const entries: [string, string][] = [];
    if (propertiesFile) {
      let text: string;
      try {
        text = await readFile(propertiesFile, 'utf8');
      } catch (e) {
        throw new ConfigError(`Cannot read configuration file ${propertiesFile}: ${(e as Error).message}`);
      }
      entries.push(...parseProperties(text));
    }
    for (const o of overrides) {
      const eq = o.indexOf('=');
      if (eq <= 0) throw new ConfigError(`Invalid --override '${o}': expected key=value`);
      entries.push([o.slice(0, eq).trim(), o.slice(eq + 1)]);
    }
    return new BrokerConfig(entries);
  }

  private validateCombinations(): void {
    this.listeners(); // throws on malformed listeners
    const served = this.servedListener();
    const protocol = this.securityProtocol(served.name);
    if (protocol !== 'PLAINTEXT') {
      throw new ConfigError(`listener ${served.name} uses ${protocol}; Gregor serves PLAINTEXT listeners only`, 'listeners');
    }
    const others = this.listeners().filter((l) => l.name !== served.name && !this.controllerListenerNames().includes(l.name));
    if (others.length > 0) this.warnings.push(`Only listener ${served.name} is served; ignoring ${others.map((l) => l.name).join(', ')}`);
    const adv = this.raw('advertised.listeners');
    if (adv !== null) parseListeners(adv, 'advertised.listeners');
    if (this.logDirs().length === 0) throw new ConfigError('log.dirs must name at least one directory', 'log.dirs');
    const max = this.int('socket.request.max.bytes');
    if (this.int('message.max.bytes') > max) {
      this.warnings.push('message.max.bytes is larger than socket.request.max.bytes; large batches will be refused');
    }
  }

  /** The effective raw value (string) of a broker key, following dynamic > static > default. */
  raw(name: string): string | null {
    return this.resolve(name).value;
  }

  resolve(name: string): ResolvedValue {
    const d = BROKER_CONFIG_BY_NAME.get(name);
    if (!d) throw new ConfigError(`Unknown broker configuration ${name}`, name);
    const dyn = this.dynamicValues.get(name);
    if (dyn !== undefined) return { name, value: dyn, source: ConfigSource.DYNAMIC_BROKER_CONFIG };
    const dynDefault = this.dynamicDefaultValues.get(name);
    if (dynDefault !== undefined) return { name, value: dynDefault, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG };
    const st = this.staticValues.get(name);
    if (st !== undefined) return { name, value: st, source: ConfigSource.STATIC_BROKER_CONFIG };
    return { name, value: d.default, source: ConfigSource.DEFAULT_CONFIG };
  }

  /** Values explicitly set (not defaults) for `name`, most specific first; DescribeConfigs' synonym list. */
  explicitSources(name: string): ResolvedValue[] {
    const out: ResolvedValue[] = [];
    const dyn = this.dynamicValues.get(name);
    if (dyn !== undefined) out.push({ name, value: dyn, source: ConfigSource.DYNAMIC_BROKER_CONFIG });
    const dd = this.dynamicDefaultValues.get(name);
    if (dd !== undefined) out.push({ name, value: dd, source: ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG });
    const st = this.staticValues.get(name);
    if (st !== undefined) out.push({ name, value: st, source: ConfigSource.STATIC_BROKER_CONFIG });
    return out;
  }

  get(name: string): ConfigValue {
    if (this.cache.has(name)) return this.cache.get(name)!;
    const v = parseValue(BROKER_CONFIG_BY_NAME.get(name)!, this.raw(name));
    this.cache.set(name, v);
    return v;
  }

  int(name: string): number {
    const v = this.get(name);
    if (typeof v !== 'number') throw new ConfigError(`${name} has no value`, name);
    return v;
  }

  bool(name: string): boolean {
    return this.get(name) === true;
  }

  string(name: string): string | null {
    const v = this.get(name);
    return v === null ? null : String(v);
  }

  /** Sets (value) or removes (null) a dynamic broker config; validates like start-up. */
  setDynamic(name: string, value: string | null, perBroker: boolean): void {
    const d = BROKER_CONFIG_BY_NAME.get(name);
    if (!d) throw new ConfigError(`Unknown broker configuration ${name}`, name);
    if (!d.dynamic) throw new ConfigError(`Cannot update these configs dynamically: Set(${name})`, name);
    const target = perBroker ? this.dynamicValues : this.dynamicDefaultValues;
    if (value === null) target.delete(name);
    else {
      parseValue(d, value);
      target.set(name, value);
    }
    this.cache.clear();
  }

  /** Forget parsed values after dynamicValues/dynamicDefaultValues were edited directly. */
  invalidate(): void {
    this.cache.clear();
  }

  // ---- frequently used derived values ----

  brokerId(): number {
    const id = this.int('broker.id');
    if (id >= 0) return id;
    const node = this.int('node.id');
    return node >= 0 ? node : 0;
  }

  logDirs(): string[] {
    const dirs = this.get('log.dirs');
    if (Array.isArray(dirs) && dirs.length > 0) return dirs;
    const one = this.string('log.dir');
    return one ? [one] : [];
  }

  listeners(): Listener[] {
    return parseListeners(this.raw('listeners') ?? 'PLAINTEXT://:9092', 'listeners');
  }

  controllerListenerNames(): string[] {
    return (this.raw('controller.listener.names') ?? '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  }

  /** The listener clients connect to: the first one that is not a KRaft controller listener. */
  servedListener(): Listener {
    const all = this.listeners();
    const controllers = this.controllerListenerNames();
    return all.find((l) => !controllers.includes(l.name)) ?? all[0]!;
  }

  securityProtocol(listenerName: string): string {
    const map = new Map(
      (this.raw('listener.security.protocol.map') ?? '')
        .split(',')
        .map((e) => e.split(':').map((x) => x.trim().toUpperCase()) as [string, string])
        .filter((e) => e.length === 2),
    );
    return map.get(listenerName) ?? listenerName;
  }

  /** What Metadata tells clients; Kafka falls back to the listeners, and a bind-all host to the machine's name. */
  advertisedListeners(boundPort?: number): Listener[] {
    const adv = this.raw('advertised.listeners');
    const list = adv !== null ? parseListeners(adv, 'advertised.listeners') : this.listeners();
    return list.map((l) => ({
      name: l.name,
      host: l.host === '' || l.host === '0.0.0.0' || l.host === '::' ? 'localhost' : l.host,
      port: l.port === 0 && boundPort !== undefined ? boundPort : l.port,
    }));
  }

  /** Kafka's effective retention.ms default: log.retention.ms, else minutes, else hours. */
  retentionMs(): number {
    return this.topicDefault('retention.ms') as number;
  }

  /** The broker-provided default for a topic config (what a topic without an override gets), as a raw string. */
  topicDefaultRaw(topicKey: string): { value: string | null; source: number; synonym?: string } {
    const d = TOPIC_CONFIG_BY_NAME.get(topicKey);
    if (!d) throw new ConfigError(`Unknown topic config ${topicKey}`, topicKey);
    for (const syn of d.synonyms) {
      const r = this.resolve(syn);
      if (r.value === null || r.source === ConfigSource.DEFAULT_CONFIG) continue;
      return { value: convertSynonym(syn, r.value), source: r.source, synonym: syn };
    }
    // Nothing explicit: the first synonym's Kafka default (converted), or the topic default.
    for (const syn of d.synonyms) {
      const dv = BROKER_CONFIG_BY_NAME.get(syn)?.default ?? null;
      if (dv !== null) return { value: convertSynonym(syn, dv), source: ConfigSource.DEFAULT_CONFIG };
    }
    return { value: d.default, source: ConfigSource.DEFAULT_CONFIG };
  }

  topicDefault(topicKey: string): ConfigValue {
    return parseValue(TOPIC_CONFIG_BY_NAME.get(topicKey)!, this.topicDefaultRaw(topicKey).value);
  }
}

/** Converts a broker synonym's value to the unit of the topic config (hours/minutes to ms). */
export function convertSynonym(brokerKey: string, value: string): string {
  if (brokerKey.endsWith('.hours')) return String(Number(value) * 3_600_000);
  if (brokerKey.endsWith('.minutes')) return String(Number(value) * 60_000);
  if (brokerKey === 'log.flush.interval.ms' || brokerKey === 'log.flush.scheduler.interval.ms') return value;
  return value;
}

export function parseListeners(raw: string, key: string): Listener[] {
  const out: Listener[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9_]+):\/\/(\[[^\]]*\]|[^:/]*):(\d+)$/.exec(part);
    if (!m) throw new ConfigError(`Invalid value ${part} for configuration ${key}: expected NAME://host:port`, key);
    const port = Number(m[3]);
    if (port > 65535) throw new ConfigError(`Invalid port ${port} in ${key}`, key);
    out.push({ name: m[1]!.toUpperCase(), host: m[2]!.replace(/^\[|\]$/g, ''), port });
  }
  if (out.length === 0) throw new ConfigError(`${key} must name at least one listener`, key);
  return out;
}

/** Validates a topic config override (CreateTopics / AlterConfigs). Returns an error message or undefined. */
export function validateTopicConfig(name: string, value: string | null): string | undefined {
  const d = TOPIC_CONFIG_BY_NAME.get(name);
  if (!d) return `Unknown topic config name: ${name}`;
  if (value === null) return undefined;
  try {
    parseValue(d, value);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export { BROKER_CONFIGS, TOPIC_CONFIGS, type ConfigDef, type TopicConfigDef };
