// kafka-consumer-groups.sh: list, describe (offsets/lag, members, state), delete groups, reset and delete committed
// offsets — Kafka's flags, validation messages and column layouts (GROUP TOPIC PARTITION CURRENT-OFFSET ...).
import { readFileSync } from 'node:fs';
import { type CommandSpec, type ParsedArgs, UsageError, parseInteger } from '../lib/args.js';
import { CommandError, describeError, oneAction, runCommand, type Context } from '../lib/command.js';
import { BOOTSTRAP_OPTION, COMMAND_CONFIG_OPTION, clientProps, withAdmin } from '../lib/connect.js';
import { ClusterError, tpKey, type ClusterAdmin, type GroupInfo, type TopicPartitionRef } from '../lib/cluster.js';
import { padRight } from '../lib/format.js';
import { parseDateTime, parseIsoDuration } from '../lib/time-parse.js';
import { write, type CliIo } from '../lib/io.js';

export const summary = 'List, describe, delete consumer groups and reset their offsets (kafka-consumer-groups.sh).';

export const spec: CommandSpec = {
  name: 'consumer-groups',
  description: 'This tool helps to list all consumer groups, describe a consumer group, delete consumer group info, or reset consumer group offsets.',
  options: [
    BOOTSTRAP_OPTION,
    COMMAND_CONFIG_OPTION,
    { name: 'group', arg: 'required', argName: 'String: consumer group', description: 'The consumer group we wish to act on.' },
    { name: 'topic', arg: 'required', argName: 'String: topic', description: 'The topic whose consumer group information should be deleted or topic whose should be included in the reset offset process. In `reset-offsets` case, partitions can be specified using this format: `topic1:0,1,2`, where 0,1,2 are the partition to be included in the process.' },
    { name: 'all-topics', description: 'Consider all topics assigned to a group in the `reset-offsets` process.' },
    { name: 'list', description: 'List all consumer groups.' },
    { name: 'describe', description: 'Describe consumer group and list offset lag (number of messages not yet processed) related to given group.' },
    { name: 'all-groups', description: 'Apply to all consumer groups.' },
    { name: 'delete', description: 'Pass in groups to delete topic partition offsets and ownership information over the entire consumer group. For instance --group g1 --group g2' },
    { name: 'timeout', arg: 'required', argName: 'Long: timeout (ms)', description: 'The timeout that can be set for some use cases. For example, it can be used when describing the group to specify the maximum amount of time in milliseconds to wait before the group stabilizes (when the group is just created, or is going through some changes).', defaultValue: '5000' },
    { name: 'reset-offsets', description: 'Reset offsets of consumer group. Supports one consumer group at the time, and instances should be inactive. Has 2 execution options: --dry-run (the default) to plan which offsets to reset, and --execute to update the offsets. Additionally, the --export option is used to export the results to a CSV format. You must choose one of the following reset specifications: --to-datetime, --by-duration, --to-earliest, --to-latest, --shift-by, --from-file, --to-current, --to-offset. To define the scope use --all-topics or --topic. One scope must be specified unless you use \'--from-file\'.' },
    { name: 'delete-offsets', description: 'Delete offsets of consumer group. Supports one consumer group at the time, and multiple topics.' },
    { name: 'dry-run', description: 'Only show results without executing changes on Consumer Groups. Supported operations: reset-offsets.' },
    { name: 'execute', description: 'Execute operation. Supported operations: reset-offsets.' },
    { name: 'export', description: 'Export operation execution to a CSV file. Supported operations: reset-offsets.' },
    { name: 'to-offset', arg: 'required', argName: 'Long: offset', description: 'Reset offsets to a specific offset.' },
    { name: 'from-file', arg: 'required', argName: 'String: path to CSV file', description: 'Reset offsets to values defined in CSV file.' },
    { name: 'to-datetime', arg: 'required', argName: 'String: datetime', description: "Reset offsets to offset from datetime. Format: 'YYYY-MM-DDTHH:mm:SS.sss'" },
    { name: 'by-duration', arg: 'required', argName: 'String: duration', description: "Reset offsets to offset by duration from current timestamp. Format: 'PnDTnHnMnS'" },
    { name: 'to-earliest', description: 'Reset offsets to earliest offset.' },
    { name: 'to-latest', description: 'Reset offsets to latest offset.' },
    { name: 'to-current', description: 'Reset offsets to current offset.' },
    { name: 'shift-by', arg: 'required', argName: 'Long: number-of-offsets', description: 'Reset offsets shifting current offset by \'n\', where \'n\' can be positive or negative.' },
    { name: 'members', description: 'Describe members of the group. This option may be used with \'--describe\' and \'--bootstrap-server\' options only. Example: --bootstrap-server localhost:9092 --describe --group group1 --members' },
    { name: 'verbose', description: 'Provide additional information, if any, when describing the group. This option may be used with \'--offsets\'/\'--members\'/\'--state\' and \'--bootstrap-server\' options only. Example: --bootstrap-server localhost:9092 --describe --group group1 --members --verbose' },
    { name: 'offsets', description: 'Describe the group and list all topic partitions in the group along with their offset lag. This is the default sub-action of and may be used with \'--describe\' and \'--bootstrap-server\' options only. Example: --bootstrap-server localhost:9092 --describe --group group1 --offsets' },
    { name: 'state', arg: 'optional', argName: 'String', description: "When specified with '--describe', includes the state of the group. Example: --bootstrap-server localhost:9092 --describe --group group1 --state. When specified with '--list', it displays the state of all groups. It can also be used to list groups with specific states. Example: --bootstrap-server localhost:9092 --list --state stable,empty. This option may be used with '--describe', '--list' and '--bootstrap-server' options only." },
    // Kafka 1.x accepted --new-consumer (deprecated no-op since 2.0); seed 001 still passes it.
    { name: 'new-consumer', description: 'Deprecated, ignored: the new consumer is the only consumer.', hidden: true },
  ],
};

const MISSING = '-';
const RESET_SCENARIOS = ['to-offset', 'shift-by', 'to-datetime', 'by-duration', 'to-earliest', 'to-latest', 'to-current', 'from-file'];
const STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty'];

export async function run(argv: string[], io?: CliIo): Promise<number> {
  return runCommand(spec, argv, io, async (ctx) => {
    const args = ctx.args;
    validate(args);
    const action = oneAction(args, ['list', 'describe', 'delete', 'reset-offsets', 'delete-offsets'], 'Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets');
    if (args.has('new-consumer')) await ctx.err('Warning: --new-consumer is deprecated and ignored (the new consumer is the only consumer).');
    const props = clientProps(args, { fileOption: 'command-config', bootstrap: args.value('bootstrap-server') });
    // --timeout bounds each admin call, as Kafka's withTimeoutMs does.
    if (args.has('timeout')) props['default.api.timeout.ms'] = String(parseInteger('timeout', args.value('timeout')!));
    try {
      return await withAdmin(props, async (admin) => {
        switch (action) {
          case 'list':
            return listGroups(ctx, admin);
          case 'describe':
            return describeGroups(ctx, admin);
          case 'delete':
            return deleteGroups(ctx, admin);
          case 'reset-offsets':
            return resetOffsets(ctx, admin);
          default:
            return deleteOffsets(ctx, admin);
        }
      });
    } catch (e) {
      if (e instanceof UsageError || e instanceof CommandError) throw e;
      throw new CommandError(`\nError: Executing consumer group command failed due to ${describeError(e)}`, 'stdout');
    }
  });
}

function validate(args: ParsedArgs): void {
  if (!args.has('bootstrap-server')) throw new UsageError('Missing required argument "[bootstrap-server]"');
  const scope = '[group], [all-groups]';
  if (args.has('describe')) {
    if (!args.has('group') && !args.has('all-groups')) throw new UsageError(`Option [describe] takes one of these options: ${scope}`);
    if (['members', 'offsets', 'state'].filter((o) => args.has(o)).length > 1) throw new UsageError('Option [describe] takes at most one of these options: [members], [offsets], [state]');
    if (args.has('state') && args.value('state') !== '') throw new UsageError('Option [describe] does not take a value for [state]');
  }
  if (args.has('delete')) {
    if (!args.has('group') && !args.has('all-groups')) throw new UsageError(`Option [delete] takes one of these options: ${scope}`);
    if (args.has('topic')) throw new UsageError('The consumer does not support topic-specific offset deletion from a consumer group.');
  }
  if (args.has('delete-offsets') && (!args.has('group') || !args.has('topic'))) throw new UsageError('Option [delete-offsets] takes the following options: [group], [topic]');
  if (args.has('reset-offsets')) {
    if (args.has('dry-run') && args.has('execute')) throw new UsageError('Option [reset-offsets] only accepts one of [execute] and [dry-run]');
    if (!args.has('group') && !args.has('all-groups')) throw new UsageError(`Option [reset-offsets] takes one of these options: ${scope}`);
    const scenarios = RESET_SCENARIOS.filter((s) => args.has(s));
    if (scenarios.length > 1) throw new UsageError(`Option "[${scenarios[0]}]" can't be used with option "[${scenarios[1]}]"`);
    if (scenarios.length === 0) throw new UsageError(`Option '[reset-offsets]' requires one of the following scenarios: ${RESET_SCENARIOS.map((s) => `[${s}]`).join(', ')}`);
    if (args.has('all-topics') && args.has('topic')) throw new UsageError('Option "[all-topics]" can\'t be used with option "[topic]"');
  }
  if (args.has('group') && args.has('all-groups')) throw new UsageError('Option "[group]" can\'t be used with option "[all-groups]"');
  for (const o of ['members', 'offsets']) if (args.has(o) && !args.has('describe')) throw new UsageError(`Option "[${o}]" can't be used with option "[${args.has('list') ? 'list' : args.given()[0]}]"`);
  if (args.has('state') && !args.has('describe') && !args.has('list')) throw new UsageError('Option "[state]" can\'t be used with option "[reset-offsets]"');
  for (const o of ['dry-run', 'execute', 'export', ...RESET_SCENARIOS, 'all-topics']) {
    if (args.has(o) && !args.has('reset-offsets')) throw new UsageError(`Option "[${o}]" can't be used with option "[${['list', 'describe', 'delete', 'delete-offsets'].find((a) => args.has(a)) ?? 'reset-offsets'}]"`);
  }
  if (args.has('topic') && !args.has('reset-offsets') && !args.has('delete-offsets') && !args.has('delete')) {
    throw new UsageError(`Option "[topic]" can't be used with option "[${['list', 'describe'].find((a) => args.has(a)) ?? 'describe'}]"`);
  }
}

async function groupIds(args: ParsedArgs, admin: ClusterAdmin): Promise<string[]> {
  if (args.has('all-groups')) return (await admin.listGroups()).filter((g) => g.protocolType === 'consumer' || g.protocolType === '').map((g) => g.groupId).sort();
  return [...new Set(args.all('group'))];
}

async function listGroups(ctx: Context, admin: ClusterAdmin): Promise<number> {
  const groups = (await admin.listGroups()).filter((g) => g.protocolType === 'consumer' || g.protocolType === '');
  if (!ctx.args.has('state')) {
    for (const g of groups) await ctx.out(g.groupId);
    return 0;
  }
  const filter = ctx.args.value('state') ?? '';
  let wanted: Set<string> | null = null;
  if (filter !== '') {
    wanted = new Set();
    for (const s of filter.split(',')) {
      const match = STATES.find((x) => x.toLowerCase() === s.trim().toLowerCase());
      if (!match) throw new UsageError(`Invalid state list '${filter}'. Valid states are: ${STATES.join(', ')}`);
      wanted.add(match);
    }
  }
  // Listings without a state (old brokers) are described to learn it.
  const missing = groups.filter((g) => !g.state).map((g) => g.groupId);
  const described = missing.length ? new Map((await admin.describeGroups(missing)).map((d) => [d.groupId, d.state])) : new Map<string, string>();
  const rows = groups
    .map((g) => ({ id: g.groupId, state: g.state || described.get(g.groupId) || 'Unknown' }))
    .filter((r) => wanted === null || wanted.has(r.state));
  const width = Math.max(15, ...rows.map((r) => r.id.length)) + 10;
  await ctx.out(`${padRight('GROUP', width)} ${padRight('STATE', 20)}`);
  for (const r of rows) await ctx.out(`${padRight(r.id, width)} ${padRight(r.state, 20)}`);
  return 0;
}

/**
 * Kafka's shouldPrintMemberState: Dead means the group does not exist (an error), Empty and rebalancing groups get a
 * note on stderr. Returns whether rows should follow.
 */
async function noteState(ctx: Context, g: GroupInfo, rows: number): Promise<'ok' | 'skip' | 'missing'> {
  switch (g.state) {
    case 'Dead':
      await ctx.out(`\nError: Consumer group '${g.groupId}' does not exist.`);
      return 'missing';
    case 'Empty':
      await ctx.err(`\nConsumer group '${g.groupId}' has no active members.`);
      break;
    case 'PreparingRebalance':
    case 'CompletingRebalance':
      await ctx.err(`\nWarning: Consumer group '${g.groupId}' is rebalancing.`);
      break;
  }
  return rows > 0 ? 'ok' : 'skip';
}

export interface OffsetRow {
  group: string;
  topic: string;
  partition: number;
  offset: number | null;
  logEndOffset: number | null;
  consumerId: string;
  host: string;
  clientId: string;
}

/** The --describe --offsets table: each line starts with a newline, as Kafka prints it with "\n%-Ns ...". */
export function formatOffsetRows(rows: OffsetRow[]): string {
  const gw = Math.max(15, ...rows.map((r) => r.group.length));
  const tw = Math.max(15, ...rows.map((r) => r.topic.length));
  const cw = Math.max(15, ...rows.map((r) => r.consumerId.length));
  const hw = Math.max(15, ...rows.map((r) => r.host.length));
  const line = (v: string[]): string =>
    `\n${padRight(v[0]!, gw)} ${padRight(v[1]!, tw)} ${padRight(v[2]!, 10)} ${padRight(v[3]!, 15)} ${padRight(v[4]!, 15)} ${padRight(v[5]!, 15)} ${padRight(v[6]!, cw)} ${padRight(v[7]!, hw)} ${v[8]}`;
  let out = line(['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID']);
  for (const r of rows) {
    const lag = r.offset !== null && r.logEndOffset !== null ? String(r.logEndOffset - r.offset) : MISSING;
    out += line([r.group, r.topic, String(r.partition), r.offset === null ? MISSING : String(r.offset), r.logEndOffset === null ? MISSING : String(r.logEndOffset), lag, r.consumerId, r.host, r.clientId]);
  }
  return out + '\n';
}

async function describeGroups(ctx: Context, admin: ClusterAdmin): Promise<number> {
  const ids = await groupIds(ctx.args, admin);
  const groups = (await admin.describeGroups(ids)).sort((a, b) => a.groupId.localeCompare(b.groupId));
  let missing = 0;
  for (const g of groups) {
    if (ctx.args.has('members')) {
      if ((await noteState(ctx, g, g.members.length)) === 'missing') {
        missing++;
        continue;
      }
      await write(ctx.io.stdout, formatMembers(g, ctx.args.has('verbose')));
    } else if (ctx.args.has('state')) {
      if ((await noteState(ctx, g, 1)) === 'missing') {
        missing++;
        continue;
      }
      await write(ctx.io.stdout, formatState(g));
    } else {
      const rows = await collectOffsets(admin, g);
      const st = await noteState(ctx, g, rows.length);
      if (st === 'missing') missing++;
      if (st === 'ok') await write(ctx.io.stdout, formatOffsetRows(rows));
    }
  }
  return missing > 0 ? 1 : 0;
}

async function collectOffsets(admin: ClusterAdmin, g: GroupInfo): Promise<OffsetRow[]> {
  if (g.state === 'Dead') return [];
  const committed = await admin.listGroupOffsets(g.groupId);
  const assigned = new Set<string>();
  const pending: { tp: TopicPartitionRef; consumerId: string; host: string; clientId: string }[] = [];
  const members = [...g.members].filter((m) => m.assignment.length > 0).sort((a, b) => b.assignment.length - a.assignment.length);
  for (const m of members) {
    const tps = [...m.assignment].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    for (const tp of tps) {
      assigned.add(tpKey(tp.topic, tp.partition));
      pending.push({ tp, consumerId: m.memberId, host: m.host, clientId: m.clientId });
    }
  }
  const unassigned = [...committed.keys()].filter((k) => !assigned.has(k));
  const unassignedTps = unassigned.map(splitTpKey).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  for (const tp of unassignedTps) pending.push({ tp, consumerId: MISSING, host: MISSING, clientId: MISSING });
  const ends = await endOffsets(admin, pending.map((p) => p.tp));
  return pending.map((p) => {
    const c = committed.get(tpKey(p.tp.topic, p.tp.partition));
    return {
      group: g.groupId,
      topic: p.tp.topic,
      partition: p.tp.partition,
      offset: c && c.offset >= 0 ? c.offset : null,
      logEndOffset: ends.get(tpKey(p.tp.topic, p.tp.partition)) ?? null,
      consumerId: p.consumerId,
      host: p.host,
      clientId: p.clientId,
    };
  });
}

function splitTpKey(k: string): TopicPartitionRef {
  const i = k.lastIndexOf('-');
  return { topic: k.slice(0, i), partition: Number(k.slice(i + 1)) };
}

async function listed(admin: ClusterAdmin, tps: TopicPartitionRef[], spec: 'earliest' | 'latest' | { timestamp: number }): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (tps.length === 0) return out;
  for (const r of await admin.listOffsets(tps.map((tp) => ({ ...tp, spec })))) {
    if (!r.error && r.offset >= 0) out.set(tpKey(r.topic, r.partition), r.offset);
  }
  return out;
}

const endOffsets = (admin: ClusterAdmin, tps: TopicPartitionRef[]): Promise<Map<string, number>> => listed(admin, tps, 'latest');
const startOffsets = (admin: ClusterAdmin, tps: TopicPartitionRef[]): Promise<Map<string, number>> => listed(admin, tps, 'earliest');

export function formatMembers(g: GroupInfo, verbose: boolean): string {
  const withInstance = g.members.some((m) => (m.groupInstanceId ?? '') !== '');
  const gw = Math.max(15, g.groupId.length);
  const cw = Math.max(15, ...g.members.map((m) => m.memberId.length));
  const iw = Math.max(17, ...g.members.map((m) => (m.groupInstanceId ?? '').length));
  const hw = Math.max(15, ...g.members.map((m) => m.host.length));
  const lw = Math.max(15, ...g.members.map((m) => m.clientId.length));
  const cols = (v: string[]): string =>
    withInstance
      ? `${padRight(v[0]!, gw)} ${padRight(v[1]!, cw)} ${padRight(v[2]!, iw)} ${padRight(v[3]!, hw)} ${padRight(v[4]!, lw)} ${padRight(v[5]!, 15)} `
      : `${padRight(v[0]!, gw)} ${padRight(v[1]!, cw)} ${padRight(v[3]!, hw)} ${padRight(v[4]!, lw)} ${padRight(v[5]!, 15)} `;
  let out = '\n' + cols(['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS']) + (verbose ? 'ASSIGNMENT' : '') + '\n';
  for (const m of g.members) {
    out += cols([g.groupId, m.memberId, m.groupInstanceId ?? '', m.host, m.clientId, String(m.assignment.length)]);
    if (verbose) {
      const byTopic = new Map<string, number[]>();
      for (const tp of m.assignment) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
      out += m.assignment.length === 0 ? MISSING : [...byTopic].map(([t, ps]) => `${t}(${ps.sort((a, b) => a - b).join(',')})`).sort().join(', ');
    }
    out += '\n';
  }
  return out;
}

export function formatState(g: GroupInfo): string {
  const coordinator = g.coordinator ? `${g.coordinator.host}:${g.coordinator.port}  (${g.coordinator.id})` : MISSING;
  const w = Math.max(25, coordinator.length);
  const line = (v: string[]): string => `\n${padRight(v[0]!, w)} ${padRight(v[1]!, 25)} ${padRight(v[2]!, 20)} ${padRight(v[3]!, 15)} ${v[4]}`;
  return line(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS']) + line([g.groupId, coordinator, g.protocol, g.state, String(g.members.length)]) + '\n';
}

async function deleteGroups(ctx: Context, admin: ClusterAdmin): Promise<number> {
  const ids = await groupIds(ctx.args, admin);
  const results = await admin.deleteGroups(ids);
  const ok = [...results].filter(([, e]) => e === null).map(([g]) => g);
  const failed = [...results].filter(([, e]) => e !== null);
  if (failed.length === 0) {
    await ctx.out(`Deletion of requested consumer groups (${ok.map((g) => `'${g}'`).join(', ')}) was successful.`);
    return 0;
  }
  await ctx.out('\nError: Deletion of some consumer groups failed:');
  for (const [g, e] of failed) await ctx.out(`* Group '${g}' could not be deleted due to: ${e}`);
  if (ok.length) await ctx.out(`\nThese consumer groups were deleted successfully: ${ok.map((g) => `'${g}'`).join(', ')}`);
  return 1;
}

/** `topic` or `topic:0,1,2` arguments to partitions (topics without a list expand to all their partitions). */
async function partitionsOf(admin: ClusterAdmin, topicArgs: string[]): Promise<TopicPartitionRef[]> {
  const out: TopicPartitionRef[] = [];
  const whole: string[] = [];
  for (const t of topicArgs) {
    const i = t.indexOf(':');
    if (i < 0) {
      whole.push(t);
      continue;
    }
    const topic = t.slice(0, i);
    for (const p of t.slice(i + 1).split(',')) {
      if (!/^\d+$/.test(p.trim())) throw new UsageError(`Invalid partition '${p}' specified in topic arg '${t}''`);
      out.push({ topic, partition: Number(p.trim()) });
    }
  }
  if (whole.length) {
    for (const d of await admin.describeTopics(whole)) for (const p of d.partitions) out.push({ topic: d.name, partition: p.partition });
  }
  return out;
}

interface ResetResult {
  group: string;
  offsets: (TopicPartitionRef & { offset: number })[];
}

async function resetOffsets(ctx: Context, admin: ClusterAdmin): Promise<number> {
  const args = ctx.args;
  const execute = args.has('execute');
  if (!execute && !args.has('dry-run')) {
    await ctx.err('WARN: No action will be performed as the --execute option is missing.In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.');
  }
  const ids = await groupIds(args, admin);
  const groups = await admin.describeGroups(ids);
  const results: ResetResult[] = [];
  let failed = false;
  const plan = args.has('from-file') ? readResetPlan(args) : null;
  for (const g of groups) {
    if (g.state !== 'Empty' && g.state !== 'Dead') {
      await ctx.out(`\nError: Assignments can only be reset if the group '${g.groupId}' is inactive, but the current state is ${g.state}.`);
      results.push({ group: g.groupId, offsets: [] });
      failed = true;
      continue;
    }
    let tps: TopicPartitionRef[];
    if (plan) tps = (plan.get(g.groupId) ?? []).map(({ topic, partition }) => ({ topic, partition }));
    else if (args.has('all-topics')) tps = [...(await admin.listGroupOffsets(g.groupId)).keys()].map(splitTpKey);
    else if (args.has('topic')) tps = await partitionsOf(admin, args.all('topic'));
    else throw new UsageError('One of the reset scopes should be defined: --all-topics, --topic.');
    tps.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    const offsets = await prepareOffsets(ctx, admin, g.groupId, tps, plan);
    if (execute && offsets.length) await admin.alterGroupOffsets(g.groupId, offsets);
    results.push({ group: g.groupId, offsets });
  }
  if (args.has('export')) {
    const single = results.length === 1 && args.all('group').length === 1;
    const lines = results.flatMap((r) => r.offsets.map((o) => (single ? `${o.topic},${o.partition},${o.offset}` : `${r.group},${o.topic},${o.partition},${o.offset}`)));
    await ctx.out(lines.join('\n'));
  } else {
    let out = '';
    const line = (v: string[]): string => `\n${padRight(v[0]!, 30)} ${padRight(v[1]!, 30)} ${padRight(v[2]!, 10)} ${padRight(v[3]!, 15)}`;
    if (results.length) out += line(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET']);
    for (const r of results) for (const o of r.offsets) out += line([r.group, o.topic, String(o.partition), String(o.offset)]);
    await write(ctx.io.stdout, out + '\n');
  }
  return failed ? 1 : 0;
}

function readResetPlan(args: ParsedArgs): Map<string, (TopicPartitionRef & { offset: number })[]> {
  const path = args.value('from-file')!;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CommandError(`Error: cannot read reset plan ${path}: ${describeError(e)}`);
  }
  const single = args.all('group').length === 1 ? args.value('group')! : null;
  const out = new Map<string, (TopicPartitionRef & { offset: number })[]>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const f = line.split(',');
    let group: string, topic: string, p: string, o: string;
    if (f.length === 3 && single) [group, topic, p, o] = [single, f[0]!, f[1]!, f[2]!];
    else if (f.length === 4) [group, topic, p, o] = [f[0]!, f[1]!, f[2]!, f[3]!];
    else throw new CommandError(`Error: invalid reset plan line '${line}': expected topic,partition,offset or group,topic,partition,offset`);
    const list = out.get(group) ?? [];
    list.push({ topic, partition: parseInteger('from-file', p), offset: parseInteger('from-file', o) });
    out.set(group, list);
  }
  return out;
}

async function prepareOffsets(
  ctx: Context,
  admin: ClusterAdmin,
  group: string,
  tps: TopicPartitionRef[],
  plan: Map<string, (TopicPartitionRef & { offset: number })[]> | null,
): Promise<(TopicPartitionRef & { offset: number })[]> {
  const args = ctx.args;
  const fromLog = async (spec: 'earliest' | 'latest', what: string): Promise<(TopicPartitionRef & { offset: number })[]> => {
    const m = await listed(admin, tps, spec);
    return tps.map((tp) => {
      const o = m.get(tpKey(tp.topic, tp.partition));
      if (o === undefined) throw new UsageError(`Error getting ${what} offset of topic partition: ${tp.topic}-${tp.partition}`);
      return { ...tp, offset: o };
    });
  };
  if (args.has('to-earliest')) return fromLog('earliest', 'starting');
  if (args.has('to-latest')) return fromLog('latest', 'ending');
  if (args.has('to-offset')) {
    const off = parseInteger('to-offset', args.value('to-offset')!);
    return checkRange(ctx, admin, tps.map((tp) => ({ ...tp, offset: off })));
  }
  if (args.has('shift-by')) {
    const by = parseInteger('shift-by', args.value('shift-by')!);
    const committed = await admin.listGroupOffsets(group);
    const wanted = tps.map((tp) => {
      const c = committed.get(tpKey(tp.topic, tp.partition));
      if (!c) throw new UsageError(`Cannot shift offset for partition ${tp.topic}-${tp.partition} since there is no current committed offset`);
      return { ...tp, offset: c.offset + by };
    });
    return checkRange(ctx, admin, wanted);
  }
  if (args.has('to-datetime') || args.has('by-duration')) {
    let ts: number;
    try {
      ts = args.has('to-datetime') ? parseDateTime(args.value('to-datetime')!) : Date.now() - parseIsoDuration(args.value('by-duration')!);
    } catch (e) {
      throw new UsageError(describeError(e));
    }
    const byTime = await listed(admin, tps, { timestamp: ts });
    const empty = tps.filter((tp) => !byTime.has(tpKey(tp.topic, tp.partition)));
    for (const tp of empty) await ctx.out(`\nWarn: Partition ${tp.partition} from topic ${tp.topic} is empty. Falling back to latest known offset.`);
    const ends = await endOffsets(admin, empty);
    return tps.map((tp) => {
      const k = tpKey(tp.topic, tp.partition);
      const o = byTime.get(k) ?? ends.get(k);
      if (o === undefined) throw new UsageError(`Error getting offset by timestamp of topic partition: ${tp.topic}-${tp.partition}`);
      return { ...tp, offset: o };
    });
  }
  if (plan) {
    const entries = plan.get(group);
    if (!entries) {
      await ctx.out(`\nError: No reset plan for group ${group} found`);
      return [];
    }
    return checkRange(ctx, admin, entries);
  }
  // --to-current: committed offsets, or the log end for partitions without one.
  const committed = await admin.listGroupOffsets(group);
  const without = tps.filter((tp) => !committed.has(tpKey(tp.topic, tp.partition)));
  const ends = await endOffsets(admin, without);
  return tps.map((tp) => {
    const k = tpKey(tp.topic, tp.partition);
    const o = committed.get(k)?.offset ?? ends.get(k);
    if (o === undefined) throw new UsageError(`Error getting ending offset of topic partition: ${tp.topic}-${tp.partition}`);
    return { ...tp, offset: o };
  });
}

/** Clamps requested offsets into [log start, log end] with Kafka's warnings. */
async function checkRange(ctx: Context, admin: ClusterAdmin, wanted: (TopicPartitionRef & { offset: number })[]): Promise<(TopicPartitionRef & { offset: number })[]> {
  const tps = wanted.map(({ topic, partition }) => ({ topic, partition }));
  const starts = await startOffsets(admin, tps);
  const ends = await endOffsets(admin, tps);
  const out: (TopicPartitionRef & { offset: number })[] = [];
  for (const w of wanted) {
    const k = tpKey(w.topic, w.partition);
    const end = ends.get(k);
    const start = starts.get(k);
    let offset = w.offset;
    if (end !== undefined && offset > end) {
      await ctx.err(`WARN New offset (${offset}) is higher than latest offset for topic partition ${k}. Value will be set to ${end}`);
      offset = end;
    } else if (start !== undefined && offset < start) {
      await ctx.err(`WARN New offset (${offset}) is lower than earliest offset for topic partition ${k}. Value will be set to ${start}`);
      offset = start;
    }
    out.push({ ...w, offset });
  }
  return out;
}

async function deleteOffsets(ctx: Context, admin: ClusterAdmin): Promise<number> {
  const group = ctx.args.value('group')!;
  const topics = ctx.args.all('topic');
  let tps: TopicPartitionRef[] = [];
  const rows: { topic: string; partition: number; error?: string }[] = [];
  for (const t of topics) {
    try {
      tps = tps.concat(await partitionsOf(admin, [t]));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      rows.push({ topic: t, partition: -1, error: describeError(e) });
    }
  }
  let top: string | null = null;
  try {
    for (const r of await admin.deleteGroupOffsets(group, tps)) rows.push({ topic: r.topic, partition: r.partition, error: r.error ? r.errorMessage ?? r.error : undefined });
  } catch (e) {
    top = e instanceof ClusterError ? e.errorName : describeError(e);
  }
  const topMessages: Record<string, string> = {
    INVALID_GROUP_ID: `'${group}' is not valid.`,
    GROUP_ID_NOT_FOUND: `'${group}' does not exist.`,
    GROUP_AUTHORIZATION_FAILED: `Access to '${group}' is not authorized.`,
    NON_EMPTY_GROUP: `Deleting offsets of a consumer group '${group}' is forbidden if the group is not empty.`,
  };
  const partitionFailed = rows.some((r) => r.error);
  if (top === null && !partitionFailed) await ctx.out(`Request succeed for deleting offsets with topic ${topics.join(', ')} group ${group}`);
  else if (top !== null && topMessages[top]) await ctx.out(`\nError: ${topMessages[top]}`);
  else if (top === null || ['GROUP_SUBSCRIBED_TO_TOPIC', 'TOPIC_AUTHORIZATION_FAILED', 'UNKNOWN_TOPIC_OR_PARTITION'].includes(top)) await ctx.out('\nError: Encounter some partition level error, see the follow-up details:');
  else await ctx.out(`\nError: Encounter some unknown error: ${top}`);
  await ctx.out(`\n${padRight('TOPIC', 30)} ${padRight('PARTITION', 15)} ${padRight('STATUS', 15)}`);
  rows.sort((a, b) => (a.topic + a.partition).localeCompare(b.topic + b.partition));
  for (const r of rows) {
    await ctx.out(`${padRight(r.topic, 30)} ${padRight(r.partition >= 0 ? String(r.partition) : 'Not Provided', 15)} ${padRight(r.error ? `Error: ${r.error}` : 'Successful', 15)}`);
  }
  return top === null && !partitionFailed ? 0 : 1;
}
