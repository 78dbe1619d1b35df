// Test support: builds fast-check arbitraries and expected decoded values for any generated message, from
// the same schema model the generator uses (scripts/protocol-gen). Lets the property tests cover every
// message and version without hand-written per-message fixtures.

import fc from 'fast-check';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { kebab } from '../../../scripts/protocol-gen/codegen.js';
import { type FieldModel, type MessageModel, type StructModel, buildMessageModel } from '../../../scripts/protocol-gen/model.js';
import { type MessageSpec, type PrimitiveType, contains, loadSpecDir } from '../../../scripts/protocol-gen/schema.js';
import { REPO_ROOT, specRoot } from '../../../scripts/generate-protocol.js';
import type { Reader } from '../../../src/protocol/primitives/reader.js';
import type { Writer } from '../../../src/protocol/primitives/writer.js';

export type Obj = Record<string, unknown>;

export interface LoadedMessage {
  model: MessageModel;
  module: Record<string, unknown>;
  encode: (w: Writer, v: Obj, version: number) => void;
  decode: (r: Reader, version: number) => Obj;
  versions: number[];
  /** 'messages' or 'internal'. */
  dir: string;
}

export async function loadAllMessages(): Promise<LoadedMessage[]> {
  const out: LoadedMessage[] = [];
  const sets: [string, MessageSpec[]][] = [
    ['messages', loadSpecDir(join(specRoot(), 'messages'))],
    ['internal', loadSpecDir(join(specRoot(), 'internal-records'))],
  ];
  for (const [dir, specs] of sets) {
    for (const spec of specs) {
      const file = join(REPO_ROOT, 'src', 'protocol', 'generated', dir, `${kebab(spec.name)}.ts`);
      const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      const versions: number[] = [];
      for (let v = spec.validVersions.lo; v <= spec.validVersions.hi; v++) versions.push(v);
      out.push({
        model: buildMessageModel(spec),
        module,
        encode: module[`encode${spec.name}`] as LoadedMessage['encode'],
        decode: module[`decode${spec.name}`] as LoadedMessage['decode'],
        versions,
        dir,
      });
    }
  }
  return out;
}

/** True when field f exists (positionally or as a tagged field) in version v. */
export function fieldIn(f: FieldModel, v: number): boolean {
  return contains(f.present, v) || contains(f.tagged, v);
}

function primitiveArb(p: PrimitiveType, compactLen: boolean): fc.Arbitrary<unknown> {
  switch (p) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'uint32':
      return fc.integer({ min: 0, max: 4294967295 });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double({ noNaN: true });
    case 'string':
      return fc.oneof(fc.string({ maxLength: 12 }), fc.string({ maxLength: 6, unit: 'grapheme' }));
    case 'uuid':
      return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64url'));
    case 'bytes':
    case 'records':
      // A few lengths cross the 1-byte varint boundary in compact encodings.
      return compactLen
        ? fc.oneof({ weight: 5, arbitrary: fc.uint8Array({ maxLength: 16 }) }, { weight: 1, arbitrary: fc.uint8Array({ minLength: 126, maxLength: 130 }) }).map((b) => Buffer.from(b))
        : fc.uint8Array({ maxLength: 16 }).map((b) => Buffer.from(b));
  }
}

/** Arbitrary value of field f at version v (f must exist in v). */
export function fieldArb(f: FieldModel, v: number, depth: number): fc.Arbitrary<unknown> {
  let base: fc.Arbitrary<unknown>;
  const elem = f.struct !== undefined ? structArb(f.struct, v, depth + 1) : primitiveArb(f.primitive!, depth === 0);
  if (f.isArray) base = fc.array(elem, { maxLength: depth >= 2 ? 1 : 3 });
  else base = elem;
  if (contains(f.nullable, v)) base = fc.option(base, { nil: null, freq: 4 });
  return base;
}

/** Arbitrary struct at version v: fields absent in v are left out; optional ones are sometimes omitted. */
export function structArb(s: StructModel, v: number, depth = 0): fc.Arbitrary<Obj> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const f of s.fields) {
    if (!fieldIn(f, v)) continue;
    model[f.prop] = fieldArb(f, v, depth);
    if (!f.optional) required.push(f.prop);
  }
  const flexible = contains(s.flexible, v);
  if (flexible) {
    const maxKnown = Math.max(-1, ...s.fields.filter((f) => f.spec.tag !== undefined).map((f) => f.spec.tag!));
    model._unknownTaggedFields = fc
      .uniqueArray(fc.integer({ min: maxKnown + 1, max: maxKnown + 40 }), { maxLength: 2 })
      .chain((tags) =>
        fc.tuple(...tags.sort((a, b) => a - b).map((tag) => fc.uint8Array({ maxLength: 5 }).map((d) => ({ tag, data: Buffer.from(d) })))),
      )
      .map((fields) => (fields.length === 0 ? undefined : fields));
  }
  return fc.record(model, { requiredKeys: required }).map((o) => {
    const r = o as Obj;
    if (r._unknownTaggedFields === undefined) delete r._unknownTaggedFields;
    return r;
  });
}

/** The default value of a field, as the decoder fills it in. */
export function defaultValue(f: FieldModel, module: Record<string, unknown>): unknown {
  const src = f.defaultSource;
  if (src === 'null') return null;
  if (src === '[]') return [];
  if (src === 'true' || src === 'false') return src === 'true';
  if (src === 'EMPTY_BUFFER') return Buffer.alloc(0);
  if (src === 'ZERO_UUID') return 'AAAAAAAAAAAAAAAAAAAAAA';
  if (src.endsWith('n')) return BigInt(src.slice(0, -1));
  if (src.startsWith('"')) return JSON.parse(src) as string;
  const m = /^(default\w+)\(\)$/.exec(src);
  if (m) return (module[m[1]!] as () => unknown)();
  return Number(src);
}

/** What decode(encode(value, v), v) must produce: absent / undefined fields become their defaults. */
export function expectedDecoded(s: StructModel, value: Obj, v: number, module: Record<string, unknown>): Obj {
  const out: Obj = {};
  for (const f of s.fields) {
    const given = value[f.prop];
    if (!fieldIn(f, v) || given === undefined) {
      out[f.prop] = defaultValue(f, module);
      continue;
    }
    out[f.prop] = expectedField(f, given, v, module);
  }
  if (contains(s.flexible, v) && value._unknownTaggedFields !== undefined) out._unknownTaggedFields = value._unknownTaggedFields;
  return out;
}

function expectedField(f: FieldModel, given: unknown, v: number, module: Record<string, unknown>): unknown {
  if (given === null || f.struct === undefined) return given;
  if (f.isArray) return (given as Obj[]).map((e) => expectedDecoded(f.struct!, e, v, module));
  return expectedDecoded(f.struct, given as Obj, v, module);
}
