// Parsing and validating one config value against its definition. Values are kept as Kafka renders them (strings)
// for DescribeConfigs, and parsed on demand into JS values for the code that uses them.
import type { ConfigDef } from './definitions.js';

export type ConfigValue = number | boolean | string | string[] | null;

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

const INT_RE = /^[+-]?\d+$/;
const DOUBLE_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses `raw` for `def`; throws ConfigError with a message naming the key and the problem. */
export function parseValue(def: ConfigDef, raw: string | null): ConfigValue {
  if (raw === null) return null;
  const v = def.type === 'password' ? raw : raw.trim();
  const fail = (why: string): never => {
    throw new ConfigError(`Invalid value ${JSON.stringify(raw)} for configuration ${def.name}: ${why}`, def.name);
  };
  let parsed: ConfigValue;
  switch (def.type) {
    case 'int':
    case 'short':
    case 'long': {
      if (!INT_RE.test(v)) fail('not a number');
      const n = Number(v);
      if (def.type === 'int' && (n < -2147483648 || n > 2147483647)) fail('out of range for an int');
      if (def.type === 'short' && (n < -32768 || n > 32767)) fail('out of range for a short');
      if (def.type === 'long' && (BigInt(v) < -(2n ** 63n) || BigInt(v) > 2n ** 63n - 1n)) fail('out of range for a long');
      parsed = n;
      break;
    }
    case 'double': {
      if (!DOUBLE_RE.test(v)) fail('not a number');
      parsed = Number(v);
      break;
    }
    case 'boolean': {
      const lower = v.toLowerCase();
      if (lower !== 'true' && lower !== 'false') fail('expected true or false');
      parsed = lower === 'true';
      break;
    }
    case 'list':
      parsed = v === '' ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
      break;
    default:
      parsed = v;
  }
  if (typeof parsed === 'number') {
    if (def.min !== undefined && parsed < def.min) fail(`value must be at least ${def.min}`);
    if (def.max !== undefined && parsed > def.max) fail(`value must be no more than ${def.max}`);
  }
  if (def.choices) {
    const items = Array.isArray(parsed) ? parsed : [String(parsed)];
    for (const item of items) {
      if (!def.choices.includes(item)) fail(`String must be one of: ${def.choices.join(', ')}`);
    }
  }
  return parsed;
}

/** Kafka's properties-file syntax: `key=value` or `key: value` or `key value`, `#`/`!` comments, `\` continuation,
 * the usual escapes. Returns keys in file order. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    // Join continuation lines: an odd number of trailing backslashes continues onto the next line.
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + lines[++i]!.replace(/^\s+/, '');
    }
    let k = 0;
    let key = '';
    while (k < line.length) {
      const c = line[k]!;
      if (c === '\\' && k + 1 < line.length) {
        key += unescapeChar(line[k + 1]!);
        k += 2;
        continue;
      }
      if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
      key += c;
      k++;
    }
    while (k < line.length && /[ \t\f]/.test(line[k]!)) k++;
    if (k < line.length && (line[k] === '=' || line[k] === ':')) k++;
    while (k < line.length && /[ \t\f]/.test(line[k]!)) k++;
    let value = '';
    for (; k < line.length; k++) {
      const c = line[k]!;
      if (c === '\\' && k + 1 < line.length) {
        value += unescapeChar(line[++k]!);
      } else value += c;
    }
    out.set(key, value);
  }
  return out;
}

function unescapeChar(c: string): string {
  switch (c) {
    case 't':
      return '\t';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 'f':
      return '\f';
    default:
      return c;
  }
}
