// Gregor's broker as a child process for interop/restart tests: `node --import tsx src/cli/main.ts server`
// (tests run from source; no build needed) on a free port with its data in a fresh temp dir.
import { type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './build-cache.js';
import { encodeRequest } from '../../src/protocol/messages.js';
import { getFreePort } from './ports.js';
import { spawnTracked, stopProcess } from './process.js';
import { makeTempDir } from './tmp.js';

export interface StartGregorOptions {
  /** Broker config, as `--override key=value` (Kafka's names). listeners/log.dirs default to the test's own. */
  overrides?: Record<string, string>;
  /** Existing data dir to use (not removed by close()); default a new temp dir. */
  dataDir?: string;
  /** Port to listen on; default a free one. */
  port?: number;
  startTimeoutMs?: number;
  /** Extra environment for the broker process. */
  env?: NodeJS.ProcessEnv;
}

export interface GregorBroker {
  bootstrap: string;
  port: number;
  dataDir: string;
  /** Current process id (changes on restart). */
  readonly pid: number;
  /** Everything the broker wrote to stdout+stderr so far (all runs; bounded to the last 1 MiB). */
  output(): string;
  /** Sends signal (default SIGTERM) and waits for exit (SIGKILL after graceMs). Resolves with how it ended. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL, no chance to flush. */
  kill9(): Promise<void>;
  /** Starts the broker again on the same port and data dir (stopping it with SIGTERM first if running). */
  restart(): Promise<void>;
  /** Stops the broker (if running) and removes the data dir if startGregor created it. */
  close(): Promise<void>;
}

const MAIN = join(REPO_ROOT, 'src', 'cli', 'main.ts');
const OUTPUT_LIMIT = 1024 * 1024;

/**
 * True once something on the port answers an ApiVersions v0 request with a frame carrying our correlation id —
 * a mere TCP connect could reach a stranger that grabbed the port first.
 */
function answersApiVersions(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = Buffer.alloc(0);
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => s.write(encodeRequest(18, 0, 0x67726567, 'gregor-test-probe', {})));
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 8) done(got.readInt32BE(4) === 0x67726567);
    });
    s.once('error', () => done(false));
    s.once('close', () => done(false));
  });
}

/**
 * Starts a broker. Without an explicit port it takes a free one; should another process grab that port between
 * the probe and the broker's bind (EADDRINUSE), it retries with a new port.
 */
export async function startGregor(opts: StartGregorOptions = {}): Promise<GregorBroker> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startGregorOnce(opts);
    } catch (e) {
      const portClash = e instanceof Error && /EADDRINUSE|address already in use/i.test(e.message);
      if (opts.port !== undefined || !portClash || attempt >= 3) throw e;
    }
  }
}

async function startGregorOnce(opts: StartGregorOptions): Promise<GregorBroker> {
  const port = opts.port ?? (await getFreePort());
  const tmp = opts.dataDir ? undefined : await makeTempDir('gregor-broker-');
  const dataDir = opts.dataDir ?? tmp!.path;
  const overrides: Record<string, string> = {
    listeners: `PLAINTEXT://127.0.0.1:${port}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'log.dirs': dataDir,
    ...opts.overrides,
  };
  const args = ['--import', 'tsx', MAIN, 'server'];
  for (const [k, v] of Object.entries(overrides)) args.push('--override', `${k}=${v}`);
  const timeoutMs = opts.startTimeoutMs ?? 30_000;

  let out = '';
  let child: ChildProcess | undefined;
  let lastExit: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
  /** Set while a stop/kill9/restart asked the broker to exit: any other exit after start-up is reported at once. */
  let stopping = false;

  const launch = async (): Promise<void> => {
    const c = spawnTracked(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    const append = (d: Buffer): void => {
      out += d.toString();
      if (out.length > OUTPUT_LIMIT) out = out.slice(-OUTPUT_LIMIT);
    };
    c.stdout?.on('data', append);
    c.stderr?.on('data', append);
    let exited = false;
    c.once('exit', (code, signal) => {
      exited = true;
      lastExit = { code, signal };
      if (started && !stopping) {
        process.stderr.write(`startGregor: broker on port ${port} (pid ${c.pid}) exited unexpectedly (${code ?? signal}); last output:\n${out.slice(-3000)}\n`);
      }
    });
    let started = false;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (exited) throw new Error(`gregor server exited during start-up (${lastExit.code ?? lastExit.signal}):\n${out.slice(-4000)}`);
      if (!exited && (await answersApiVersions(port))) {
        started = true;
        return;
      }
      if (Date.now() > deadline) {
        await stopProcess(c, 'SIGKILL');
        throw new Error(`gregor server did not listen on ${port} within ${timeoutMs} ms:\n${out.slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000) => {
    stopping = true;
    try {
      if (child && running()) await stopProcess(child, signal, graceMs);
    } finally {
      stopping = false;
    }
    return lastExit;
  };

  try {
    await launch();
  } catch (e) {
    await tmp?.cleanup();
    throw e;
  }

  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    dataDir,
    get pid() {
      return child?.pid ?? -1;
    },
    output: () => out,
    stop,
    kill9: async () => {
      await stop('SIGKILL');
    },
    restart: async () => {
      await stop('SIGTERM');
      await launch();
    },
    close: async () => {
      await stop('SIGTERM', 10_000);
      await tmp?.cleanup();
    },
  };
}
