// kafka-delete-records.sh: deletes records before the offsets listed in a JSON file
// ({"partitions":[{"topic":"foo","partition":1,"offset":1}],"version":1}); offset -1 means the high watermark.
import { readFileSync } from 'node:fs';
import { type CommandSpec, UsageError } from '../lib/args.js';
import { CommandError, describeError, runCommand } from '../lib/command.js';
import { clientProps, withAdmin } from '../lib/connect.js';
import type { TopicPartitionRef } from '../lib/cluster.js';
import type { CliIo } from '../lib/io.js';

export const summary = 'Delete records of partitions up to given offsets (kafka-delete-records.sh).';

export const spec: CommandSpec = {
  name: 'delete-records',
  description: 'This tool helps to delete records of the given partitions down to the specified offset.',
  options: [
    { name: 'bootstrap-server', arg: 'required', argName: 'String: server(s) to use for bootstrapping', description: 'REQUIRED: The server to connect to.' },
    { name: 'offset-json-file', arg: 'required', argName: 'String: Offset json file path', description: 'REQUIRED: The JSON file with offset per partition. The format to use is: {"partitions": [{"topic": "foo", "partition": 1, "offset": 1}], "version":1 }' },
    { name: 'command-config', arg: 'required', argName: 'String: command config property file path', description: 'A property file containing configs to be passed to Admin Client.' },
  ],
};

/** Parses the offsets file; throws CommandError with Kafka's messages on bad content. */
export function parseOffsetJson(text: string): (TopicPartitionRef & { offset: number })[] {
  let js: unknown;
  try {
    js = JSON.parse(text);
  } catch {
    throw new CommandError('Error: The input string is not a valid JSON');
  }
  const obj = (js ?? {}) as { version?: unknown; partitions?: unknown };
  const version = obj.version ?? 1;
  if (version !== 1) throw new CommandError(`Error: Not supported version field value ${String(version)}`);
  if (!Array.isArray(obj.partitions)) throw new CommandError('Error: Missing partitions field');
  const out = obj.partitions.map((p: { topic?: unknown; partition?: unknown; offset?: unknown }) => {
    if (typeof p?.topic !== 'string' || !Number.isInteger(p.partition) || !Number.isInteger(p.offset)) {
      throw new CommandError(`Error: invalid partition entry ${JSON.stringify(p)}: expected {"topic": string, "partition": int, "offset": long}`);
    }
    return { topic: p.topic, partition: p.partition as number, offset: p.offset as number };
  });
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const p of out) {
    const k = `${p.topic}-${p.partition}`;
    if (seen.has(k)) dups.add(k);
    seen.add(k);
  }
  if (dups.size) throw new CommandError(`Error: Offset json file contains duplicate topic partitions: ${[...dups].join(',')}`);
  return out;
}

export async function run(argv: string[], io?: CliIo): Promise<number> {
  return runCommand(spec, argv, io, async (ctx) => {
    const args = ctx.args;
    if (!args.has('bootstrap-server')) throw new UsageError('Missing required argument "[bootstrap-server]"');
    if (!args.has('offset-json-file')) throw new UsageError('Missing required argument "[offset-json-file]"');
    let text: string;
    try {
      text = readFileSync(args.value('offset-json-file')!, 'utf8');
    } catch (e) {
      throw new CommandError(`Error: cannot read ${args.value('offset-json-file')}: ${(e as NodeJS.ErrnoException).code ?? describeError(e)}`);
    }
    const requests = parseOffsetJson(text);
    const props = clientProps(args, { fileOption: 'command-config', bootstrap: args.value('bootstrap-server') });
    let failed = false;
    await withAdmin(props, async (admin) => {
      await ctx.out('Executing records delete operation');
      const results = await admin.deleteRecords(requests);
      await ctx.out('Records delete operation completed:');
      for (const r of results) {
        if (r.error) {
          failed = true;
          await ctx.out(`partition: ${r.topic}-${r.partition}\terror: ${r.errorMessage ?? r.error}`);
        } else {
          await ctx.out(`partition: ${r.topic}-${r.partition}\tlow_watermark: ${r.lowWatermark}`);
        }
      }
    });
    return failed ? 1 : 0;
  });
}
