// Resolves a parsed MessageSpec into the structs the generator emits: each struct gets its TypeScript name,
// the range of versions in which it can occur (its "domain"), and per-field facts (where the field is
// present, tagged, nullable, flexible; its TS type and default). Shared by the generator and the tests.

import {
  type FieldSpec,
  type MessageSpec,
  type PrimitiveType,
  type VersionRange,
  covers,
  hull,
  intersect,
  isEmpty,
  NO_VERSIONS,
} from './schema.js';

export interface FieldModel {
  spec: FieldSpec;
  /** Property name in the TS interface (JSON name with the first letter lower-cased). */
  prop: string;
  /** Local variable name in generated functions (prop, renamed if it would clash). */
  local: string;
  /** Versions (within the struct's domain) in which the field is a regular, positional field. */
  present: VersionRange;
  /** Versions in which the field is a tagged field (empty if never). */
  tagged: VersionRange;
  /** Versions in which the value may be null. */
  nullable: VersionRange;
  /** Versions in which the field uses the compact (flexible) encodings. */
  flexible: VersionRange;
  /** True when the TS type includes null (nullable in at least one version where the field exists). */
  typeNullable: boolean;
  /** Optional in the interface: has a default, is tagged, or is absent in some version of the domain. */
  optional: boolean;
  /** The struct a struct / array-of-struct field refers to. */
  struct?: StructModel;
  /** The element / value primitive type for primitive and array-of-primitive fields. */
  primitive?: PrimitiveType;
  isArray: boolean;
  /** The default value: JS source text, and a parsed form for tests. */
  defaultSource: string;
  defaultIsNull: boolean;
}

export interface StructModel {
  /** Name as in the JSON spec ("TopicProduceData"), or the message name for the top level. */
  specName: string;
  /** TypeScript interface name: <Message><Struct> (or <Message> for the top level). */
  tsName: string;
  isTop: boolean;
  domain: VersionRange;
  fields: FieldModel[];
  /** Versions in which the struct has a tagged-field section. */
  flexible: VersionRange;
  /** Fewest bytes one encoding can take, non-flexible / flexible (used to bound array counts). */
  minSize: { classic: number; compact: number };
}

export interface MessageModel {
  spec: MessageSpec;
  top: StructModel;
  /** Every struct, top level first, then in order of first appearance. */
  structs: StructModel[];
}

const RESERVED = new Set([
  'r', 'w', 'v', 'version', 'flexible', 'unknown', 'out', 'n', 'i', 'arr', 'el', 'tag', 'size', 'fieldEnd',
  'numTagged', 'u', 'mark', 'sorted', 'start',
  // JS / TS reserved words that could appear as field names
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum',
  'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null',
  'return', 'super', 'switch', 'this', 'throw', 'true', 'try', 'typeof', 'var', 'void', 'while', 'with', 'yield',
  'let', 'static', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'await', 'arguments',
  'eval', 'undefined', 'NaN', 'Infinity', 'Buffer', 'Reader', 'Writer',
]);

export function lowerFirst(s: string): string {
  return s.length === 0 ? s : s[0]!.toLowerCase() + s.slice(1);
}

const MAX = Infinity;

export function buildMessageModel(spec: MessageSpec): MessageModel {
  // 1. Collect struct definitions: inline ones (fields carrying "fields") and commonStructs.
  const defs = new Map<string, FieldSpec[]>();
  const order: string[] = [];
  const define = (name: string, fields: FieldSpec[], where: string): void => {
    const prev = defs.get(name);
    if (prev !== undefined) {
      if (JSON.stringify(prev) !== JSON.stringify(fields)) {
        throw new Error(`${spec.name}: struct ${name} defined twice with different fields (${where})`);
      }
      return;
    }
    defs.set(name, fields);
    order.push(name);
  };
  const collect = (fields: FieldSpec[]): void => {
    for (const f of fields) {
      if (f.fields !== undefined && f.type.kind !== 'primitive') {
        const sname = f.type.kind === 'array' ? (f.type.element.kind === 'struct' ? f.type.element.name : '') : f.type.name;
        if (sname === '') throw new Error(`${spec.name}.${f.name}: fields on a primitive array`);
        define(sname, f.fields, f.name);
        collect(f.fields);
      }
    }
  };
  collect(spec.fields);
  for (const cs of spec.commonStructs) {
    define(cs.name, cs.fields, 'commonStructs');
    collect(cs.fields);
  }

  // 2. Domains: the versions in which each struct can occur, propagated from the top level.
  const domains = new Map<string, VersionRange>();
  const TOP = '\u0000top';
  defs.set(TOP, spec.fields);
  const visit = (name: string, domain: VersionRange): void => {
    if (isEmpty(domain)) return;
    const old = domains.get(name) ?? NO_VERSIONS;
    const next = hull(old, domain);
    if (next.lo === old.lo && next.hi === old.hi) return;
    domains.set(name, next);
    for (const f of defs.get(name)!) {
      const child = structNameOf(f);
      if (child === undefined) continue;
      if (!defs.has(child)) throw new Error(`${spec.name}.${f.name}: unknown struct type ${child}`);
      visit(child, intersect(f.versions, next));
    }
  };
  visit(TOP, spec.validVersions);

  // 3. Struct models (fields filled in a second pass so references resolve).
  const models = new Map<string, StructModel>();
  const mk = (name: string, isTop: boolean): StructModel => {
    const domain = domains.get(name) ?? NO_VERSIONS;
    return {
      specName: isTop ? spec.name : name,
      tsName: isTop ? spec.name : spec.name + name,
      isTop,
      domain,
      fields: [],
      flexible: intersect(spec.flexibleVersions, domain),
      minSize: { classic: 0, compact: 0 },
    };
  };
  models.set(TOP, mk(TOP, true));
  for (const name of order) if (domains.has(name)) models.set(name, mk(name, false));

  for (const [name, model] of models) {
    const used = new Set<string>();
    model.fields = defs.get(name)!.map((f) => fieldModel(spec, f, model, models, used));
  }
  // Min sizes bottom-up (structs are not recursive, so a memoised recursion terminates).
  const done = new Set<StructModel>();
  const minOf = (s: StructModel): void => {
    if (done.has(s)) return;
    for (const f of s.fields) if (f.struct !== undefined) minOf(f.struct);
    s.minSize = {
      classic: s.fields.reduce((a, f) => a + fieldMinSize(f, s, false), 0),
      compact: s.fields.reduce((a, f) => a + fieldMinSize(f, s, true), 0) + 1,
    };
    done.add(s);
  };
  for (const s of models.values()) minOf(s);

  const structs = [models.get(TOP)!, ...order.filter((n) => models.has(n)).map((n) => models.get(n)!)];
  return { spec, top: models.get(TOP)!, structs };
}

function structNameOf(f: FieldSpec): string | undefined {
  if (f.type.kind === 'struct') return f.type.name;
  if (f.type.kind === 'array' && f.type.element.kind === 'struct') return f.type.element.name;
  return undefined;
}

function fieldModel(
  spec: MessageSpec,
  f: FieldSpec,
  owner: StructModel,
  models: Map<string, StructModel>,
  used: Set<string>,
): FieldModel {
  const where = `${spec.name}.${owner.specName === spec.name ? '' : owner.specName + '.'}${f.name}`;
  const inDomain = intersect(f.versions, owner.domain);
  let present = inDomain;
  let tagged = NO_VERSIONS;
  if (f.tag !== undefined) {
    tagged = intersect(f.taggedVersions, inDomain);
    if (!covers(f.taggedVersions, inDomain)) throw new Error(`${where}: versions outside taggedVersions are not supported`);
    present = NO_VERSIONS;
    if (!covers(spec.flexibleVersions, tagged)) throw new Error(`${where}: tagged in a non-flexible version`);
  }
  const nullable = intersect(f.nullableVersions, inDomain);
  const flexible = intersect(f.flexibleVersions ?? spec.flexibleVersions, inDomain);
  const prop = lowerFirst(f.name);
  let local = RESERVED.has(prop) ? prop + '_' : prop;
  while (used.has(local)) local += '_';
  used.add(local);

  const sname = structNameOf(f);
  const struct = sname === undefined ? undefined : models.get(sname);
  if (sname !== undefined && struct === undefined && !isEmpty(inDomain)) {
    throw new Error(`${where}: struct ${sname} has no versions`);
  }
  const primitive =
    f.type.kind === 'primitive' ? f.type.name : f.type.kind === 'array' && f.type.element.kind === 'primitive' ? f.type.element.name : undefined;
  const isArray = f.type.kind === 'array';
  let typeNullable = !isEmpty(nullable) || (primitive === 'records' && !isArray);
  if (primitive === 'uuid' && !isArray && typeNullable) typeNullable = false; // uuid is never null on the wire

  const { source, isNull } = defaultFor(f, struct, typeNullable, where);
  const optional = f.default !== undefined || f.tag !== undefined || !covers(f.versions, owner.domain);
  return {
    spec: f,
    prop,
    local,
    present,
    tagged,
    nullable: typeNullable ? nullable : NO_VERSIONS,
    flexible,
    typeNullable,
    optional,
    struct: struct ?? undefined,
    primitive,
    isArray,
    defaultSource: source,
    defaultIsNull: isNull,
  };
}

function parseIntDefault(d: string | number, where: string): number {
  if (typeof d === 'number') return d;
  const s = d.trim();
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  const v = /^0x/i.test(body) ? parseInt(body.slice(2), 16) : /^0[0-7]+$/.test(body) ? parseInt(body, 8) : Number(body);
  if (!Number.isFinite(v)) throw new Error(`${where}: bad integer default ${JSON.stringify(d)}`);
  return neg ? -v : v;
}

function defaultFor(
  f: FieldSpec,
  struct: StructModel | undefined,
  typeNullable: boolean,
  where: string,
): { source: string; isNull: boolean } {
  const d = f.default;
  const wantsNull = d === null || d === 'null';
  if (wantsNull && typeNullable) return { source: 'null', isNull: true };
  if (f.type.kind === 'array') return { source: '[]', isNull: false };
  if (f.type.kind === 'struct') return { source: `default${struct?.tsName ?? 'Missing'}()`, isNull: false };
  const t = f.type.name;
  switch (t) {
    case 'bool':
      return { source: String(d === true || d === 'true'), isNull: false };
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
      return { source: String(d === undefined || wantsNull ? 0 : parseIntDefault(d as string | number, where)), isNull: false };
    case 'int64': {
      if (d === undefined || wantsNull) return { source: '0n', isNull: false };
      const s = String(d).trim();
      const neg = s.startsWith('-');
      const v = BigInt(neg ? s.slice(1) : s);
      return { source: `${neg ? '-' : ''}${v}n`, isNull: false };
    }
    case 'float64':
      return { source: d === undefined || wantsNull ? '0' : String(Number(d)), isNull: false };
    case 'string':
      return { source: JSON.stringify(d === undefined || wantsNull ? '' : String(d)), isNull: false };
    case 'bytes':
      return { source: 'EMPTY_BUFFER', isNull: false };
    case 'records':
      return { source: 'null', isNull: true };
    case 'uuid':
      if (d !== undefined && !wantsNull) throw new Error(`${where}: uuid defaults are not supported`);
      return { source: 'ZERO_UUID', isNull: false };
  }
}

const FIXED_SIZE: Partial<Record<PrimitiveType, number>> = {
  bool: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, float64: 8, uuid: 16,
};

export function fixedSize(p: PrimitiveType): number | undefined {
  return FIXED_SIZE[p];
}

/** Fewest bytes one array element of this field can occupy, for the given flexibility. */
export function elementMinSize(f: FieldModel, compact: boolean): number {
  if (f.struct !== undefined) return compact ? f.struct.minSize.compact : f.struct.minSize.classic;
  return primitiveMinSize(f.primitive!, compact);
}

function primitiveMinSize(p: PrimitiveType, compact: boolean): number {
  const fixed = FIXED_SIZE[p];
  if (fixed !== undefined) return fixed;
  if (p === 'string') return compact ? 1 : 2;
  return compact ? 1 : 4; // bytes, records
}

/** Lower bound of a field's encoded size across the struct's domain (0 unless present in every version). */
function fieldMinSize(f: FieldModel, owner: StructModel, compact: boolean): number {
  if (!covers(f.present, owner.domain) || isEmpty(f.present)) return 0;
  if (f.isArray) return compact ? 1 : 4;
  if (f.struct !== undefined) {
    if (!isEmpty(f.nullable)) return 1;
    return compact ? f.struct.minSize.compact : f.struct.minSize.classic;
  }
  return primitiveMinSize(f.primitive!, compact);
}

export { MAX };
