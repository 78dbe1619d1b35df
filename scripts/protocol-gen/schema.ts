// Loads Kafka's JSON message specs (JSON with // comments) into a typed model the code generator and the
// property tests share. Nothing here knows about TypeScript output.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** An inclusive version range; `hi` is Infinity for open ranges ("3+"); empty when lo > hi ("none"). */
export interface VersionRange {
  lo: number;
  hi: number;
}

export const NO_VERSIONS: VersionRange = { lo: 1, hi: 0 };

export function parseVersions(spec: string | undefined, fallback: VersionRange = NO_VERSIONS): VersionRange {
  if (spec === undefined) return fallback;
  const s = spec.trim();
  if (s === 'none' || s === '') return NO_VERSIONS;
  if (s.endsWith('+')) return { lo: parseInt(s.slice(0, -1), 10), hi: Infinity };
  const dash = s.indexOf('-');
  if (dash > 0) return { lo: parseInt(s.slice(0, dash), 10), hi: parseInt(s.slice(dash + 1), 10) };
  const v = parseInt(s, 10);
  if (Number.isNaN(v)) throw new Error(`bad version spec ${JSON.stringify(spec)}`);
  return { lo: v, hi: v };
}

export function isEmpty(r: VersionRange): boolean {
  return r.lo > r.hi;
}

export function intersect(a: VersionRange, b: VersionRange): VersionRange {
  return { lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) };
}

export function contains(r: VersionRange, v: number): boolean {
  return v >= r.lo && v <= r.hi;
}

/** a covers every version of b. */
export function covers(a: VersionRange, b: VersionRange): boolean {
  return isEmpty(b) || (a.lo <= b.lo && a.hi >= b.hi);
}

export function hull(a: VersionRange, b: VersionRange): VersionRange {
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  return { lo: Math.min(a.lo, b.lo), hi: Math.max(a.hi, b.hi) };
}

export const PRIMITIVE_TYPES = [
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid',
] as const;
export type PrimitiveType = (typeof PRIMITIVE_TYPES)[number];

export function isPrimitive(t: string): t is PrimitiveType {
  return (PRIMITIVE_TYPES as readonly string[]).includes(t);
}

export type FieldType =
  | { kind: 'primitive'; name: PrimitiveType }
  | { kind: 'array'; element: { kind: 'primitive'; name: PrimitiveType } | { kind: 'struct'; name: string } }
  | { kind: 'struct'; name: string };

export interface FieldSpec {
  name: string;
  type: FieldType;
  /** The JSON type text, e.g. "[]TopicProduceData". */
  typeText: string;
  versions: VersionRange;
  nullableVersions: VersionRange;
  /** Field-level override of the message's flexible versions (RequestHeader.ClientId uses "none"). */
  flexibleVersions?: VersionRange;
  tag?: number;
  taggedVersions: VersionRange;
  ignorable: boolean;
  /** Raw JSON default, if any. */
  default?: string | number | boolean | null;
  about?: string;
  /** Inline struct definition (for struct / array-of-struct types). */
  fields?: FieldSpec[];
}

export interface StructSpec {
  name: string;
  versions: VersionRange;
  fields: FieldSpec[];
}

export type MessageKind = 'request' | 'response' | 'header' | 'data' | 'metadata';

export interface MessageSpec {
  /** File the spec came from (base name without .json). */
  file: string;
  name: string;
  kind: MessageKind;
  apiKey?: number;
  validVersions: VersionRange;
  flexibleVersions: VersionRange;
  deprecatedVersions: VersionRange;
  latestVersionUnstable: boolean;
  listeners: string[];
  fields: FieldSpec[];
  commonStructs: StructSpec[];
}

/** Removes // comments (outside string literals) so the text parses as JSON. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (c === '"') {
        inString = false;
      }
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      out += c;
    }
  }
  return out;
}

type Json = { [k: string]: unknown };

function parseType(t: string): FieldType {
  if (t.startsWith('[]')) {
    const el = t.slice(2);
    return { kind: 'array', element: isPrimitive(el) ? { kind: 'primitive', name: el } : { kind: 'struct', name: el } };
  }
  if (isPrimitive(t)) return { kind: 'primitive', name: t };
  return { kind: 'struct', name: t };
}

function parseField(j: Json, ctx: string): FieldSpec {
  const name = j.name as string;
  const typeText = j.type as string;
  const taggedVersions = parseVersions(j.taggedVersions as string | undefined);
  // A few specs give only taggedVersions; the field then exists exactly in those versions.
  const versions = parseVersions(j.versions as string | undefined, taggedVersions);
  if (isEmpty(versions) && j.versions === undefined) throw new Error(`${ctx}.${name}: no versions`);
  const field: FieldSpec = {
    name,
    type: parseType(typeText),
    typeText,
    versions,
    nullableVersions: parseVersions(j.nullableVersions as string | undefined),
    taggedVersions,
    ignorable: j.ignorable === true,
  };
  if (j.flexibleVersions !== undefined) field.flexibleVersions = parseVersions(j.flexibleVersions as string);
  if (j.tag !== undefined) field.tag = typeof j.tag === 'string' ? parseInt(j.tag, 10) : (j.tag as number);
  if ('default' in j) field.default = j.default as string | number | boolean | null;
  if (typeof j.about === 'string') field.about = j.about;
  if (Array.isArray(j.fields)) field.fields = (j.fields as Json[]).map((f) => parseField(f, `${ctx}.${name}`));
  return field;
}

export function parseMessage(text: string, file: string): MessageSpec {
  const j = JSON.parse(stripComments(text)) as Json;
  const name = j.name as string;
  return {
    file,
    name,
    kind: j.type as MessageKind,
    apiKey: typeof j.apiKey === 'number' ? j.apiKey : undefined,
    validVersions: parseVersions(j.validVersions as string),
    flexibleVersions: parseVersions(j.flexibleVersions as string | undefined),
    deprecatedVersions: parseVersions(j.deprecatedVersions as string | undefined),
    latestVersionUnstable: j.latestVersionUnstable === true,
    listeners: Array.isArray(j.listeners) ? (j.listeners as string[]) : [],
    fields: ((j.fields as Json[]) ?? []).map((f) => parseField(f, name)),
    commonStructs: ((j.commonStructs as Json[] | undefined) ?? []).map((s) => ({
      name: s.name as string,
      versions: parseVersions(s.versions as string | undefined, { lo: 0, hi: Infinity }),
      fields: (s.fields as Json[]).map((f) => parseField(f, `${name}.${s.name as string}`)),
    })),
  };
}

/** Every *.json in a directory, parsed, sorted by file name for deterministic output. */
export function loadSpecDir(dir: string): MessageSpec[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => parseMessage(readFileSync(join(dir, f), 'utf8'), f.slice(0, -5)));
}
