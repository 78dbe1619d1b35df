// kafka-configs.sh: describe and alter topic, broker and broker-logger configs (--entity-type/--entity-name,
// --add-config k=v,k2=[a,b], --delete-config k), printing Kafka's "Dynamic configs for topic x are:" listing.
import { type CommandSpec, type ParsedArgs, UsageError, parseConfigList } from '../lib/args.js';
import { CommandError, describeError, oneAction, readPropertiesFile, runCommand, type Context } from '../lib/command.js';
import { BOOTSTRAP_OPTION, COMMAND_CONFIG_OPTION, clientProps, withAdmin } from '../lib/connect.js';
import type { ClusterAdmin, ConfigAlteration, ConfigEntryInfo, ConfigResourceType } from '../lib/cluster.js';
import type { CliIo } from '../lib/io.js';

export const summary = 'Describe and alter topic and broker configs (kafka-configs.sh).';

export const spec: CommandSpec = {
  name: 'configs',
  description: 'This tool helps to manipulate and describe entity config for a topic, client, user, broker or ip',
  options: [
    BOOTSTRAP_OPTION,
    COMMAND_CONFIG_OPTION,
    { name: 'describe', description: 'List configs for the given entity.' },
    { name: 'alter', description: 'Alter the configuration for the entity.' },
    { name: 'entity-type', arg: 'required', argName: 'String', description: 'Type of entity (topics/clients/users/brokers/broker-loggers/ips)' },
    { name: 'entity-name', arg: 'required', argName: 'String', description: 'Name of entity (topic name/client id/user principal name/broker id/ip)' },
    { name: 'entity-default', description: 'Default entity name for clients/users/brokers/ips (applies to corresponding entity type in command line)' },
    { name: 'topic', arg: 'required', argName: 'String: topic', description: "The topic's name." },
    { name: 'broker', arg: 'required', argName: 'String: broker-id', description: "The broker's ID." },
    { name: 'broker-defaults', description: 'The config defaults for all brokers.' },
    { name: 'broker-logger', arg: 'required', argName: 'String: broker-id', description: "The broker's ID for its logger config." },
    { name: 'add-config', arg: 'required', argName: 'String', description: "Key Value pairs of configs to add. Square brackets can be used to group values which contain commas: 'k1=v1,k2=[v1,v2,v2],k3=v3'." },
    { name: 'add-config-file', arg: 'required', argName: 'String', description: 'Path to a properties file with configs to add.' },
    { name: 'delete-config', arg: 'required', argName: 'String', description: "config keys to remove 'k1,k2'" },
    { name: 'all', description: 'List all configs for the given topic, broker, or broker-logger entity (includes static configuration when the entity type is brokers)' },
    { name: 'force', description: 'Suppress console prompts' },
  ],
};

const TYPES: Record<string, ConfigResourceType> = { topics: 'topic', brokers: 'broker', 'broker-loggers': 'broker-logger' };
const KNOWN = ['topics', 'clients', 'users', 'brokers', 'broker-loggers', 'ips'];
const DEFAULT_BROKER = '';

interface Entity {
  type: string;
  name: string | undefined;
}

function entity(args: ParsedArgs, action: string): Entity {
  const shortcuts: [string, string][] = [['topic', 'topics'], ['broker', 'brokers'], ['broker-logger', 'broker-loggers']];
  const usedShortcut = shortcuts.find(([o]) => args.has(o)) ?? (args.has('broker-defaults') ? ['broker-defaults', 'brokers'] : undefined);
  if (usedShortcut && (args.has('entity-type') || args.has('entity-name') || args.has('entity-default'))) {
    throw new UsageError('--entity-{type,name,default} should not be used in conjunction with specific entity flags');
  }
  let e: Entity;
  if (usedShortcut) {
    e = { type: usedShortcut[1], name: usedShortcut[0] === 'broker-defaults' ? DEFAULT_BROKER : args.value(usedShortcut[0]) };
  } else {
    const types = args.all('entity-type');
    if (types.length === 0) throw new UsageError('At least one entity type must be specified');
    if (types.length > 1) throw new UsageError('Only one entity type is supported by Gregor\'s kafka-configs.sh (topics, brokers, broker-loggers)');
    const type = types[0]!;
    if (!KNOWN.includes(type)) throw new UsageError(`Invalid entity type ${type}, the entity type must be one of ${KNOWN.join(', ')} with the --bootstrap-server argument`);
    if (!TYPES[type]) throw new CommandError(`Entity type '${type}' (client/user/ip quotas and SCRAM credentials) is not supported by Gregor yet; supported: topics, brokers, broker-loggers`);
    if (args.all('entity-name').length > 1) throw new UsageError('Exactly one entity name must be specified for every entity type');
    e = { type, name: args.has('entity-default') ? DEFAULT_BROKER : args.value('entity-name') };
  }
  if (action === 'alter' && e.name === undefined) throw new UsageError(`--entity-name or --entity-default must be specified with each --entity-type for --alter`);
  if (e.type === 'topics' && e.name === DEFAULT_BROKER) throw new UsageError('--entity-default is not supported for topics');
  if ((e.type === 'brokers' || e.type === 'broker-loggers') && e.name !== undefined && e.name !== DEFAULT_BROKER && !/^\d+$/.test(e.name)) {
    throw new UsageError(`The entity name for ${e.type} must be a valid integer broker id, but it is: ${e.name}`);
  }
  return e;
}

export async function run(argv: string[], io?: CliIo): Promise<number> {
  return runCommand(spec, argv, io, async (ctx) => {
    const args = ctx.args;
    const action = oneAction(args, ['describe', 'alter'], 'Command must include exactly one action: --describe, --alter');
    if (!args.has('bootstrap-server')) throw new UsageError('One of the required --bootstrap-server or --bootstrap-controller arguments must be specified');
    const e = entity(args, action);
    if (action === 'alter') {
      if (args.has('add-config') && args.has('add-config-file')) throw new UsageError('Only one of --add-config or --add-config-file must be specified');
      if (!args.has('add-config') && !args.has('add-config-file') && !args.has('delete-config')) throw new UsageError('At least one of --add-config, --add-config-file, or --delete-config must be specified with --alter');
    }
    const props = clientProps(args, { fileOption: 'command-config', bootstrap: args.value('bootstrap-server') });
    try {
      await withAdmin(props, (admin) => (action === 'describe' ? describe(ctx, admin, e) : alter(ctx, admin, e)));
    } catch (err) {
      if (err instanceof UsageError || err instanceof CommandError) throw err;
      throw new CommandError(`Error while executing config command with args '${argv.join(' ')}': ${describeError(err)}`);
    }
    return 0;
  });
}

const DYNAMIC_SOURCE: Record<string, string> = { topics: 'DYNAMIC_TOPIC_CONFIG', brokers: 'DYNAMIC_BROKER_CONFIG' };

async function describe(ctx: Context, admin: ClusterAdmin, e: Entity): Promise<void> {
  const all = ctx.args.has('all');
  let names: string[];
  if (e.name !== undefined) names = [e.name];
  else if (e.type === 'topics') names = (await admin.listTopics(true)).sort();
  else names = [...(await admin.describeCluster()).brokers.map((b) => String(b.id)), DEFAULT_BROKER];
  for (const name of names) {
    if (name === DEFAULT_BROKER && e.type !== 'topics') await ctx.out(`Default configs for ${e.type} in the cluster are:`);
    else await ctx.out(`${all ? 'All' : 'Dynamic'} configs for ${e.type.slice(0, -1)} ${name} are:`);
    const entries = await admin.describeConfigs(TYPES[e.type]!, name, true);
    const wanted = (c: ConfigEntryInfo): boolean => {
      if (all || e.type === 'broker-loggers') return true;
      if (e.type === 'brokers' && name === DEFAULT_BROKER) return c.source === 'DYNAMIC_DEFAULT_BROKER_CONFIG';
      return c.source === DYNAMIC_SOURCE[e.type];
    };
    for (const c of entries.filter(wanted)) {
      const synonyms = c.synonyms.map((s) => `${s.source}:${s.name}=${s.value}`).join(', ');
      await ctx.out(`  ${c.name}=${c.value} sensitive=${c.isSensitive} synonyms={${synonyms}}`);
    }
  }
}

async function alter(ctx: Context, admin: ClusterAdmin, e: Entity): Promise<void> {
  const args = ctx.args;
  const add = new Map<string, string>();
  if (args.has('add-config-file')) for (const [k, v] of readPropertiesFile(args.value('add-config-file')!)) add.set(k, v);
  for (const a of args.all('add-config')) for (const [k, v] of parseConfigList(a)) add.set(k, v.trim());
  const del = args.all('delete-config').flatMap((d) => d.split(',')).map((d) => d.trim()).filter(Boolean);
  const type = TYPES[e.type]!;
  if (type !== 'broker-logger') {
    const existing = new Set((await admin.describeConfigs(type, e.name!, false)).map((c) => c.name));
    const invalid = del.filter((d) => !existing.has(d));
    if (invalid.length) throw new CommandError(`Invalid config(s): ${invalid.join(',')}`);
  }
  const ops: ConfigAlteration[] = [...[...add].map(([name, value]) => ({ name, value, op: 'SET' as const })), ...del.map((name) => ({ name, value: null, op: 'DELETE' as const }))];
  await admin.incrementalAlterConfigs(type, e.name!, ops);
  if (e.name) await ctx.out(`Completed updating config for ${e.type.slice(0, -1)} ${e.name}.`);
  else await ctx.out(`Completed updating default config for ${e.type} in the cluster.`);
}
