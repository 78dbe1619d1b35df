// kafka-topics.sh: create, list, describe, alter (partition count) and delete topics, with Kafka's flags,
// validation messages and output layout ("Topic: x\tTopicId: ...\tPartitionCount: ...").
import { type CommandSpec, type ParsedArgs, UsageError, parseKeyValues } from '../lib/args.js';
import { checkInvalid, CommandError, describeError, oneAction, runCommand, type Context } from '../lib/command.js';
import { BOOTSTRAP_OPTION, COMMAND_CONFIG_OPTION, clientProps, includeList, withAdmin } from '../lib/connect.js';
import { ClusterError, type ClusterAdmin, type ConfigEntryInfo, type PartitionDescription, type TopicInfo } from '../lib/cluster.js';
import type { CliIo } from '../lib/io.js';

export const summary = 'Create, delete, describe, or change a topic (kafka-topics.sh).';

export const spec: CommandSpec = {
  name: 'topics',
  description: 'This tool helps to create, delete, describe, or change a topic.',
  options: [
    BOOTSTRAP_OPTION,
    COMMAND_CONFIG_OPTION,
    { name: 'list', description: 'List all available topics.' },
    { name: 'create', description: 'Create a new topic.' },
    { name: 'delete', description: 'Delete a topic' },
    { name: 'alter', description: 'Alter the number of partitions and replica assignment. (To alter topic configurations, the kafka-configs tool can be used.)' },
    { name: 'describe', description: 'List details for the given topics.' },
    {
      name: 'topic',
      arg: 'required',
      argName: 'String: topic',
      description:
        'The topic to create, alter, describe or delete. It also accepts a regular expression, except for --create option. Put topic name in double quotes and use the \'\\\' prefix to escape regular expression symbols; e.g. "test\\.topic".',
    },
    { name: 'topic-id', arg: 'required', argName: 'String: topic-id', description: 'The topic-id to describe.' },
    {
      name: 'config',
      arg: 'required',
      argName: 'String: name=value',
      description: 'A topic configuration override for the topic being created. (Can be given several times.)',
    },
    { name: 'partitions', arg: 'required', argName: 'Integer: # of partitions', description: 'The number of partitions for the topic being created or altered. If not supplied for create, defaults to the cluster default.' },
    { name: 'replication-factor', arg: 'required', argName: 'Integer: replication factor', description: 'The replication factor for each partition in the topic being created. If not supplied, defaults to the cluster default.' },
    {
      name: 'replica-assignment',
      arg: 'required',
      argName: 'String: broker_id_for_part1_replica1 : broker_id_for_part1_replica2 , broker_id_for_part2_replica1 : broker_id_for_part2_replica2 , ...',
      description: 'A list of manual partition-to-broker assignments for the topic being created or altered.',
    },
    { name: 'under-replicated-partitions', description: 'if set when describing topics, only show under replicated partitions' },
    { name: 'unavailable-partitions', description: 'if set when describing topics, only show partitions whose leader is not available' },
    { name: 'under-min-isr-partitions', description: 'if set when describing topics, only show partitions whose isr count is less than the configured minimum.' },
    { name: 'at-min-isr-partitions', description: 'if set when describing topics, only show partitions whose isr count is equal to the configured minimum.' },
    { name: 'topics-with-overrides', description: 'if set when describing topics, only show topics that have overridden configs' },
    { name: 'if-exists', description: 'if set when altering or deleting or describing topics, the action will only execute if the topic exists.' },
    { name: 'if-not-exists', description: 'if set when creating topics, the action will only execute if the topic does not already exist.' },
    { name: 'exclude-internal', description: 'exclude internal topics when running list or describe command. The internal topics will be listed by default' },
    { name: 'partition-size-limit-per-response', arg: 'required', argName: 'Integer', description: 'The maximum partition size to be included in one DescribeTopicPartitions response.' },
    // Seed 001 runs `kafka-topics.sh --new-consumer ... --list|--describe --group g` to look at consumer groups;
    // those options belong to kafka-consumer-groups.sh, where we forward such command lines.
    { name: 'new-consumer', description: 'Deprecated consumer-groups option: forwards the command to kafka-consumer-groups.sh.', hidden: true },
    { name: 'group', arg: 'required', description: 'Consumer-groups option: forwards the command to kafka-consumer-groups.sh.', hidden: true },
  ],
};

const REPORT_OPTIONS = ['under-replicated-partitions', 'unavailable-partitions', 'under-min-isr-partitions', 'at-min-isr-partitions'];

export async function run(argv: string[], io?: CliIo): Promise<number> {
  if (argv.includes('--new-consumer') || argv.includes('--group')) {
    const forwarded = argv.filter((a) => a !== '--new-consumer');
    (io?.stderr ?? process.stderr).write(
      `Note: --new-consumer and --group are kafka-consumer-groups.sh options; running kafka-consumer-groups.sh ${forwarded.join(' ')}\n`,
    );
    const groups = await import('./consumer-groups.js');
    return groups.run(forwarded, io);
  }
  return runCommand(spec, argv, io, async (ctx) => {
    const args = ctx.args;
    const action = oneAction(args, ['create', 'list', 'alter', 'describe', 'delete'], 'Command must include exactly one action: --list, --describe, --create, --alter or --delete');
    validate(args, action);
    const props = clientProps(args, { fileOption: 'command-config', bootstrap: args.value('bootstrap-server') });
    try {
      await withAdmin(props, async (admin) => {
        switch (action) {
          case 'create':
            return createTopic(ctx, admin);
          case 'list':
            return listTopics(ctx, admin);
          case 'describe':
            return describeTopics(ctx, admin);
          case 'alter':
            return alterTopic(ctx, admin);
          case 'delete':
            return deleteTopics(ctx, admin);
        }
      });
    } catch (e) {
      if (e instanceof UsageError || e instanceof CommandError) throw e;
      // TopicCommand prints every failure this way, on stdout.
      throw new CommandError(`Error while executing topic command : ${describeError(e)}`, 'stdout');
    }
    return 0;
  });
}

function validate(args: ParsedArgs, action: string): void {
  if (!args.has('bootstrap-server')) throw new UsageError('--bootstrap-server must be specified');
  if (action !== 'list' && action !== 'describe' && !args.has('topic')) throw new UsageError('Missing required argument "[topic]"');
  if (action === 'alter') {
    if (args.has('config')) throw new UsageError('Option combination "[bootstrap-server],[config]" can\'t be used with option "[alter]" (To alter topic configurations, the kafka-configs tool can be used.)');
    if (!args.has('partitions')) throw new UsageError('Missing required argument "[partitions]"');
  }
  const except = (keep: string[]): string[] => ['create', 'list', 'alter', 'describe', 'delete'].filter((a) => !keep.includes(a));
  const invalidFor = (opt: string, allowed: string[]): void => {
    if (args.has(opt)) for (const a of except(allowed)) if (args.has(a)) throw new UsageError(`Option "[${opt}]" can't be used with option "[${a}]"`);
  };
  invalidFor('config', ['alter', 'create']);
  invalidFor('partitions', ['alter', 'create']);
  invalidFor('replication-factor', ['create']);
  invalidFor('replica-assignment', ['alter', 'create']);
  if (args.has('create')) checkInvalid(args, 'replica-assignment', ['partitions', 'replication-factor']);
  for (const r of REPORT_OPTIONS) {
    invalidFor(r, ['describe']);
    checkInvalid(args, r, ['topics-with-overrides']);
  }
  invalidFor('topics-with-overrides', ['describe']);
  invalidFor('if-exists', ['alter', 'delete', 'describe']);
  invalidFor('if-not-exists', ['create']);
  invalidFor('exclude-internal', ['list', 'describe']);
}

/** Kafka's parseReplicaAssignment: "0:1,1:2" -> [[0,1],[1,2]]. */
function parseReplicaAssignment(s: string): number[][] {
  return s.split(',').map((part, i) => {
    const ids = part.split(':').map((x) => x.trim()).filter(Boolean).map((x) => {
      if (!/^\d+$/.test(x)) throw new UsageError(`Invalid replica assignment: ${s}`);
      return Number(x);
    });
    if (new Set(ids).size !== ids.length) throw new CommandError(`Error while executing topic command : Partition replica lists may not contain duplicate entries: ${ids.join(',')}`, 'stdout');
    if (i > 0 && ids.length === 0) throw new UsageError(`Invalid replica assignment: ${s}`);
    return ids;
  });
}

async function createTopic(ctx: Context, admin: ClusterAdmin): Promise<void> {
  const args = ctx.args;
  const name = args.required('topic');
  const partitions = args.int('partitions') ?? -1;
  const rf = args.int('replication-factor') ?? -1;
  if (args.has('replication-factor') && (rf < 1 || rf > 32767)) throw new CommandError('Error while executing topic command : The replication factor must be between 1 and 32767 inclusive', 'stdout');
  if (args.has('partitions') && partitions < 1) throw new CommandError('Error while executing topic command : The partitions must be greater than 0', 'stdout');
  const configs: Record<string, string> = {};
  for (const c of args.all('config')) {
    if (!c.includes('=')) throw new UsageError('requirement failed: Invalid topic config: all configs to be added must be in the format "key=val".');
  }
  for (const [k, v] of parseKeyValues(args.all('config'))) configs[k.trim()] = v.trim();
  if (name.includes('.') || name.includes('_')) {
    await ctx.out("WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. To avoid issues it is best to use either, but not both.");
  }
  const assignment = args.has('replica-assignment') ? parseReplicaAssignment(args.value('replica-assignment')!) : undefined;
  try {
    await admin.createTopic({ name, numPartitions: assignment ? -1 : partitions, replicationFactor: assignment ? -1 : rf, configs, replicaAssignment: assignment });
  } catch (e) {
    if (e instanceof ClusterError && e.errorName === 'TOPIC_ALREADY_EXISTS' && args.has('if-not-exists')) return;
    throw e;
  }
  await ctx.out(`Created topic ${name}.`);
}

async function selectTopics(args: ParsedArgs, admin: ClusterAdmin): Promise<string[]> {
  const excludeInternal = args.has('exclude-internal');
  const all = (await admin.listTopics(!excludeInternal)).sort();
  const pattern = args.value('topic');
  let topics = pattern === undefined ? all : all.filter(includeList(pattern));
  if (excludeInternal) topics = topics.filter((t) => !t.startsWith('__'));
  return topics;
}

function ensureTopicExists(args: ParsedArgs, found: string[]): void {
  const requested = args.value('topic');
  if (requested && !args.has('if-exists') && found.length === 0) {
    throw new CommandError(`Error while executing topic command : Topic '${requested}' does not exist as expected`, 'stdout');
  }
}

async function listTopics(ctx: Context, admin: ClusterAdmin): Promise<void> {
  const topics = await selectTopics(ctx.args, admin);
  // Kafka prints the names joined by newlines with println, so an empty cluster prints one empty line.
  await ctx.out(topics.join('\n'));
}

async function alterTopic(ctx: Context, admin: ClusterAdmin): Promise<void> {
  const topics = await selectTopics(ctx.args, admin);
  ensureTopicExists(ctx.args, topics);
  const count = ctx.args.int('partitions')!;
  for (const t of topics) await admin.createPartitions(t, count);
}

async function deleteTopics(ctx: Context, admin: ClusterAdmin): Promise<void> {
  const topics = await selectTopics(ctx.args, admin);
  ensureTopicExists(ctx.args, topics);
  if (topics.length > 0) await admin.deleteTopics(topics);
}

async function describeTopics(ctx: Context, admin: ClusterAdmin): Promise<void> {
  const args = ctx.args;
  let descriptions: TopicInfo[];
  const topicId = args.value('topic-id');
  if (topicId && topicId !== 'AAAAAAAAAAAAAAAAAAAAAA') {
    const all = await admin.describeTopics(await admin.listTopics(!args.has('exclude-internal')));
    descriptions = all.filter((d) => d.topicId === topicId);
    if (descriptions.length === 0 && !args.has('if-exists')) throw new CommandError(`Error while executing topic command : TopicId '${topicId}' does not exist as expected`, 'stdout');
  } else {
    const topics = await selectTopics(args, admin);
    ensureTopicExists(args, topics);
    descriptions = topics.length ? await admin.describeTopics(topics) : [];
  }
  const reportOnly = REPORT_OPTIONS.some((r) => args.has(r));
  const liveBrokers = new Set((await admin.describeCluster()).brokers.map((b) => b.id));
  for (const td of descriptions.sort((a, b) => a.name.localeCompare(b.name))) {
    // A broker without DescribeConfigs (e.g. librdkafka's mock) still gets its partitions described.
    const configs = await admin.describeConfigs('topic', td.name, false).catch((e: unknown) => {
      if (/does not support DescribeConfigs/.test(describeError(e))) return [];
      throw e;
    });
    const parts = [...td.partitions].sort((a, b) => a.partition - b.partition);
    if (!reportOnly) {
      const nonDefault = configs.filter((c) => c.source !== 'DEFAULT_CONFIG');
      if (!args.has('topics-with-overrides') || nonDefault.length > 0) await ctx.out(topicLine(td, parts, configs));
    }
    if (args.has('topics-with-overrides')) continue;
    const minIsr = Number(configs.find((c) => c.name === 'min.insync.replicas')?.value ?? '1');
    for (const p of parts) {
      const show =
        !reportOnly ||
        (args.has('under-replicated-partitions') && p.isr.length < p.replicas.length) ||
        (args.has('unavailable-partitions') && (p.leader < 0 || !liveBrokers.has(p.leader))) ||
        (args.has('under-min-isr-partitions') && (p.leader < 0 || p.isr.length < minIsr)) ||
        (args.has('at-min-isr-partitions') && p.isr.length === minIsr);
      if (show) await ctx.out(partitionLine(td.name, p));
    }
  }
}

/** The topic summary line; Configs lists every entry whose source is not Kafka's built-in default. */
export function topicLine(td: TopicInfo, sortedPartitions: PartitionDescription[], configs: ConfigEntryInfo[]): string {
  const cfg = configs
    .filter((c) => c.source !== 'DEFAULT_CONFIG')
    .map((c) => `${c.name}=${c.value ?? 'null'}`)
    .join(',');
  const rf = sortedPartitions[0]?.replicas.length ?? 0;
  const id = td.topicId && td.topicId !== 'AAAAAAAAAAAAAAAAAAAAAA' ? `\tTopicId: ${td.topicId}` : '';
  return `Topic: ${td.name}${id}\tPartitionCount: ${td.partitions.length}\tReplicationFactor: ${rf}\tConfigs: ${cfg}`;
}

export function partitionLine(topic: string, p: PartitionDescription): string {
  const leader = p.leader >= 0 ? String(p.leader) : 'none';
  return `\tTopic: ${topic}\tPartition: ${p.partition}\tLeader: ${leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`;
}
