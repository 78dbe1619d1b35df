// Generates src/protocol/generated/** from Kafka's JSON message specs in ../shared/kafka-protocol.
// Usage: npm run generate            (writes into src/protocol/generated)
//        tsx scripts/generate-protocol.ts --out <dir>   (writes elsewhere; the staleness test uses this)
// The spec directory is ../shared/kafka-protocol relative to the repository root, or $GREGOR_PROTOCOL_SPECS.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageGenerator, kebab } from './protocol-gen/codegen.js';
import { buildMessageModel } from './protocol-gen/model.js';
import { loadSpecDir } from './protocol-gen/schema.js';
import { apiKeysModule, errorCodesModule, internalIndexModule, messagesIndexModule } from './protocol-gen/tables.js';

const SCRIPTS_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(SCRIPTS_DIR, '..');

export function specRoot(): string {
  return process.env.GREGOR_PROTOCOL_SPECS ?? resolve(REPO_ROOT, '..', 'shared', 'kafka-protocol');
}

/** All generated files: path relative to the output directory -> contents. */
export function generateProtocolFiles(root = specRoot()): Map<string, string> {
  const files = new Map<string, string>();
  const messages = loadSpecDir(join(root, 'messages'));
  const internal = loadSpecDir(join(root, 'internal-records'));
  for (const spec of messages) {
    const code = new MessageGenerator(buildMessageModel(spec)).generate(`kafka-protocol/messages/${spec.file}.json`);
    files.set(`messages/${kebab(spec.name)}.ts`, code);
  }
  for (const spec of internal) {
    const code = new MessageGenerator(buildMessageModel(spec)).generate(`kafka-protocol/internal-records/${spec.file}.json`);
    files.set(`internal/${kebab(spec.name)}.ts`, code.replaceAll("'../../primitives/", "'../../primitives/"));
  }
  files.set('api-keys.ts', apiKeysModule(messages));
  files.set('error-codes.ts', errorCodesModule(join(SCRIPTS_DIR, 'protocol-gen', 'kafka-errors.json')));
  files.set('index.ts', messagesIndexModule(messages));
  files.set('internal/index.ts', internalIndexModule(internal));
  return files;
}

export function writeProtocolFiles(outDir: string, files: Map<string, string>): void {
  // Remove stale outputs (a spec that disappeared must not leave its module behind).
  for (const sub of ['messages', 'internal']) rmSync(join(outDir, sub), { recursive: true, force: true });
  for (const [rel, text] of files) {
    const p = join(outDir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const outDir = outIdx >= 0 ? resolve(args[outIdx + 1]!) : join(REPO_ROOT, 'src', 'protocol', 'generated');
  const files = generateProtocolFiles();
  writeProtocolFiles(outDir, files);
  const count = readdirSync(join(outDir, 'messages')).length + readdirSync(join(outDir, 'internal')).length;
  console.log(`generated ${files.size} files (${count} message modules) into ${outDir}`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
