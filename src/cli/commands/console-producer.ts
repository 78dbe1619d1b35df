// kafka-console-producer.sh: reads lines from standard input and produces one record per line, with Kafka's
// LineMessageReader properties (parse.key, key.separator, parse.headers, null.marker, ...) and producer flags.
import { createInterface } from 'node:readline';
import { Producer } from '../../client/index.js';
import { type CommandSpec, UsageError, parseKeyValues } from '../lib/args.js';
import { CommandError, describeError, readPropertiesFile, runCommand } from '../lib/command.js';
import { clientProps } from '../lib/connect.js';
import type { CliIo } from '../lib/io.js';

export const summary = 'Read lines from standard input and publish them to Kafka (kafka-console-producer.sh).';

const READER_PROPS_HELP =
  'A mechanism to pass user-defined properties in the form key=value to the message reader. Default properties include: parse.key=false parse.headers=false ignore.error=false key.separator=\\t headers.delimiter=\\t headers.separator=, headers.key.separator=: null.marker= (when set, any fields (key, value and headers) equal to this will be replaced by null). Default parsing pattern when parse.headers=true and parse.key=true: "h1:v1,h2:v2...\\tkey\\tvalue"; parse.key=true: "key\\tvalue"; parse.headers=true: "h1:v1,h2:v2...\\tvalue"';

export const spec: CommandSpec = {
  name: 'console-producer',
  description: 'This tool helps to read data from standard input and publish it to Kafka.',
  options: [
    { name: 'topic', arg: 'required', argName: 'String: topic', description: 'REQUIRED: The topic id to produce messages to.' },
    { name: 'bootstrap-server', arg: 'required', argName: 'String: server to connect to', description: 'REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to. The broker list string in the form HOST1:PORT1,HOST2:PORT2.' },
    { name: 'broker-list', arg: 'required', argName: 'String: broker-list', description: 'DEPRECATED, use --bootstrap-server instead; ignored if --bootstrap-server is specified. The broker list string in the form HOST1:PORT1,HOST2:PORT2.' },
    { name: 'sync', description: 'If set message send requests to the brokers are synchronously, one at a time as they arrive.' },
    { name: 'compression-codec', arg: 'optional', argName: 'String: compression-codec', description: "The compression codec: either 'none', 'gzip', 'snappy', 'lz4', or 'zstd'.If specified without value, then it defaults to 'gzip'" },
    { name: 'batch-size', arg: 'required', argName: 'Integer: size', description: 'Number of messages to send in a single batch if they are not being sent synchronously. please note that this option will be replaced if max-partition-memory-bytes is also set', defaultValue: '16384' },
    { name: 'message-send-max-retries', arg: 'required', argName: 'Integer', description: 'This property specifies the number of retries before the producer give up and drop this message. This is the option to control `retries` in producer configs.', defaultValue: '3' },
    { name: 'retry-backoff-ms', arg: 'required', argName: 'Long', description: 'This is the option to control `retry.backoff.ms` in producer configs.', defaultValue: '100' },
    { name: 'timeout', arg: 'required', argName: 'Long: timeout_ms', description: 'If set and the producer is running in asynchronous mode, this gives the maximum amount of time a message will queue awaiting sufficient batch size. The value is given in ms. This is the option to control `linger.ms` in producer configs.', defaultValue: '1000' },
    { name: 'request-required-acks', arg: 'required', argName: 'String: request required acks', description: 'The required `acks` of the producer requests', defaultValue: '-1' },
    { name: 'request-timeout-ms', arg: 'required', argName: 'Integer: request timeout ms', description: 'The ack timeout of the producer requests. Value must be non-negative and non-zero.', defaultValue: '1500' },
    { name: 'metadata-expiry-ms', arg: 'required', argName: 'Long: metadata expiration interval', description: 'This is the option to control `metadata.max.age.ms` in producer configs.', defaultValue: '300000' },
    { name: 'max-block-ms', arg: 'required', argName: 'Long: max block on send', description: 'The max time that the producer will block for during a send request.', defaultValue: '60000' },
    { name: 'max-memory-bytes', arg: 'required', argName: 'Long: total memory in bytes', description: 'This is the option to control `buffer.memory` in producer configs.', defaultValue: '33554432' },
    { name: 'max-partition-memory-bytes', arg: 'required', argName: 'Integer: memory in bytes per partition', description: 'This is the option to control `batch.size` in producer configs.', defaultValue: '16384' },
    { name: 'line-reader', arg: 'required', argName: 'String: reader_class', description: 'The class name of the class to use for reading lines from standard in. By default each line is read as a separate message.', defaultValue: 'kafka.tools.ConsoleProducer$LineMessageReader' },
    { name: 'socket-buffer-size', arg: 'required', argName: 'Integer: size', description: 'This is the option to control `send.buffer.bytes` in producer configs.', defaultValue: '102400' },
    { name: 'property', arg: 'required', argName: 'String: prop', description: READER_PROPS_HELP },
    { name: 'reader-config', arg: 'required', argName: 'String: config file', description: 'Config properties file for the message reader. Note that [property] takes precedence over this config.' },
    { name: 'producer-property', arg: 'required', argName: 'String: producer_prop', description: 'A mechanism to pass user-defined properties in the form key=value to the producer. ' },
    { name: 'producer.config', arg: 'required', argName: 'String: config file', description: 'Producer config properties file. Note that [producer-property] takes precedence over this config.' },
  ],
};

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** Producer properties with ConsoleProducer's precedence: file, then --producer-property, then explicit flags. */
export function producerProps(args: import('../lib/args.js').ParsedArgs): Record<string, string> {
  const bootstrap = args.value('bootstrap-server') ?? args.value('broker-list');
  if (!bootstrap) throw new UsageError('Missing required argument "[bootstrap-server]"');
  const props = clientProps(args, { fileOption: 'producer.config', propertyOption: 'producer-property', bootstrap });
  if (args.has('compression-codec')) {
    const codec = args.value('compression-codec') || 'gzip';
    if (!CODECS.includes(codec)) throw new UsageError(`Invalid compression codec '${codec}': expected one of ${CODECS.join(', ')}`);
    props['compression.type'] = codec;
  }
  props['client.id'] ??= 'console-producer';
  // Flags override the file and --producer-property only when given; otherwise ConsoleProducer's own defaults
  // apply unless a property already set them (CommandLineUtils.maybeMergeOptions).
  const merge = (key: string, opt: string, dflt: string): void => {
    if (args.has(opt) || props[key] === undefined) props[key] = args.value(opt) ?? dflt;
  };
  merge('linger.ms', 'timeout', '1000');
  merge('acks', 'request-required-acks', '-1');
  merge('request.timeout.ms', 'request-timeout-ms', '1500');
  merge('retries', 'message-send-max-retries', '3');
  merge('retry.backoff.ms', 'retry-backoff-ms', '100');
  merge('metadata.max.age.ms', 'metadata-expiry-ms', '300000');
  merge('max.block.ms', 'max-block-ms', '60000');
  merge('buffer.memory', 'max-memory-bytes', '33554432');
  merge('batch.size', args.has('max-partition-memory-bytes') ? 'max-partition-memory-bytes' : 'batch-size', '16384');
  // The console producer sends raw bytes, as Kafka's does with ByteArraySerializer.
  props['key.serializer'] = 'org.apache.kafka.common.serialization.ByteArraySerializer';
  props['value.serializer'] = 'org.apache.kafka.common.serialization.ByteArraySerializer';
  // A request timeout shorter than linger + a round trip makes delivery.timeout.ms invalid in the Java client,
  // which then raises it; do the same so the defaults above are accepted.
  const minDelivery = Number(props['linger.ms']) + Number(props['request.timeout.ms']);
  if (props['delivery.timeout.ms'] === undefined && Number.isFinite(minDelivery)) props['delivery.timeout.ms'] = String(Math.max(120000, minDelivery));
  return props;
}

export interface LineRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

/** Kafka's LineMessageReader: turns one input line into key, value and headers according to the reader props. */
export class LineReader {
  private readonly parseKey: boolean;
  private readonly parseHeaders: boolean;
  private readonly ignoreError: boolean;
  private readonly keySeparator: string;
  private readonly headersDelimiter: string;
  private readonly headersSeparator: RegExp;
  private readonly headersKeySeparator: string;
  private readonly nullMarker: string | undefined;
  lineNumber = 0;

  constructor(props: Map<string, string>) {
    const bool = (k: string): boolean => (props.get(k) ?? 'false').trim().toLowerCase() === 'true';
    this.parseKey = bool('parse.key');
    this.parseHeaders = bool('parse.headers');
    this.ignoreError = bool('ignore.error');
    this.keySeparator = props.get('key.separator') ?? '\t';
    this.headersDelimiter = props.get('headers.delimiter') ?? '\t';
    const headersSeparator = props.get('headers.separator') ?? ',';
    this.headersKeySeparator = props.get('headers.key.separator') ?? ':';
    this.nullMarker = props.get('null.marker');
    const clash = (a: string, b: string, an: string, bn: string): void => {
      if (a === b) throw new UsageError(`${an} and ${bn} may not be equal`);
    };
    clash(this.headersDelimiter, headersSeparator, 'headers.delimiter', 'headers.separator');
    clash(this.headersDelimiter, this.headersKeySeparator, 'headers.delimiter', 'headers.key.separator');
    clash(headersSeparator, this.headersKeySeparator, 'headers.separator', 'headers.key.separator');
    if (this.nullMarker !== undefined) {
      clash(this.keySeparator, this.nullMarker, 'null.marker', 'key.separator');
      clash(headersSeparator, this.nullMarker, 'null.marker', 'headers.separator');
      clash(this.headersDelimiter, this.nullMarker, 'null.marker', 'headers.delimiter');
      clash(this.headersKeySeparator, this.nullMarker, 'null.marker', 'headers.key.separator');
    }
    // Java's Pattern.compile(headers.separator): the separator is a regular expression.
    try {
      this.headersSeparator = new RegExp(headersSeparator);
    } catch {
      this.headersSeparator = new RegExp(headersSeparator.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    }
  }

  private part(enabled: boolean, line: string, start: number, sep: string, what: string): string | null {
    if (!enabled) return null;
    const i = line.indexOf(sep, start);
    if (i < 0) {
      if (this.ignoreError) return null;
      throw new CommandError(`No ${what} found on line number ${this.lineNumber}: '${line}'`);
    }
    return line.slice(start, i);
  }

  private bytes(s: string | null): Buffer | null {
    return s === null || s === this.nullMarker ? null : Buffer.from(s, 'utf8');
  }

  read(line: string): LineRecord {
    this.lineNumber++;
    const headers = this.part(this.parseHeaders, line, 0, this.headersDelimiter, 'headers delimiter');
    const headerOffset = headers === null ? 0 : headers.length + this.headersDelimiter.length;
    const key = this.part(this.parseKey, line, headerOffset, this.keySeparator, 'key separator');
    const keyOffset = key === null ? 0 : key.length + this.keySeparator.length;
    const value = line.slice(headerOffset + keyOffset);
    const out: LineRecord = { key: this.bytes(key), value: this.bytes(value), headers: [] };
    if (headers !== null && headers !== this.nullMarker) {
      for (const pair of headers.split(this.headersSeparator)) {
        const i = pair.indexOf(this.headersKeySeparator);
        if (i < 0) {
          if (this.ignoreError) {
            out.headers.push({ key: pair, value: null });
            continue;
          }
          throw new CommandError(`No header key separator found in pair '${pair}' on line number ${this.lineNumber}`);
        }
        const hk = pair.slice(0, i);
        if (hk === this.nullMarker) throw new CommandError(`Header keys should not be equal to the null marker '${this.nullMarker}' as they can't be null`);
        out.headers.push({ key: hk, value: this.bytes(pair.slice(i + this.headersKeySeparator.length)) });
      }
    }
    return out;
  }
}

/** How many sends may be awaiting their acknowledgement before reading more input (bounded memory). */
const MAX_PENDING = 10_000;

export async function run(argv: string[], io?: CliIo): Promise<number> {
  return runCommand(spec, argv, io, async (ctx) => {
    const args = ctx.args;
    const topic = args.value('topic');
    if (!topic) throw new UsageError('Missing required argument "[topic]"');
    if (args.has('line-reader') && !/LineMessageReader$/.test(args.value('line-reader')!)) {
      throw new UsageError(`Unsupported --line-reader ${args.value('line-reader')}: only the default line reader is available`);
    }
    const readerProps = args.has('reader-config') ? readPropertiesFile(args.value('reader-config')!) : new Map<string, string>();
    for (const [k, v] of parseKeyValues(args.all('property'))) readerProps.set(k, v);
    const reader = new LineReader(readerProps);
    const props = producerProps(args);
    const producer = new Producer<Buffer, Buffer>(props);
    const sync = args.has('sync');
    let failures = 0;
    let pending = 0;
    let wake: (() => void) | null = null;
    const settled = (): void => {
      pending--;
      if (wake) {
        const w = wake;
        wake = null;
        w();
      }
    };
    const interactive = Boolean((ctx.io.stdin as { isTTY?: boolean }).isTTY);
    const lines = createInterface({ input: ctx.io.stdin as NodeJS.ReadableStream, crlfDelay: Infinity, terminal: false });
    const onError = (e: Error, rec: LineRecord): void => {
      failures++;
      // Kafka's ErrorLoggingCallback wording.
      const key = rec.key === null ? 'null' : `${rec.key.length} bytes`;
      const value = rec.value === null ? 'null' : `${rec.value.length} bytes`;
      ctx.io.stderr.write(`Error when sending message to topic ${topic} with key: ${key}, value: ${value} with error: ${describeError(e)}\n`);
    };
    // Ctrl-C ends the input like Ctrl-D: what was typed is still delivered before exiting (Kafka's shutdown hook
    // closes the producer the same way).
    const endInput = (): void => lines.close();
    process.once('SIGINT', endInput);
    process.once('SIGTERM', endInput);
    try {
      if (interactive) ctx.io.stdout.write('>');
      for await (const line of lines) {
        const rec = reader.read(line);
        const record = { topic, key: rec.key, value: rec.value, headers: rec.headers };
        if (sync) {
          await producer.send(record).catch((e: Error) => onError(e, rec));
        } else {
          pending++;
          // The callback form (Java's Callback): no promise per line.
          producer.send(record, (err) => {
            if (err) onError(err, rec);
            settled();
          });
          if (pending >= MAX_PENDING) await new Promise<void>((r) => (wake = r));
        }
        if (interactive) ctx.io.stdout.write('>');
      }
      while (pending > 0) await new Promise<void>((r) => (wake = r));
    } finally {
      process.off('SIGINT', endInput);
      process.off('SIGTERM', endInput);
      lines.close();
      await producer.close();
    }
    return failures > 0 ? 1 : 0;
  });
}
