// kafka-get-offsets.sh (GetOffsetShell): prints "topic:partition:offset" for the partitions matching the filters,
// at --time latest (-1), earliest (-2), max-timestamp (-3) or the first offset at/after a timestamp.
import { type CommandSpec, UsageError } from '../lib/args.js';
import { CommandError, describeError, runCommand } from '../lib/command.js';
import { COMMAND_CONFIG_OPTION, clientProps, includeList, withAdmin } from '../lib/connect.js';
import type { OffsetSpec, TopicPartitionRef } from '../lib/cluster.js';
import type { CliIo } from '../lib/io.js';

export const summary = 'Print partition offsets at a time (kafka-get-offsets.sh).';

export const spec: CommandSpec = {
  name: 'get-offsets',
  description: 'An interactive shell for getting topic-partition offsets.',
  options: [
    { name: 'bootstrap-server', arg: 'required', argName: 'String: HOST1:PORT1,...,HOST3:PORT3', description: 'REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2.' },
    { name: 'broker-list', arg: 'required', argName: 'String: HOST1:PORT1,...,HOST3:PORT3', description: 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.' },
    { name: 'topic-partitions', arg: 'required', argName: 'String: topic1:1,topic2:0-3,topic3,topic4:5-,topic5:-3', description: "Comma separated list of topic-partition patterns to get the offsets for, with the format of '([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?'. The first group is an optional regex for the topic name, if omitted, it matches any topic name. The section after ':' describes a 'partition' pattern, which can be: a number, a range in the format of 'NUMBER-NUMBER' (lower inclusive, upper exclusive), an inclusive lower bound in the format of 'NUMBER-', an exclusive upper bound in the format of '-NUMBER' or may be omitted to accept all partitions." },
    { name: 'topic', arg: 'required', argName: 'String: topic', description: 'The topic to get the offsets for. It also accepts a regular expression. If not present, all authorized topics are queried. Cannot be used if --topic-partitions is present.' },
    { name: 'partitions', arg: 'required', argName: 'String: partition ids', description: 'Comma separated list of partition ids to get the offsets for. If not present, all partitions of the authorized topics are queried. Cannot be used if --topic-partitions is present.' },
    { name: 'time', arg: 'required', argName: 'String: <timestamp> / -1 or latest / -2 or earliest / -3 or max-timestamp', description: 'timestamp of the offsets before that. [Note: No offset is returned, if the timestamp greater than recently committed record timestamp is given.]', defaultValue: 'latest' },
    COMMAND_CONFIG_OPTION,
    { name: 'exclude-internal-topics', description: 'By default, internal topics are included. If specified, internal topics are excluded.' },
  ],
};

function parseTime(t: string): OffsetSpec {
  switch (t) {
    case 'earliest':
    case '-2':
      return 'earliest';
    case 'latest':
    case '-1':
      return 'latest';
    case 'max-timestamp':
    case '-3':
      return 'max-timestamp';
  }
  if (!/^-?\d+$/.test(t)) throw new UsageError(`Malformed time argument ${t}, please use -1 or latest / -2 or earliest / -3 or max-timestamp, or a specified long format timestamp`);
  return { timestamp: Number(t) };
}

type Filter = (topic: string, partition: number) => boolean;

/** One `topic-regex:partition-pattern` element of --topic-partitions. */
function patternFilter(spec: string): Filter {
  const m = /^([^:,]*)(?::(?:([0-9]*)|(?:([0-9]*)-([0-9]*))))?$/.exec(spec);
  if (!m) throw new UsageError(`Invalid topic-partition expression: ${spec}`);
  const [, topicRe, exact, lower, upper] = m;
  const topicOk = topicRe ? includeList(topicRe) : (): boolean => true;
  let partOk: (p: number) => boolean = () => true;
  if (exact) partOk = (p) => p === Number(exact);
  else if (lower !== undefined || upper !== undefined) {
    const lo = lower ? Number(lower) : 0;
    const hi = upper ? Number(upper) : Infinity;
    partOk = (p) => p >= lo && p < hi;
  }
  return (t, p) => topicOk(t) && partOk(p);
}

export async function run(argv: string[], io?: CliIo): Promise<number> {
  return runCommand(spec, argv, io, async (ctx) => {
    const args = ctx.args;
    const bootstrap = args.value('bootstrap-server') ?? args.value('broker-list');
    if (!bootstrap) throw new UsageError('Missing required argument "[bootstrap-server]"');
    if (args.has('topic-partitions') && (args.has('topic') || args.has('partitions'))) throw new UsageError('--topic-partitions cannot be used with --topic or --partitions');
    const offsetSpec = parseTime(args.value('time') ?? 'latest');
    let filter: Filter;
    if (args.has('topic-partitions')) {
      const filters = args.value('topic-partitions')!.split(',').map(patternFilter);
      filter = (t, p) => filters.some((f) => f(t, p));
    } else {
      const topicOk = args.has('topic') ? includeList(args.value('topic')!) : (): boolean => true;
      const parts = args.has('partitions')
        ? new Set(
            args.value('partitions')!.split(',').map((p) => {
              if (!/^\d+$/.test(p.trim())) throw new UsageError(`Invalid partition id: ${p}`);
              return Number(p.trim());
            }),
          )
        : null;
      filter = (t, p) => topicOk(t) && (parts === null || parts.has(p));
    }
    const props = clientProps(args, { fileOption: 'command-config', bootstrap });
    props['client.id'] = 'GetOffsetShell';
    try {
      await withAdmin(props, async (admin) => {
        const topics = (await admin.listTopics(!args.has('exclude-internal-topics'))).filter((t) => !(args.has('exclude-internal-topics') && t.startsWith('__')));
        const infos = topics.length ? await admin.describeTopics(topics) : [];
        const tps: TopicPartitionRef[] = [];
        for (const d of infos) for (const p of d.partitions) if (filter(d.name, p.partition)) tps.push({ topic: d.name, partition: p.partition });
        if (tps.length === 0) throw new CommandError('Could not match any topic-partitions with the specified filters');
        const results = await admin.listOffsets(tps.map((tp) => ({ ...tp, spec: offsetSpec })));
        results.sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
        for (const r of results) {
          if (r.error) await ctx.err(`Skip getting offsets for topic-partition ${r.topic}:${r.partition} due to error: ${r.error}`);
          else if (r.offset >= 0) await ctx.out(`${r.topic}:${r.partition}:${r.offset}`);
        }
      });
    } catch (e) {
      if (e instanceof UsageError || e instanceof CommandError) throw e;
      throw new CommandError(`Error: ${describeError(e)}`);
    }
    return 0;
  });
}
