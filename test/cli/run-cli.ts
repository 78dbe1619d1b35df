// Runs a kafka-* command in-process with captured stdout/stderr (and optional stdin), as a user would see it.
import { Readable } from 'node:stream';
import { CaptureStream, type CliIo } from '../../src/cli/lib/io.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

type RunFn = (argv: string[], io?: CliIo) => Promise<number>;

export async function runCli(name: string, argv: string[], stdin = ''): Promise<CliResult> {
  const mod = (await import(`../../src/cli/commands/${name}.js`)) as { run: RunFn };
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const io: CliIo = { stdout, stderr, stdin: Readable.from([Buffer.from(stdin)]), env: process.env };
  const code = await mod.run(argv, io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

export const ALL_COMMANDS = [
  'topics',
  'console-producer',
  'console-consumer',
  'consumer-groups',
  'configs',
  'get-offsets',
  'delete-records',
  'broker-api-versions',
  'dump-log',
  'producer-perf-test',
  'consumer-perf-test',
];
