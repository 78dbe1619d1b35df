// Emits one readable TypeScript module per message spec: interfaces, then straight-line encode/decode
// functions with `if (version >= N)` branches. No schema is interpreted at run time.

import { type FieldModel, type MessageModel, type StructModel, elementMinSize, fixedSize } from './model.js';
import { type PrimitiveType, type VersionRange, intersect, isEmpty } from './schema.js';

/** A version condition relative to a known domain: 'true', 'false' or a JS expression over `version`. */
type Cond = string;

export function cond(range: VersionRange, domain: VersionRange): Cond {
  const r = intersect(range, domain);
  if (isEmpty(r)) return 'false';
  const needLo = r.lo > domain.lo;
  const needHi = r.hi < domain.hi;
  if (!needLo && !needHi) return 'true';
  if (needLo && needHi) return r.lo === r.hi ? `version === ${r.lo}` : `version >= ${r.lo} && version <= ${r.hi}`;
  return needLo ? `version >= ${r.lo}` : `version <= ${r.hi}`;
}

function ifElse(c: Cond, then: string[], otherwise: string[]): string[] {
  if (c === 'true') return then;
  if (c === 'false') return otherwise;
  if (then.length === 0 && otherwise.length === 0) return [];
  if (otherwise.length === 0) return [`if (${c}) {`, ...indent(then), '}'];
  if (then.length === 0) return [`if (${negate(c)}) {`, ...indent(otherwise), '}'];
  if (otherwise.length === 1 && otherwise[0]!.startsWith('if (')) {
    return [`if (${c}) {`, ...indent(then), `} else ${otherwise[0]}`, ...otherwise.slice(1)];
  }
  return [`if (${c}) {`, ...indent(then), '} else {', ...indent(otherwise), '}'];
}

function negate(c: Cond): string {
  let m = /^version >= (\d+)$/.exec(c);
  if (m) return `version < ${m[1]}`;
  m = /^version <= (\d+)$/.exec(c);
  if (m) return `version > ${m[1]}`;
  return `!(${c})`;
}

/** One statement choosing between two statements. */
function stmtIf(c: Cond, a: string, b: string): string {
  if (c === 'true' || a === b) return a;
  if (c === 'false') return b;
  return `if (${c}) ${a} else ${b}`;
}

function ternary(c: Cond, a: string, b: string): string {
  if (c === 'true' || a === b) return a;
  if (c === 'false') return b;
  return `${c} ? ${a} : ${b}`;
}

function indent(lines: string[], n = 1): string[] {
  const pad = '  '.repeat(n);
  return lines.map((l) => (l === '' ? l : pad + l));
}

/** Condition for "flexible" inside a given domain, reusing the function's `flexible` const when possible. */
function flexCond(f: FieldModel | null, s: StructModel, domain: VersionRange, msgFlex: VersionRange): Cond {
  const range = f === null ? msgFlex : f.spec.flexibleVersions ?? msgFlex;
  const c = cond(range, domain);
  if (c === 'true' || c === 'false') return c;
  if (range === msgFlex && cond(msgFlex, s.domain) !== 'true' && cond(msgFlex, s.domain) !== 'false') return 'flexible';
  return c;
}

function tsPrimitive(p: PrimitiveType): string {
  switch (p) {
    case 'bool':
      return 'boolean';
    case 'int64':
      return 'bigint';
    case 'string':
    case 'uuid':
      return 'string';
    case 'bytes':
    case 'records':
      return 'Buffer';
    default:
      return 'number';
  }
}

export function tsType(f: FieldModel): string {
  const base = f.struct !== undefined ? f.struct.tsName : tsPrimitive(f.primitive!);
  const t = f.isArray ? `${base}[]` : base;
  return f.typeNullable ? `${t} | null` : t;
}

function versionText(r: VersionRange): string {
  if (isEmpty(r)) return 'none';
  if (r.hi === Infinity) return `${r.lo}+`;
  return r.lo === r.hi ? `${r.lo}` : `${r.lo}-${r.hi}`;
}

const METHOD: Record<PrimitiveType, string> = {
  bool: 'Bool', int8: 'Int8', int16: 'Int16', uint16: 'UInt16', int32: 'Int32', uint32: 'UInt32', int64: 'Int64',
  float64: 'Float64', uuid: 'Uuid', string: 'String', bytes: 'Bytes', records: 'Bytes',
};

function isVariable(p: PrimitiveType): boolean {
  return p === 'string' || p === 'bytes' || p === 'records';
}

function varMethod(p: PrimitiveType, compact: boolean, nullable: boolean): string {
  return `${compact ? 'Compact' : ''}${nullable ? 'Nullable' : ''}${METHOD[p]}`;
}

/** "Message.Struct.Field" text used in error messages. */
function fieldPath(s: StructModel, f: FieldModel): string {
  return s.isTop ? `${s.specName}.${f.spec.name}` : `${s.tsName}.${f.spec.name}`;
}

export class MessageGenerator {
  private readonly m: MessageModel;
  private readonly msgFlex: VersionRange;
  readonly imports = new Set<string>();
  readonly primitivesUsed = new Set<string>();
  private readonly needDefault = new Set<StructModel>();
  private readonly needIsDefault = new Set<StructModel>();

  constructor(m: MessageModel) {
    this.m = m;
    this.msgFlex = m.spec.flexibleVersions;
  }

  generate(sourceFile: string): string {
    const body: string[] = [];
    for (const s of this.m.structs) {
      body.push(...this.interfaceFor(s), '');
    }
    for (const s of this.m.structs) {
      body.push(...this.encoderFor(s), '');
      body.push(...this.decoderFor(s), '');
    }
    // Defaults may be needed transitively (a default struct contains default nested structs).
    let grew = true;
    while (grew) {
      grew = false;
      for (const s of [...this.needDefault]) {
        for (const f of s.fields) {
          if (f.struct !== undefined && !f.isArray && !f.defaultIsNull && !this.needDefault.has(f.struct)) {
            this.needDefault.add(f.struct);
            grew = true;
          }
        }
      }
      for (const s of [...this.needIsDefault]) {
        for (const f of s.fields) {
          if (f.struct !== undefined && !f.isArray && !f.defaultIsNull && !this.needIsDefault.has(f.struct)) {
            this.needIsDefault.add(f.struct);
            grew = true;
          }
        }
      }
    }
    for (const s of this.m.structs) {
      if (this.needDefault.has(s)) body.push(...this.defaultFor(s), '');
      if (this.needIsDefault.has(s)) body.push(...this.isDefaultFor(s), '');
    }
    // Scan emitted code for the runtime helpers it actually uses.
    const text = body.join('\n');
    const helpers = [
      'EMPTY_BUFFER', 'ZERO_UUID', 'nonNull', 'unsupportedVersion', 'unsupportedField', 'readUnknownTaggedFields',
      'writeUnknownTaggedFields', 'writeUnknownTaggedFieldsBelow', 'sortedByTag', 'taggedSizeMismatch',
    ].filter((h) => new RegExp(`\\b${h}\\b`).test(text));
    const needsTagged = /\bTaggedField\b/.test(text);
    const header = [
      `// Generated by scripts/generate-protocol.ts from ${sourceFile}. DO NOT EDIT: run \`npm run generate\`.`,
      `// ${this.m.spec.kind}${this.m.spec.apiKey !== undefined ? ` apiKey ${this.m.spec.apiKey}` : ''}, valid versions ${versionText(this.m.spec.validVersions)}, flexible versions ${versionText(this.m.spec.flexibleVersions)}.`,
      '',
      "import type { Reader } from '../../primitives/reader.js';",
      "import type { Writer } from '../../primitives/writer.js';",
    ];
    if (needsTagged) header.push("import type { TaggedField } from '../../primitives/tagged-fields.js';");
    if (helpers.length > 0) header.push(`import { ${helpers.join(', ')} } from '../../primitives/index.js';`);
    header.push('');
    return [...header, ...body].join('\n').replace(/\n+$/, '\n');
  }

  // ---------------------------------------------------------------- interfaces

  private interfaceFor(s: StructModel): string[] {
    const lines = [`export interface ${s.tsName} {`];
    for (const f of s.fields) {
      const notes: string[] = [];
      if (!isEmpty(f.tagged)) notes.push(`tag ${f.spec.tag}, tagged versions ${versionText(f.tagged)}`);
      else notes.push(`versions ${versionText(f.present)}`);
      if (!isEmpty(f.nullable)) notes.push(`nullable ${versionText(f.nullable)}`);
      if (f.spec.default !== undefined) notes.push(`default ${JSON.stringify(f.spec.default)}`);
      if (f.spec.ignorable) notes.push('ignorable');
      const about = (f.spec.about ?? '').replace(/\*\//g, '* /');
      lines.push(`  /** ${about}${about ? ' ' : ''}(${notes.join('; ')}) */`);
      lines.push(`  ${f.prop}${f.optional ? '?' : ''}: ${tsType(f)};`);
    }
    if (!isEmpty(s.flexible)) {
      lines.push('  /** Tagged fields this code does not know, kept so they survive a decode/encode round trip. */');
      lines.push('  _unknownTaggedFields?: TaggedField[];');
    }
    lines.push('}');
    return lines;
  }

  // ---------------------------------------------------------------- defaults

  private defaultFor(s: StructModel): string[] {
    const lines = [`/** ${s.tsName} with every field at its default. */`, `export function default${s.tsName}(): ${s.tsName} {`, '  return {'];
    for (const f of s.fields) lines.push(`    ${f.prop}: ${f.defaultSource},`);
    lines.push('  };', '}');
    return lines;
  }

  private isDefaultFor(s: StructModel): string[] {
    const checks = s.fields.map((f) => this.nonDefault(f, `v.${f.prop}`));
    if (!isEmpty(s.flexible)) checks.push('(v._unknownTaggedFields !== undefined && v._unknownTaggedFields.length > 0)');
    const lines = [`/** True when every field of v holds its default (what an absent ${s.specName} decodes as). */`];
    lines.push(`export function isDefault${s.tsName}(v: ${s.tsName}): boolean {`);
    if (checks.length === 0) lines.push('  return true;');
    else lines.push('  return !(', ...checks.map((c, i) => `    ${c}${i < checks.length - 1 ? ' ||' : ''}`), '  );');
    lines.push('}');
    return lines;
  }

  /** JS expression: true when the value (possibly undefined, meaning default) differs from the default. */
  private nonDefault(f: FieldModel, x: string): string {
    if (f.defaultIsNull) return `${x} != null`;
    const orNull = f.typeNullable ? `${x} === null || ` : '';
    if (f.isArray) return `(${x} !== undefined && (${orNull}${x}.length !== 0))`;
    if (f.struct !== undefined) {
      this.needIsDefault.add(f.struct);
      return `(${x} !== undefined && (${orNull}!isDefault${f.struct.tsName}(${x})))`;
    }
    if (f.primitive === 'bytes') return `(${x} !== undefined && (${orNull}${x}.length !== 0))`;
    return `(${x} !== undefined && ${x} !== ${f.defaultSource})`;
  }

  // ---------------------------------------------------------------- encoder

  private encoderFor(s: StructModel): string[] {
    const lines: string[] = [];
    const name = `encode${s.tsName}`;
    lines.push(`export function ${name}(w: Writer, v: ${s.tsName}, version: number): void {`);
    const body: string[] = [];
    if (s.isTop) {
      const vv = this.m.spec.validVersions;
      body.push(`if (version < ${vv.lo} || version > ${vv.hi}) throw unsupportedVersion('${s.specName}', version);`);
    }
    const fc = cond(this.msgFlex, s.domain);
    if (fc !== 'true' && fc !== 'false') body.push(`const flexible = ${fc};`);
    for (const f of s.fields) body.push(...this.encodeField(s, f));
    if (!isEmpty(s.flexible)) body.push(...ifElse(flexCond(null, s, s.domain, this.msgFlex), this.encodeTaggedSection(s), []));
    lines.push(...indent(body), '}');
    return unusedVersion(lines);
  }

  private valueOf(f: FieldModel): string {
    return f.optional ? `v.${f.prop} === undefined ? ${f.defaultSource} : v.${f.prop}` : `v.${f.prop}`;
  }

  private encodeField(s: StructModel, f: FieldModel): string[] {
    const absentCheck = f.spec.ignorable
      ? []
      : [`if (${this.nonDefault(f, `v.${f.prop}`)}) throw unsupportedField('${s.tsName}', '${f.spec.name}', version);`];
    const inVersions = !isEmpty(f.tagged) ? f.tagged : f.present;
    const c = cond(inVersions, s.domain);
    if (!isEmpty(f.tagged)) {
      // Tagged: written in the tagged-field section; here only the check for versions that cannot carry it.
      return ifElse(c, [], absentCheck);
    }
    if (f.optional && f.struct !== undefined && !f.isArray && !f.defaultIsNull) this.needDefault.add(f.struct);
    const domain = intersect(f.present, s.domain);
    if (!f.optional) return ifElse(c, this.writeValue(s, f, `v.${f.prop}`, domain), absentCheck);
    // Optional: undefined means the default; bind once so the branches below stay short.
    const write = [`const ${f.local} = ${this.valueOf(f)};`, ...this.writeValue(s, f, f.local, domain)];
    return ifElse(c, c === 'true' ? ['{', ...indent(write), '}'] : write, absentCheck);
  }

  /** Statements writing value expression x of field f, for versions in `domain`. */
  private writeValue(s: StructModel, f: FieldModel, x: string, domain: VersionRange, forceCompact = false): string[] {
    const flex = forceCompact ? 'true' : flexCond(f, s, domain, this.msgFlex);
    const nul = cond(f.nullable, domain);
    const label = fieldPath(s, f);
    if (f.isArray) {
      const lines: string[] = [];
      const isIdent = /^[A-Za-z_$][\w$]*$/.test(x);
      const arr = isIdent ? x : `${f.local}Array`;
      if (!isIdent) lines.push(`const ${arr} = ${x};`);
      const elemWrite = f.struct !== undefined
        ? [`encode${f.struct.tsName}(w, el, version);`]
        : [this.writePrimitive(f.primitive!, 'el', flex, 'false', false, label)];
      const writeLen = ternary(flex, `w.writeUnsignedVarint(${arr}.length + 1)`, `w.writeInt32(${arr}.length)`) ;
      const nonNullBody = [
        flex === 'true' || flex === 'false' ? `${writeLen};` : `if (${flex}) w.writeUnsignedVarint(${arr}.length + 1);`,
        ...(flex === 'true' || flex === 'false' ? [] : [`else w.writeInt32(${arr}.length);`]),
        `for (const el of ${arr}) {`,
        ...indent(elemWrite),
        '}',
      ];
      if (!f.typeNullable) return ['{', ...indent([...lines, ...nonNullBody]), '}'];
      const nullWrite = ifElse(nul, [stmtIf(flex, 'w.writeUnsignedVarint(0);', 'w.writeInt32(-1);')], [`nonNull(null, '${label}');`]);
      return ['{', ...indent([...lines, `if (${arr} === null) {`, ...indent(nullWrite), '} else {', ...indent(nonNullBody), '}']), '}'];
    }
    if (f.struct !== undefined) {
      const enc = `encode${f.struct.tsName}`;
      if (!f.typeNullable) return [`${enc}(w, ${x}, version);`];
      const local = `${f.local}Value`;
      const nullable = [
        `const ${local} = ${x};`,
        `if (${local} === null) {`,
        '  w.writeInt8(-1);',
        '} else {',
        '  w.writeInt8(1);',
        `  ${enc}(w, ${local}, version);`,
        '}',
      ];
      return ifElse(nul, ['{', ...indent(nullable), '}'], [`${enc}(w, nonNull(${x}, '${label}'), version);`]);
    }
    return [this.writePrimitive(f.primitive!, x, flex, nul, f.typeNullable, label)];
  }

  private writePrimitive(p: PrimitiveType, x: string, flex: Cond, nul: Cond, typeNullable: boolean, label: string): string {
    if (!isVariable(p)) return `w.write${METHOD[p]}(${x});`;
    const call = (compact: boolean, nullable: boolean): string => {
      const arg = !nullable && typeNullable ? `nonNull(${x}, '${label}')` : x;
      return `w.write${varMethod(p, compact, nullable)}(${arg});`;
    };
    const byNull = (compact: boolean): string => {
      if (nul === 'true') return call(compact, true);
      if (nul === 'false') return call(compact, false);
      return `if (${nul}) ${call(compact, true)} else ${call(compact, false)}`;
    };
    if (flex === 'true') return byNull(true);
    if (flex === 'false') return byNull(false);
    if (nul === 'true' || nul === 'false') return `if (${flex}) ${byNull(true)} else ${byNull(false)}`;
    return `if (${flex}) { ${byNull(true)} } else { ${byNull(false)} }`;
  }

  private taggedFields(s: StructModel): FieldModel[] {
    return s.fields.filter((f) => !isEmpty(f.tagged)).sort((a, b) => a.spec.tag! - b.spec.tag!);
  }

  private encodeTaggedSection(s: StructModel): string[] {
    const tagged = this.taggedFields(s);
    if (tagged.length === 0) return ['writeUnknownTaggedFields(w, v._unknownTaggedFields);'];
    const flexDomain = intersect(s.flexible, s.domain);
    const lines = [
      'const unknown = v._unknownTaggedFields === undefined ? undefined : sortedByTag(v._unknownTaggedFields);',
      'let numTagged = unknown === undefined ? 0 : unknown.length;',
    ];
    for (const f of tagged) {
      const c = cond(f.tagged, flexDomain);
      const nd = this.nonDefault(f, `v.${f.prop}`);
      lines.push(`const has${upperFirst(f.local)} = ${c === 'true' ? '' : `${c} && `}${nd};`);
      lines.push(`if (has${upperFirst(f.local)}) numTagged++;`);
    }
    lines.push('w.writeUnsignedVarint(numTagged);', 'let u = 0;');
    for (const f of tagged) {
      const tag = f.spec.tag!;
      const payload = this.writeValue(s, f, `(v.${f.prop} as ${tsType(f)})`, intersect(f.tagged, flexDomain), true);
      const fixed = !f.isArray && f.struct === undefined ? fixedSize(f.primitive!) : undefined;
      const body = [
        `if (unknown !== undefined) u = writeUnknownTaggedFieldsBelow(w, unknown, u, ${tag});`,
        `w.writeUnsignedVarint(${tag});`,
      ];
      if (fixed !== undefined) {
        body.push(`w.writeUnsignedVarint(${fixed});`, ...payload);
      } else {
        body.push('const mark = w.beginUnsignedVarintSize();', ...payload, 'w.endUnsignedVarintSize(mark);');
      }
      lines.push(`if (has${upperFirst(f.local)}) {`, ...indent(body), '}');
    }
    lines.push('if (unknown !== undefined) writeUnknownTaggedFieldsBelow(w, unknown, u, Infinity);');
    return lines;
  }

  // ---------------------------------------------------------------- decoder

  private decoderFor(s: StructModel): string[] {
    const lines: string[] = [];
    lines.push(`export function decode${s.tsName}(r: Reader, version: number): ${s.tsName} {`);
    const body: string[] = [];
    if (s.isTop) {
      const vv = this.m.spec.validVersions;
      body.push(`if (version < ${vv.lo} || version > ${vv.hi}) throw unsupportedVersion('${s.specName}', version);`);
    }
    const fc = cond(this.msgFlex, s.domain);
    if (fc !== 'true' && fc !== 'false') body.push(`const flexible = ${fc};`);
    for (const f of s.fields) body.push(...this.decodeField(s, f));
    const hasFlex = !isEmpty(s.flexible);
    if (hasFlex) {
      const fc2 = flexCond(null, s, s.domain, this.msgFlex);
      if (this.taggedFields(s).length === 0) {
        body.push(`const unknown: TaggedField[] | undefined = ${ternary(fc2, 'readUnknownTaggedFields(r)', 'undefined')};`);
      } else {
        body.push('let unknown: TaggedField[] | undefined;');
        body.push(...ifElse(fc2, this.decodeTaggedSection(s), []));
      }
    }
    body.push(`const out: ${s.tsName} = {`);
    for (const f of s.fields) body.push(f.local === f.prop ? `  ${f.prop},` : `  ${f.prop}: ${f.local},`);
    body.push('};');
    if (hasFlex) body.push('if (unknown !== undefined) out._unknownTaggedFields = unknown;');
    body.push('return out;');
    lines.push(...indent(body), '}');
    return unusedVersion(lines);
  }

  private decodeField(s: StructModel, f: FieldModel): string[] {
    const t = tsType(f);
    if (f.struct !== undefined && !f.isArray && !f.defaultIsNull) this.needDefault.add(f.struct);
    if (!isEmpty(f.tagged)) return [`let ${f.local}: ${t} = ${f.defaultSource};`];
    const c = cond(f.present, s.domain);
    if (c === 'false') return [`const ${f.local}: ${t} = ${f.defaultSource};`];
    const domain = intersect(f.present, s.domain);
    const simple = this.readExpr(s, f, domain);
    if (simple !== undefined) {
      if (c === 'true') return [`const ${f.local}: ${t} = ${simple};`];
      return [`const ${f.local}: ${t} = ${c} ? ${wrap(simple)} : ${f.defaultSource};`];
    }
    const read = this.readInto(s, f, f.local, domain, false);
    return [`let ${f.local}: ${t};`, ...ifElse(c, read, [`${f.local} = ${f.defaultSource};`])];
  }

  /** A single expression reading the field, or undefined if it needs statements (arrays). */
  private readExpr(s: StructModel, f: FieldModel, domain: VersionRange, forceCompact = false): string | undefined {
    if (f.isArray) return undefined;
    const flex = forceCompact ? 'true' : flexCond(f, s, domain, this.msgFlex);
    const nul = cond(f.nullable, domain);
    if (f.struct !== undefined) {
      const dec = `decode${f.struct.tsName}(r, version)`;
      return ternary(nul, `(r.readInt8() < 0 ? null : ${dec})`, dec);
    }
    const p = f.primitive!;
    if (!isVariable(p)) return `r.read${METHOD[p]}()`;
    const call = (compact: boolean, nullable: boolean): string => `r.read${varMethod(p, compact, nullable)}()`;
    const byNull = (compact: boolean): string => ternary(nul, call(compact, true), call(compact, false));
    const a = byNull(true);
    const b = byNull(false);
    if (flex === 'true') return a;
    if (flex === 'false') return b;
    return `${flex} ? ${wrap(a)} : ${wrap(b)}`;
  }

  /** Statements reading field f into `target` (already declared). */
  private readInto(s: StructModel, f: FieldModel, target: string, domain: VersionRange, forceCompact: boolean): string[] {
    const simple = this.readExpr(s, f, domain, forceCompact);
    if (simple !== undefined) return [`${target} = ${simple};`];
    const flex = forceCompact ? 'true' : flexCond(f, s, domain, this.msgFlex);
    const nul = cond(f.nullable, domain);
    const lenCall = (compact: boolean, nullable: boolean): string =>
      `r.read${compact ? 'Compact' : ''}${nullable ? 'Nullable' : ''}ArrayLength(${elementMinSize(f, compact)})`;
    const byNull = (compact: boolean): string => ternary(nul, lenCall(compact, true), lenCall(compact, false));
    const lenExpr = ternary(flex, wrap(byNull(true)), wrap(byNull(false)));
    const elemType = f.struct !== undefined ? f.struct.tsName : tsPrimitive(f.primitive!);
    let elemRead: string;
    if (f.struct !== undefined) elemRead = `decode${f.struct.tsName}(r, version)`;
    else if (isVariable(f.primitive!)) {
      const m = f.primitive === 'string' ? 'String' : 'Bytes';
      elemRead = ternary(flex, `r.readCompact${m}()`, `r.read${m}()`);
    } else elemRead = `r.read${METHOD[f.primitive!]}()`;
    const fill = [
      `const arr: ${elemType}[] = [];`,
      `for (let i = 0; i < n; i++) arr.push(${elemRead});`,
      `${target} = arr;`,
    ];
    if (nul === 'false') return ['{', `  const n = ${stripParens(lenExpr)};`, ...indent(fill), '}'];
    return ['{', `  const n = ${stripParens(lenExpr)};`, '  if (n < 0) {', `    ${target} = null;`, '  } else {', ...indent(fill, 2), '  }', '}'];
  }

  private decodeTaggedSection(s: StructModel): string[] {
    const tagged = this.taggedFields(s);
    if (tagged.length === 0) return ['unknown = readUnknownTaggedFields(r);'];
    const flexDomain = intersect(s.flexible, s.domain);
    const lines = ['const numTagged = r.readUnsignedVarint();', 'for (let i = 0; i < numTagged; i++) {'];
    const loop = [
      'const tag = r.readUnsignedVarint();',
      'const size = r.readUnsignedVarint();',
      'r.ensure(size);',
      'const fieldEnd = r.offset + size;',
    ];
    const branches: string[] = [];
    tagged.forEach((f, idx) => {
      const c = cond(f.tagged, flexDomain);
      const test = `tag === ${f.spec.tag}${c === 'true' ? '' : ` && ${c}`}`;
      const read = this.readInto(s, f, f.local, intersect(f.tagged, flexDomain), true);
      branches.push(`${idx === 0 ? 'if' : '} else if'} (${test}) {`, ...indent(read));
    });
    branches.push('} else {', '  (unknown ??= []).push({ tag, data: r.readRawBytes(size) });', '  continue;', '}');
    loop.push(...branches);
    loop.push('if (r.offset !== fieldEnd) throw taggedSizeMismatch(tag, size, r.offset - (fieldEnd - size));');
    lines.push(...indent(loop), '}');
    return lines;
  }
}

/** Renames the `version` parameter to `_version` when the function body never reads it (lint). */
function unusedVersion(lines: string[]): string[] {
  if (lines.slice(1).some((l) => /\bversion\b/.test(l))) return lines;
  return [lines[0]!.replace('version: number', '_version: number'), ...lines.slice(1)];
}

function wrap(e: string): string {
  return e.includes('?') ? `(${e})` : e;
}

function stripParens(e: string): string {
  return e.startsWith('(') && e.endsWith(')') && !e.slice(1, -1).includes('(') ? e.slice(1, -1) : e;
}

function upperFirst(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

/** "ProduceRequest" -> "produce-request". */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}
