// Command-line parsing with the semantics of joptsimple, the library behind Kafka's tools, so that every command
// line written for Kafka's scripts parses the same way here:
//   - long options only (`--topic`), value either as the next token (`--topic t`) or joined (`--topic=t`);
//   - an option that requires a value takes the next token whatever it looks like (`--shift-by -2` works);
//   - options may repeat (`--config a=1 --config b=2`); the last value wins for single-valued reads;
//   - no abbreviations (Kafka builds its parsers with abbreviations disabled), unknown options are errors.
// A parse failure is a UsageError carrying one line in joptsimple's wording ("x is not a recognized option").

export type ArgKind = 'none' | 'required' | 'optional';

export interface OptionSpec {
  /** Name without the leading dashes, e.g. 'bootstrap-server'. */
  name: string;
  /** Whether the option takes a value. Default 'none' (a flag). */
  arg?: ArgKind;
  /** How the value is described in --help, e.g. 'String: server to connect to'. */
  argName?: string;
  description: string;
  /** Other spellings accepted for the same option (e.g. broker-list for bootstrap-server). */
  aliases?: string[];
  /** Shown in --help as the default value. */
  defaultValue?: string;
  /** Hidden from --help (deprecated spellings kept for compatibility). */
  hidden?: boolean;
}

export interface CommandSpec {
  /** The Kafka script name without kafka- and .sh, e.g. 'topics'. */
  name: string;
  /** First lines of --help, as Kafka prints them before the option table. */
  description: string;
  options: OptionSpec[];
}

/** A command-line mistake: printed as one line, exit code 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export class ParsedArgs {
  /** Values per canonical option name, in command-line order (flags get an empty string per occurrence). */
  private readonly values = new Map<string, string[]>();
  readonly positionals: string[] = [];

  add(name: string, value: string): void {
    const list = this.values.get(name);
    if (list) list.push(value);
    else this.values.set(name, [value]);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The last value given for the option, or undefined. */
  value(name: string): string | undefined {
    const list = this.values.get(name);
    return list ? list[list.length - 1] : undefined;
  }

  /** Every value given for a repeatable option, in order. */
  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  /** The value of an option that must be present. */
  required(name: string): string {
    const v = this.value(name);
    if (v === undefined || !this.has(name)) throw new UsageError(`Missing required argument "[${name}]"`);
    return v;
  }

  /** Integer value (joptsimple's Integer/Long conversion: whole decimal number, else an error naming the option). */
  int(name: string): number | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    return parseInteger(name, v);
  }

  /** The option names that were given, in first-seen order. */
  given(): string[] {
    return [...this.values.keys()];
  }
}

export function parseInteger(name: string, v: string): number {
  const t = v.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new UsageError(`Cannot parse argument '${v}' of option ${name}`);
  const n = Number(t);
  if (!Number.isSafeInteger(n)) throw new UsageError(`Cannot parse argument '${v}' of option ${name}`);
  return n;
}

/** Parses argv against the command's option specs. Throws UsageError on any mistake. */
export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const byName = new Map<string, OptionSpec>();
  for (const o of spec.options) {
    byName.set(o.name, o);
    for (const a of o.aliases ?? []) byName.set(a, o);
  }
  const out = new ParsedArgs();
  let i = 0;
  let onlyPositionals = false;
  while (i < argv.length) {
    const tok = argv[i++]!;
    if (onlyPositionals || !tok.startsWith('-') || tok === '-') {
      out.positionals.push(tok);
      continue;
    }
    if (tok === '--') {
      onlyPositionals = true;
      continue;
    }
    const body = tok.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const inline = eq >= 0 ? body.slice(eq + 1) : undefined;
    const opt = byName.get(name);
    if (!opt) throw new UsageError(`${name} is not a recognized option`);
    const kind = opt.arg ?? 'none';
    if (kind === 'none') {
      if (inline !== undefined) throw new UsageError(`Option ${opt.name} does not take an argument`);
      out.add(opt.name, '');
    } else if (inline !== undefined) {
      out.add(opt.name, inline);
    } else if (kind === 'required') {
      if (i >= argv.length) throw new UsageError(`Option ${opt.name} requires an argument`);
      out.add(opt.name, argv[i++]!);
    } else {
      // Optional argument: taken only when the next token is not itself an option.
      const next = argv[i];
      if (next !== undefined && !next.startsWith('--')) {
        out.add(opt.name, next);
        i++;
      } else {
        out.add(opt.name, '');
      }
    }
  }
  return out;
}

/** Renders the option table the way joptsimple's BuiltinHelpFormatter lays it out (two columns, wrapped). */
export function formatHelp(spec: CommandSpec): string {
  const rows: [string, string][] = [];
  const visible = spec.options.filter((o) => !o.hidden).sort((a, b) => a.name.localeCompare(b.name));
  for (const o of visible) {
    let left = `--${o.name}`;
    for (const a of o.aliases ?? []) left += `, --${a}`;
    const kind = o.arg ?? 'none';
    if (kind !== 'none') {
      const an = o.argName ?? 'String';
      left += kind === 'required' ? ` <${an}>` : ` [${an}]`;
    }
    let desc = o.description;
    if (o.defaultValue !== undefined) desc += ` (default: ${o.defaultValue})`;
    rows.push([left, desc]);
  }
  const leftWidth = Math.min(40, Math.max(6, ...rows.map((r) => r[0].length)) + 1);
  const rightWidth = 80 - leftWidth - 1;
  const lines: string[] = [spec.description, pad('Option', leftWidth) + ' Description', pad('------', leftWidth) + ' -----------'];
  for (const [left, desc] of rows) {
    const wrapped = wrap(desc, rightWidth);
    if (left.length > leftWidth) {
      lines.push(left);
      for (const w of wrapped) lines.push(' '.repeat(leftWidth + 1) + w);
    } else {
      lines.push(pad(left, leftWidth) + ' ' + (wrapped[0] ?? ''));
      for (const w of wrapped.slice(1)) lines.push(' '.repeat(leftWidth + 3) + w);
    }
  }
  return lines.join('\n') + '\n';
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      if (line && line.length + 1 + word.length > width) {
        out.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    out.push(line);
  }
  return out;
}

/**
 * Parses `k=v` pairs the way Kafka's CommandLineUtils.parseKeyValueArgs does: split at the first '=', the value
 * may contain '='; a missing value becomes the empty string.
 */
export function parseKeyValues(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq < 0) out.set(a, '');
    else out.set(a.slice(0, eq), a.slice(eq + 1));
  }
  return out;
}

/**
 * Splits a kafka-configs style list `k1=v1,k2=[a,b],k3=v3`: commas inside square brackets belong to the value
 * (the brackets are removed), as in ConfigCommand.parseConfigsToBeAdded.
 */
export function parseConfigList(s: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  let cur = '';
  const parts: string[] = [];
  for (const ch of s) {
    if (ch === '[') depth++;
    else if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (cur) parts.push(cur);
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`Invalid entity config: all configs to be added must be in the format "key=val". Found: ${p}`);
    let v = p.slice(eq + 1);
    if (v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
    out.set(p.slice(0, eq).trim(), v);
  }
  return out;
}
