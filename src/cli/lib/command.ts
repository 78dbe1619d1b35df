// The frame every kafka-* command runs in: --help, the --zookeeper explanation, parsing, and turning any failure
// into one clear line plus a non-zero exit code (never a stack trace for an expected error).
import { loadProperties } from '../../client/config.js';
import { formatHelp, parseArgs, UsageError, type CommandSpec, type OptionSpec, type ParsedArgs } from './args.js';
import { processIo, write, type CliIo } from './io.js';

/** A failure the command has already worded for the user; `stream` picks where Kafka's tool prints it. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    readonly stream: 'stdout' | 'stderr' = 'stderr',
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface Context {
  args: ParsedArgs;
  io: CliIo;
  /** Prints one line (a newline is added) to stdout, waiting on back-pressure. */
  out(line: string): Promise<void>;
  /** Prints one line to stderr. */
  err(line: string): Promise<void>;
}

export const HELP_OPTION: OptionSpec = { name: 'help', description: 'Print usage information.' };
export const VERSION_OPTION: OptionSpec = { name: 'version', description: 'Display Kafka version.' };

/** The Kafka version Gregor's tools report with --version (the protocol level Gregor implements). */
export const KAFKA_VERSION = '3.9.0 (Gregor)';

/**
 * Kafka's tools accepted --zookeeper until 3.0; the seeds still print it. Gregor has no ZooKeeper, so the option is
 * recognised only to explain what to use instead (never silently ignored).
 */
export function zookeeperMessage(script: string): string {
  return (
    `${script}: --zookeeper is not supported: Gregor runs without ZooKeeper (like Kafka 3 in KRaft mode). ` +
    `Use --bootstrap-server <host:port> with a broker's address instead, e.g. --bootstrap-server localhost:9092.`
  );
}

export function scriptName(spec: CommandSpec): string {
  return `kafka-${spec.name}.sh`;
}

export type CommandBody = (ctx: Context) => Promise<number | void>;

/** Formats an unexpected error as one line; errors from the client keep Kafka's error names. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

export async function runCommand(spec: CommandSpec, argv: readonly string[], io: CliIo | undefined, body: CommandBody): Promise<number> {
  const cio = io ?? processIo();
  const out = (line: string): Promise<void> => write(cio.stdout, line + '\n');
  const err = (line: string): Promise<void> => write(cio.stderr, line + '\n');
  const fullSpec: CommandSpec = { ...spec, options: [...spec.options, HELP_OPTION, VERSION_OPTION] };
  if (argv.length === 0) {
    await write(cio.stderr, formatHelp(fullSpec));
    return 1;
  }
  if (argv.some((a) => a === '--zookeeper' || a.startsWith('--zookeeper='))) {
    await err(zookeeperMessage(scriptName(spec)));
    return 1;
  }
  if (argv.includes('--help')) {
    await write(cio.stdout, formatHelp(fullSpec));
    return 0;
  }
  if (argv.includes('--version')) {
    await out(KAFKA_VERSION);
    return 0;
  }
  try {
    const args = parseArgs(fullSpec, argv);
    const code = await body({ args, io: cio, out, err });
    return code ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      await err(`${e.message} (run ${scriptName(spec)} --help for usage)`);
      return 1;
    }
    if (e instanceof CommandError) {
      await (e.stream === 'stdout' ? out : err)(e.message);
      return e.exitCode;
    }
    await err(`Error: ${describeError(e)}`);
    return 1;
  }
}

/** Reads a Java .properties file with the client's parser; a missing file is one clear error line. */
export function readPropertiesFile(path: string): Map<string, string> {
  try {
    return new Map(Object.entries(loadProperties(path)));
  } catch (e) {
    throw new CommandError(`Error: cannot read properties file ${path}: ${(e as NodeJS.ErrnoException).code ?? describeError(e)}`);
  }
}

/** Checks that exactly one of the action options is present (Kafka's "Command must include exactly one action"). */
export function oneAction(args: ParsedArgs, actions: string[], message: string): string {
  const given = actions.filter((a) => args.has(a));
  if (given.length !== 1) throw new UsageError(message);
  return given[0]!;
}

/** Kafka's checkInvalidArgs: `used` cannot be combined with any of `invalid`. */
export function checkInvalid(args: ParsedArgs, used: string, invalid: string[]): void {
  if (!args.has(used)) return;
  for (const o of invalid) if (args.has(o)) throw new UsageError(`Option "[${used}]" can't be used with option "[${o}]"`);
}

export function requireBootstrap(args: ParsedArgs, spec: CommandSpec): string {
  const bs = args.value('bootstrap-server');
  if (!bs) throw new UsageError(`Missing required argument "[bootstrap-server]" (${scriptName(spec)} talks to a broker: --bootstrap-server host:port)`);
  return bs;
}
