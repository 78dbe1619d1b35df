// kafka-console-consumer.sh: consumes a topic (group subscription, or one partition from an offset) and prints
// each record through a message formatter, then "Processed a total of N messages" on stderr, like Kafka's tool.
import { Consumer } from '../../client/index.js';
import { type CommandSpec, type ParsedArgs, UsageError, parseKeyValues } from '../lib/args.js';
import { CommandError, describeError, readPropertiesFile, runCommand } from '../lib/command.js';
import { clientProps, includeRegExp } from '../lib/connect.js';
import { createFormatter, type RawRecord } from '../lib/formatters.js';
import { write, type CliIo } from '../lib/io.js';

export const summary = 'Read data from Kafka topics and print it to standard output (kafka-console-consumer.sh).';

export const spec: CommandSpec = {
  name: 'console-consumer',
  description: 'This tool helps to read data from Kafka topics and outputs it to standard output.',
  options: [
    { name: 'topic', arg: 'required', argName: 'String: topic', description: 'The topic to consume on.' },
    { name: 'include', arg: 'required', argName: 'String: Java regex (String)', description: "Regular expression specifying list of topics to include for consumption.", aliases: ['whitelist'] },
    { name: 'partition', arg: 'required', argName: 'Integer: partition', description: 'The partition to consume from. Consumption starts from the end of the partition unless \'--offset\' is specified.' },
    { name: 'offset', arg: 'required', argName: 'String: consume offset', description: "The offset to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end", defaultValue: 'latest' },
    { name: 'consumer-property', arg: 'required', argName: 'String: consumer_prop', description: 'A mechanism to pass user-defined properties in the form key=value to the consumer.' },
    { name: 'consumer.config', arg: 'required', argName: 'String: config file', description: 'Consumer config properties file. Note that [consumer-property] takes precedence over this config.' },
    { name: 'formatter', arg: 'required', argName: 'String: class', description: 'The name of a class to use for formatting kafka messages for display.', defaultValue: 'kafka.tools.DefaultMessageFormatter' },
    {
      name: 'property',
      arg: 'required',
      argName: 'String: prop',
      description:
        'The properties to initialize the message formatter. Default properties include: print.timestamp=true|false print.key=true|false print.offset=true|false print.partition=true|false print.headers=true|false print.value=true|false key.separator=<key.separator> line.separator=<line.separator> headers.separator=<line.separator> null.literal=<null.literal> key.deserializer=<key.deserializer> value.deserializer=<value.deserializer> header.deserializer=<header.deserializer>',
    },
    { name: 'formatter-config', arg: 'required', argName: 'String: config file', description: 'Config properties file to initialize the message formatter. Note that [property] takes precedence over this config.' },
    { name: 'from-beginning', description: 'If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message.' },
    { name: 'max-messages', arg: 'required', argName: 'Integer: num_messages', description: 'The maximum number of messages to consume before exiting. If not set, consumption is continual.' },
    { name: 'timeout-ms', arg: 'required', argName: 'Integer: timeout_ms', description: 'If specified, exit if no message is available for consumption for the specified interval.' },
    { name: 'skip-message-on-error', description: 'If there is an error when processing a message, skip it instead of halt.' },
    { name: 'bootstrap-server', arg: 'required', argName: 'String: server to connect to', description: 'REQUIRED: The server(s) to connect to.' },
    { name: 'key-deserializer', arg: 'required', argName: 'String: deserializer for key', description: 'The deserializer for the key when print.key=true.' },
    { name: 'value-deserializer', arg: 'required', argName: 'String: deserializer for values', description: 'The deserializer for the value.' },
    { name: 'enable-systest-events', description: 'Log lifecycle events of the consumer in addition to logging consumed messages. (This is specific for system tests.)' },
    { name: 'isolation-level', arg: 'required', argName: 'String', description: 'Set to read_committed in order to filter out transactional messages which are not committed. Set to read_uncommitted to read all messages.', defaultValue: 'read_uncommitted' },
    { name: 'group', arg: 'required', argName: 'String: consumer group id', description: 'The consumer group id of the consumer.' },
  ],
};

type StartOffset = 'earliest' | 'latest' | number;

interface Plan {
  props: Record<string, string>;
  topic?: string;
  include?: string;
  partition?: number;
  offset: StartOffset;
  maxMessages: number;
  timeoutMs: number;
}

export function plan(args: ParsedArgs): Plan {
  const topic = args.value('topic');
  const include = args.value('include');
  if ((topic === undefined) === (include === undefined)) throw new UsageError('Exactly one of --include/--topic is required. ');
  if (include !== undefined && !includeRegExp(include)) throw new UsageError(`Invalid --include regular expression: ${include}`);
  const partition = args.int('partition');
  const fromBeginning = args.has('from-beginning');
  if (partition !== undefined) {
    if (topic === undefined) throw new UsageError('The topic is required when partition is specified.');
    if (fromBeginning && args.has('offset')) throw new UsageError('Options from-beginning and offset cannot be specified together.');
  } else if (args.has('offset')) {
    throw new UsageError('The partition is required when offset is specified.');
  }
  let offset: StartOffset = fromBeginning ? 'earliest' : 'latest';
  if (args.has('offset')) {
    const o = args.value('offset')!.toLowerCase();
    if (o === 'earliest' || o === 'latest') offset = o;
    else if (/^\d+$/.test(o) && Number.isSafeInteger(Number(o))) offset = Number(o);
    else throw new UsageError(`The provided offset value '${args.value('offset')}' is incorrect. Valid values are 'earliest', 'latest', or a non-negative long.`);
  }
  const bootstrap = args.value('bootstrap-server');
  if (!bootstrap) throw new UsageError('Missing required argument "[bootstrap-server]"');
  const fileProps = args.has('consumer.config') ? readPropertiesFile(args.value('consumer.config')!) : new Map<string, string>();
  const extra = parseKeyValues(args.all('consumer-property'));
  const groups = new Set([args.value('group'), fileProps.get('group.id'), extra.get('group.id')].filter((g): g is string => g !== undefined));
  if (groups.size > 1) {
    throw new UsageError(
      `The group ids provided in different places (directly using '--group', via '--consumer-property', or via '--consumer.config') do not match. Detected group ids: ${[...groups].map((g) => `'${g}'`).join(', ')}`,
    );
  }
  const props = clientProps(args, { fileOption: 'consumer.config', propertyOption: 'consumer-property' });
  if (groups.size === 1) {
    props['group.id'] = [...groups][0]!;
    if (partition !== undefined) throw new UsageError('Options group and partition cannot be specified together.');
  } else {
    props['group.id'] = `console-consumer-${Math.floor(Math.random() * 100000)}`;
    // The generated group is never reused: do not fill the coordinator with its offsets.
    props['enable.auto.commit'] ??= 'false';
  }
  if (props['auto.offset.reset'] !== undefined) {
    if (fromBeginning && props['auto.offset.reset'] !== 'earliest') {
      throw new CommandError(`Can't simultaneously specify --from-beginning and 'auto.offset.reset=${props['auto.offset.reset']}', please remove one option`);
    }
  } else {
    props['auto.offset.reset'] = fromBeginning ? 'earliest' : 'latest';
  }
  props['bootstrap.servers'] = bootstrap;
  props['client.id'] ??= 'console-consumer';
  if (args.has('isolation-level') || props['isolation.level'] === undefined) props['isolation.level'] = args.value('isolation-level') ?? 'read_uncommitted';
  if (!['read_committed', 'read_uncommitted'].includes(props['isolation.level']!)) {
    throw new UsageError(`Invalid value ${props['isolation.level']} for configuration isolation.level: String must be one of: read_committed, read_uncommitted`);
  }
  props['key.deserializer'] = 'org.apache.kafka.common.serialization.ByteArrayDeserializer';
  props['value.deserializer'] = 'org.apache.kafka.common.serialization.ByteArrayDeserializer';
  const maxMessages = args.int('max-messages') ?? -1;
  const timeoutMs = args.int('timeout-ms') ?? -1;
  return { props, topic, include, partition, offset, maxMessages, timeoutMs };
}

function formatterProps(args: ParsedArgs): Map<string, string> {
  const props = args.has('formatter-config') ? readPropertiesFile(args.value('formatter-config')!) : new Map<string, string>();
  for (const [k, v] of parseKeyValues(args.all('property'))) props.set(k, v);
  if (args.value('key-deserializer')) props.set('key.deserializer', args.value('key-deserializer')!);
  if (args.value('value-deserializer')) props.set('value.deserializer', args.value('value-deserializer')!);
  return props;
}

export async function run(argv: string[], io?: CliIo): Promise<number> {
  return runCommand(spec, argv, io, async (ctx) => {
    const p = plan(ctx.args);
    const formatter = createFormatter(ctx.args.value('formatter') ?? 'kafka.tools.DefaultMessageFormatter', formatterProps(ctx.args));
    const consumer = new Consumer<Buffer, Buffer>(p.props);
    let count = 0;
    let stopping = false;
    const stop = (): void => {
      stopping = true;
      consumer.wakeup(); // a poll in progress returns at once
    };
    // Ctrl-C ends consumption cleanly (offsets committed, group left, count printed), like Kafka's shutdown hook.
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Nobody reads our output any more (e.g. `| head -1`): stop consuming, as Kafka's checkErr does.
    let outputClosed = false;
    const onOutputError = (): void => {
      if (!outputClosed) ctx.io.stderr.write('Unable to write to standard out, closing consumer.\n');
      outputClosed = true;
      stop();
    };
    ctx.io.stdout.on('error', onOutputError);
    let exitCode = 0;
    try {
      if (p.partition !== undefined) {
        const tp = { topic: p.topic!, partition: p.partition };
        consumer.assign([tp]);
        if (p.offset === 'earliest') await consumer.seekToBeginning([tp]);
        else if (p.offset === 'latest') await consumer.seekToEnd([tp]);
        else consumer.seek(tp, p.offset);
      } else if (p.topic !== undefined) {
        consumer.subscribe([p.topic]);
      } else {
        consumer.subscribe(includeRegExp(p.include!)!);
      }
      const timeout = p.timeoutMs >= 0 ? p.timeoutMs : Infinity;
      let idleSince = Date.now();
      outer: while (!stopping && (p.maxMessages < 0 || count < p.maxMessages)) {
        // Poll in short slices so Ctrl-C and --timeout-ms are noticed promptly.
        const slice = Math.max(0, Math.min(500, timeout === Infinity ? 500 : timeout - (Date.now() - idleSince)));
        const records = await consumer.poll(slice);
        let got = false;
        for (const r of records) {
          if (stopping) break;
          got = true;
          count++;
          const raw: RawRecord = {
            topic: r.topic,
            partition: r.partition,
            offset: r.offset,
            timestamp: r.timestamp,
            timestampType: r.timestamp < 0 ? 'NoTimestampType' : r.timestampType,
            key: r.key,
            value: r.value,
            headers: r.headers,
            leaderEpoch: r.leaderEpoch,
          };
          try {
            const bytes = formatter.format(raw);
            if (bytes.length && !outputClosed) await write(ctx.io.stdout, bytes);
          } catch (e) {
            if (!ctx.args.has('skip-message-on-error')) throw e;
            await ctx.err(`ERROR Error processing message, skipping this message: ${describeError(e)}`);
          }
          if (p.maxMessages >= 0 && count >= p.maxMessages) {
            // Do not commit past what was printed: rewind to the first record not consumed.
            await rewindUnconsumed(consumer, records, r);
            break outer;
          }
        }
        if (got) idleSince = Date.now();
        else if (Date.now() - idleSince >= timeout) {
          await ctx.err('ERROR Error processing message, terminating consumer process:  org.apache.kafka.common.errors.TimeoutException');
          break;
        }
      }
    } catch (e) {
      await ctx.err(`ERROR Error processing message, terminating consumer process: ${describeError(e)}`);
      exitCode = 1;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      ctx.io.stdout.off('error', onOutputError);
      await consumer.close().catch(() => {});
      await ctx.err(`Processed a total of ${count} messages`);
    }
    return exitCode;
  });
}

/** After stopping mid-batch, seeks each partition back to its first unprinted record so auto-commit skips none. */
async function rewindUnconsumed(consumer: Consumer<Buffer, Buffer>, records: Iterable<{ topic: string; partition: number; offset: number }>, last: { topic: string; partition: number; offset: number }): Promise<void> {
  let after = false;
  const seen = new Set<string>();
  for (const r of records) {
    if (after) {
      const key = `${r.topic}\u0000${r.partition}`;
      if (!seen.has(key)) {
        seen.add(key);
        consumer.seek({ topic: r.topic, partition: r.partition }, r.offset);
      }
    }
    if (r === last) after = true;
  }
}
