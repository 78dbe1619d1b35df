// Client configuration: ONE table of Kafka's property names. Each entry's camelCase option name is derived from the
// dotted name mechanically ('max.in.flight.requests.per.connection' -> 'maxInFlightRequestsPerConnection'), so the
// typed options and a Java-style .properties file are the same configuration, not two parallel systems.
// Defaults are the Java client's (3.x), except partition.assignment.strategy which defaults to 'range' as the seeds
// teach.
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors.js';

export type Role = 'common' | 'producer' | 'consumer' | 'admin';
type Kind = 'string' | 'int' | 'bool' | 'list' | 'object' | 'enum';

interface Def {
  name: string;
  kind: Kind;
  role: Role;
  default: unknown;
  values?: readonly string[];
  min?: number;
}

const I32_MAX = 2147483647;

const DEFS: Def[] = [
  // common
  { name: 'bootstrap.servers', kind: 'list', role: 'common', default: [] },
  { name: 'client.id', kind: 'string', role: 'common', default: 'gregor' },
  { name: 'request.timeout.ms', kind: 'int', role: 'common', default: 30000, min: 0 },
  { name: 'retry.backoff.ms', kind: 'int', role: 'common', default: 100, min: 0 },
  { name: 'retry.backoff.max.ms', kind: 'int', role: 'common', default: 1000, min: 0 },
  { name: 'reconnect.backoff.ms', kind: 'int', role: 'common', default: 50, min: 0 },
  { name: 'reconnect.backoff.max.ms', kind: 'int', role: 'common', default: 1000, min: 0 },
  { name: 'socket.connection.setup.timeout.ms', kind: 'int', role: 'common', default: 10000, min: 0 },
  { name: 'metadata.max.age.ms', kind: 'int', role: 'common', default: 300000, min: 0 },
  { name: 'connections.max.idle.ms', kind: 'int', role: 'common', default: 540000 },
  { name: 'default.api.timeout.ms', kind: 'int', role: 'common', default: 60000, min: 0 },
  { name: 'security.protocol', kind: 'enum', role: 'common', default: 'PLAINTEXT', values: ['PLAINTEXT'] },
  { name: 'client.rack', kind: 'string', role: 'common', default: '' },
  { name: 'interceptor.classes', kind: 'list', role: 'common', default: [] },
  // producer
  { name: 'acks', kind: 'enum', role: 'producer', default: 'all', values: ['all', '-1', '0', '1'] },
  { name: 'retries', kind: 'int', role: 'producer', default: I32_MAX, min: 0 },
  { name: 'batch.size', kind: 'int', role: 'producer', default: 16384, min: 0 },
  { name: 'linger.ms', kind: 'int', role: 'producer', default: 0, min: 0 },
  { name: 'buffer.memory', kind: 'int', role: 'producer', default: 33554432, min: 0 },
  { name: 'max.block.ms', kind: 'int', role: 'producer', default: 60000, min: 0 },
  { name: 'max.request.size', kind: 'int', role: 'producer', default: 1048576, min: 0 },
  { name: 'delivery.timeout.ms', kind: 'int', role: 'producer', default: 120000, min: 0 },
  { name: 'max.in.flight.requests.per.connection', kind: 'int', role: 'producer', default: 5, min: 1 },
  { name: 'enable.idempotence', kind: 'bool', role: 'producer', default: true },
  { name: 'compression.type', kind: 'enum', role: 'producer', default: 'none', values: ['none', 'gzip', 'snappy', 'lz4', 'zstd'] },
  { name: 'transactional.id', kind: 'string', role: 'producer', default: null },
  { name: 'transaction.timeout.ms', kind: 'int', role: 'producer', default: 60000, min: 1 },
  { name: 'partitioner.class', kind: 'object', role: 'producer', default: null },
  { name: 'partitioner.ignore.keys', kind: 'bool', role: 'producer', default: false },
  { name: 'key.serializer', kind: 'object', role: 'producer', default: null },
  { name: 'value.serializer', kind: 'object', role: 'producer', default: null },
  // consumer
  { name: 'group.id', kind: 'string', role: 'consumer', default: null },
  { name: 'group.instance.id', kind: 'string', role: 'consumer', default: null },
  { name: 'enable.auto.commit', kind: 'bool', role: 'consumer', default: true },
  { name: 'auto.commit.interval.ms', kind: 'int', role: 'consumer', default: 5000, min: 0 },
  { name: 'auto.offset.reset', kind: 'enum', role: 'consumer', default: 'latest', values: ['latest', 'earliest', 'none'] },
  { name: 'fetch.min.bytes', kind: 'int', role: 'consumer', default: 1, min: 0 },
  { name: 'fetch.max.bytes', kind: 'int', role: 'consumer', default: 52428800, min: 0 },
  { name: 'fetch.max.wait.ms', kind: 'int', role: 'consumer', default: 500, min: 0 },
  { name: 'max.partition.fetch.bytes', kind: 'int', role: 'consumer', default: 1048576, min: 0 },
  { name: 'max.poll.records', kind: 'int', role: 'consumer', default: 500, min: 1 },
  { name: 'max.poll.interval.ms', kind: 'int', role: 'consumer', default: 300000, min: 1 },
  { name: 'session.timeout.ms', kind: 'int', role: 'consumer', default: 45000, min: 1 },
  { name: 'heartbeat.interval.ms', kind: 'int', role: 'consumer', default: 3000, min: 1 },
  { name: 'isolation.level', kind: 'enum', role: 'consumer', default: 'read_uncommitted', values: ['read_uncommitted', 'read_committed'] },
  { name: 'partition.assignment.strategy', kind: 'list', role: 'consumer', default: ['range'] },
  { name: 'check.crcs', kind: 'bool', role: 'consumer', default: true },
  { name: 'allow.auto.create.topics', kind: 'bool', role: 'consumer', default: true },
  { name: 'exclude.internal.topics', kind: 'bool', role: 'consumer', default: true },
  { name: 'key.deserializer', kind: 'object', role: 'consumer', default: null },
  { name: 'value.deserializer', kind: 'object', role: 'consumer', default: null },
];

/** 'max.in.flight.requests.per.connection' -> 'maxInFlightRequestsPerConnection'. */
export function camelName(dotted: string): string {
  return dotted.replace(/\.([a-z])/g, (_m, c: string) => c.toUpperCase());
}

const BY_NAME = new Map<string, Def>();
for (const d of DEFS) {
  BY_NAME.set(d.name, d);
  BY_NAME.set(camelName(d.name), d);
}

/** Every property name the client knows, for documentation and the CLI's --help. */
export function knownProperties(role?: Role): { name: string; option: string; default: unknown; role: Role }[] {
  return DEFS.filter((d) => !role || d.role === role || d.role === 'common').map((d) => ({
    name: d.name,
    option: camelName(d.name),
    default: d.default,
    role: d.role,
  }));
}

/** Input accepted by every client constructor: typed options, dotted names, or both. */
export type RawConfig = { [key: string]: unknown };

/** The normalized configuration: dotted name -> typed value (number, boolean, string, string[] or object). */
export class ResolvedConfig {
  private readonly values = new Map<string, unknown>();
  constructor(role: Role, input: RawConfig) {
    for (const d of DEFS) if (d.role === 'common' || d.role === role) this.values.set(d.name, d.default);
    for (const [key, raw] of Object.entries(input)) {
      if (raw === undefined) continue;
      const def = BY_NAME.get(key);
      if (!def) continue; // unknown properties are ignored with no error, as the Java client only logs them
      if (def.role !== 'common' && def.role !== role) continue;
      this.values.set(def.name, coerce(def, raw));
    }
  }
  get(name: string): unknown {
    return this.values.get(name);
  }
  int(name: string): number {
    return this.values.get(name) as number;
  }
  bool(name: string): boolean {
    return this.values.get(name) as boolean;
  }
  str(name: string): string {
    return this.values.get(name) as string;
  }
  strOrNull(name: string): string | null {
    const v = this.values.get(name);
    return v === null || v === undefined || v === '' ? null : (v as string);
  }
  list(name: string): string[] {
    return this.values.get(name) as string[];
  }
}

function coerce(def: Def, raw: unknown): unknown {
  switch (def.kind) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : NaN;
      if (!Number.isInteger(n)) throw new ConfigError(`${def.name}: expected an integer, got ${String(raw)}`);
      if (def.min !== undefined && n < def.min) throw new ConfigError(`${def.name}: must be >= ${def.min}, got ${n}`);
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).trim().toLowerCase();
      if (s === 'true') return true;
      if (s === 'false') return false;
      throw new ConfigError(`${def.name}: expected true or false, got ${String(raw)}`);
    }
    case 'enum': {
      const s = String(raw).trim().toLowerCase();
      const v = def.name === 'security.protocol' ? s.toUpperCase() : s;
      if (!def.values!.includes(v)) throw new ConfigError(`${def.name}: expected one of ${def.values!.join(', ')}, got ${String(raw)}`);
      return v;
    }
    case 'list': {
      if (Array.isArray(raw)) return raw.map((x) => (typeof x === 'string' ? x.trim() : x));
      return String(raw)
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    }
    case 'string':
      return raw === null ? null : String(raw);
    case 'object':
      return raw;
  }
}

/**
 * Parses Java .properties text: `key=value`, `key:value` or `key value`; `#`/`!` comments; backslash line
 * continuation; \t \n \r \f \uXXXX escapes.
 */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // continuation: an odd number of trailing backslashes joins the next line (its leading whitespace dropped)
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^[ \t\f]+/, '');
    }
    let k = 0;
    let key = '';
    while (k < line.length) {
      const c = line[k]!;
      if (c === '\\' && k + 1 < line.length) {
        key += c + line[k + 1];
        k += 2;
        continue;
      }
      if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      key += c;
      k++;
    }
    // separator: optional whitespace, optional one '=' or ':', optional whitespace
    while (k < line.length && (line[k] === ' ' || line[k] === '\t' || line[k] === '\f')) k++;
    if (k < line.length && (line[k] === '=' || line[k] === ':')) k++;
    while (k < line.length && (line[k] === ' ' || line[k] === '\t' || line[k] === '\f')) k++;
    out[unescape(key)] = unescape(line.slice(k));
  }
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : e === 'f' ? '\f' : e;
  });
}

/** Loads a Java-style .properties file (e.g. the seeds' newProducer.properties) into a config object. */
export function loadProperties(path: string): Record<string, string> {
  return parseProperties(readFileSync(path, 'utf8'));
}

/** bootstrap.servers entries -> host/port pairs (default port 9092; [v6]:port accepted). */
export function parseBootstrap(servers: string[]): { host: string; port: number }[] {
  if (servers.length === 0) throw new ConfigError('bootstrap.servers is required');
  return servers.map((s) => {
    const str = s.replace(/^[a-zA-Z]+:\/\//, '');
    const m6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(str);
    if (m6) return { host: m6[1]!, port: m6[2] ? Number(m6[2]) : 9092 };
    const idx = str.lastIndexOf(':');
    if (idx < 0) return { host: str, port: 9092 };
    const port = Number(str.slice(idx + 1));
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new ConfigError(`bootstrap.servers: bad port in ${s}`);
    return { host: str.slice(0, idx), port };
  });
}
