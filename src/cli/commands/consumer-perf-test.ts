// kafka-consumer-perf-test.sh (ConsumerPerformance): consumes --messages records from --topic with a group and
// prints Kafka's CSV summary (start.time, end.time, data.consumed.in.MB, MB.sec, ...), or per-interval lines with
// --show-detailed-stats.
import { Consumer } from '../../client/index.js';
import { type CommandSpec, UsageError, parseInteger } from '../lib/args.js';
import { readPropertiesFile, runCommand, type Context } from '../lib/command.js';
import { fixed } from '../lib/format.js';
import type { CliIo } from '../lib/io.js';

export const summary = 'Consumer throughput test (kafka-consumer-perf-test.sh).';

export const spec: CommandSpec = {
  name: 'consumer-perf-test',
  description: 'This tool helps in performance test for the full zookeeper consumer',
  options: [
    { name: 'bootstrap-server', arg: 'required', argName: 'String: server to connect to', description: 'REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to.' },
    { name: 'broker-list', arg: 'required', argName: 'String: broker-list', description: 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified.  The broker list string in the form HOST1:PORT1,HOST2:PORT2.' },
    { name: 'topic', arg: 'required', argName: 'String: topic', description: 'REQUIRED: The topic to consume from.' },
    { name: 'group', arg: 'required', argName: 'String: gid', description: 'The group id to consume on.', defaultValue: 'perf-consumer-<random>' },
    { name: 'fetch-size', arg: 'required', argName: 'Integer: size', description: 'The amount of data to fetch in a single request.', defaultValue: '1048576' },
    { name: 'from-latest', description: 'If the consumer does not already have an established offset to consume from, start with the latest message present in the log rather than the earliest message.' },
    { name: 'socket-buffer-size', arg: 'required', argName: 'Integer: size', description: 'The size of the tcp RECV size.', defaultValue: '2097152' },
    { name: 'threads', arg: 'required', argName: 'Integer: count', description: 'DEPRECATED AND IGNORED: Number of processing threads.', defaultValue: '10' },
    { name: 'num-fetch-threads', arg: 'required', argName: 'Integer: count', description: 'DEPRECATED AND IGNORED: Number of fetcher threads.', defaultValue: '1' },
    { name: 'consumer.config', arg: 'required', argName: 'String: config file', description: 'Consumer config properties file.' },
    { name: 'print-metrics', description: 'Print out the metrics.' },
    { name: 'show-detailed-stats', description: 'If set, stats are reported for each reporting interval as configured by reporting-interval' },
    { name: 'timeout', arg: 'required', argName: 'Long: milliseconds', description: 'The maximum allowed time in milliseconds between returned records.', defaultValue: '10000' },
    { name: 'messages', arg: 'required', argName: 'Long: count', description: 'REQUIRED: The number of messages to send or consume' },
    { name: 'reporting-interval', arg: 'required', argName: 'Integer: interval_ms', description: 'Interval in milliseconds at which to print progress info.', defaultValue: '5000' },
    { name: 'date-format', arg: 'required', argName: 'String: date format', description: 'The date format to use for formatting the time field. See java.text.SimpleDateFormat for options.', defaultValue: 'yyyy-MM-dd HH:mm:ss:SSS' },
    { name: 'hide-header', description: 'If set, skips printing the header for the stats ' },
  ],
};

/** A java.text.SimpleDateFormat subset (yyyy MM dd HH mm ss SSS and literals) for the time columns. */
export function simpleDateFormat(pattern: string, ms: number): string {
  const d = new Date(ms);
  const p = (v: number, w: number): string => String(v).padStart(w, '0');
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss|SSS/g, (t) => {
    switch (t) {
      case 'yyyy':
        return p(d.getFullYear(), 4);
      case 'MM':
        return p(d.getMonth() + 1, 2);
      case 'dd':
        return p(d.getDate(), 2);
      case 'HH':
        return p(d.getHours(), 2);
      case 'mm':
        return p(d.getMinutes(), 2);
      case 'ss':
        return p(d.getSeconds(), 2);
      default:
        return p(d.getMilliseconds(), 3);
    }
  });
}

const HEADER_EXTRA = ', rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
const MB = 1024 * 1024;

export async function run(argv: string[], io?: CliIo): Promise<number> {
  return runCommand(spec, argv, io, async (ctx: Context) => {
    const args = ctx.args;
    if (!args.has('topic')) throw new UsageError('Missing required argument "[topic]"');
    if (!args.has('messages')) throw new UsageError('Missing required argument "[messages]"');
    const bootstrap = args.value('bootstrap-server') ?? args.value('broker-list');
    if (!bootstrap) throw new UsageError('Missing required argument "[bootstrap-server]"');
    if (args.has('threads') || args.has('num-fetch-threads')) await ctx.out('WARNING: option [threads] and [num-fetch-threads] have been deprecated and will be ignored by the test');
    const count = parseInteger('messages', args.value('messages')!);
    const timeout = parseInteger('timeout', args.value('timeout') ?? '10000');
    const interval = parseInteger('reporting-interval', args.value('reporting-interval') ?? '5000');
    if (interval <= 0) throw new UsageError('Reporting interval must be greater than 0.');
    const detailed = args.has('show-detailed-stats');
    const fmt = args.value('date-format') ?? 'yyyy-MM-dd HH:mm:ss:SSS';
    const props: Record<string, string> = {};
    if (args.has('consumer.config')) for (const [k, v] of readPropertiesFile(args.value('consumer.config')!)) props[k] = v;
    props['bootstrap.servers'] = bootstrap;
    props['group.id'] = args.value('group') ?? `perf-consumer-${Math.floor(Math.random() * 100000)}`;
    props['receive.buffer.bytes'] = args.value('socket-buffer-size') ?? '2097152';
    props['max.partition.fetch.bytes'] = args.value('fetch-size') ?? '1048576';
    props['auto.offset.reset'] = args.has('from-latest') ? 'latest' : 'earliest';
    props['key.deserializer'] = 'org.apache.kafka.common.serialization.ByteArrayDeserializer';
    props['value.deserializer'] = 'org.apache.kafka.common.serialization.ByteArrayDeserializer';
    props['check.crcs'] = 'false';
    props['client.id'] ??= 'perf-consumer-client';

    if (!args.has('hide-header')) {
      await ctx.out((detailed ? 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec' : 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec') + HEADER_EXTRA);
    }
    const consumer = new Consumer<Buffer, Buffer>(props);
    let joinTime = 0;
    let joinRound = 0;
    let joinStart = Date.now();
    let bytes = 0;
    let messages = 0;
    const startMs = Date.now();
    try {
      consumer.subscribe([args.value('topic')!], {
        onPartitionsAssigned: () => {
          joinTime += Date.now() - joinStart;
          joinRound += Date.now() - joinStart;
        },
        onPartitionsRevoked: () => {
          joinStart = Date.now();
        },
      });
      let now = Date.now();
      let lastReport = now;
      let lastConsumed = now;
      let lastBytes = 0;
      let lastMessages = 0;
      while (messages < count && now - lastConsumed <= timeout) {
        const records = await consumer.poll(100);
        now = Date.now();
        let any = false;
        for (const r of records) {
          any = true;
          messages++;
          if (r.key) bytes += r.key.length;
          if (r.value) bytes += r.value.length;
          if (now - lastReport >= interval) {
            if (detailed) {
              const elapsed = now - lastReport;
              const fetchMs = elapsed - joinRound;
              const intervalMb = (bytes - lastBytes) / MB;
              const intervalMsgs = messages - lastMessages;
              await ctx.out(
                `${simpleDateFormat(fmt, now)}, 0, ${fixed(bytes / MB, 4)}, ${fixed((1000 * intervalMb) / elapsed, 4)}, ${messages}, ${fixed((intervalMsgs / elapsed) * 1000, 4)}` +
                  `, ${joinRound}, ${fetchMs}, ${fixed(fetchMs <= 0 ? 0 : (1000 * intervalMb) / fetchMs, 4)}, ${fixed(fetchMs <= 0 ? 0 : (1000 * intervalMsgs) / fetchMs, 4)}`,
              );
            }
            joinRound = 0;
            lastReport = now;
            lastMessages = messages;
            lastBytes = bytes;
          }
        }
        if (any) lastConsumed = now;
      }
      if (messages < count) await ctx.out(`WARNING: Exiting before consuming the expected number of messages: timeout (${timeout} ms) exceeded. You can use the --timeout option to increase the timeout.`);
    } finally {
      await consumer.close().catch(() => {});
    }
    const endMs = Date.now();
    if (!detailed) {
      const secs = (endMs - startMs) / 1000;
      const fetchMs = endMs - startMs - joinTime;
      const mb = bytes / MB;
      await ctx.out(
        `${simpleDateFormat(fmt, startMs)}, ${simpleDateFormat(fmt, endMs)}, ${fixed(mb, 4)}, ${fixed(mb / secs, 4)}, ${messages}, ${fixed(messages / secs, 4)}, ` +
          `${joinTime}, ${fetchMs}, ${fixed(mb / (fetchMs / 1000), 4)}, ${fixed(messages / (fetchMs / 1000), 4)}`,
      );
    }
    return messages < count ? 1 : 0;
  });
}
