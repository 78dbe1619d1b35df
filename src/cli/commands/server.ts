// `gregor server [server.properties] [--override key=value ...]`: Kafka's kafka-server-start.sh. Runs one broker
// until SIGTERM/SIGINT, then shuts down cleanly (exit 0). Invalid configuration stops start-up with exit code 1.
import { BrokerConfig, ConfigError } from '../../broker/config/broker-config.js';
import { startBroker } from '../../broker/broker.js';
import { createLogger } from '../../broker/logger.js';

export const summary = 'Start a Gregor broker (kafka-server-start.sh)';

const USAGE = `usage: gregor server [server.properties] [--override property=value]*

Starts a broker. Configuration uses Kafka's server.properties keys and defaults; --override (repeatable) wins over
the file. Without a file the broker listens on PLAINTEXT://:9092 with its data in ./data.
Stop it with SIGTERM (kafka-server-stop.sh) or Ctrl-C: in-flight requests finish, logs are flushed and
checkpointed, and the next start needs no recovery.`;

export function parseServerArgs(argv: string[]): { file?: string; overrides: string[]; daemon: boolean; help: boolean } {
  const overrides: string[] = [];
  let file: string | undefined;
  let daemon = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--override') {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError('--override needs a property=value argument');
      overrides.push(v);
    } else if (a.startsWith('--override=')) overrides.push(a.slice('--override='.length));
    else if (a === '-daemon' || a === '--daemon') daemon = true;
    else if (a === '-h' || a === '--help') help = true;
    else if (a.startsWith('-')) throw new ConfigError(`unknown option ${a}`);
    else if (file === undefined) file = a;
    else throw new ConfigError(`unexpected argument ${a}`);
  }
  return { file, overrides, daemon, help };
}

/** `-daemon` (as in kafka-server-start.sh): start the same command detached, its output appended to
 * $LOG_DIR/server.out (LOG_DIR defaults to ./logs), and return at once. */
async function daemonize(argv: string[]): Promise<number> {
  const { spawn } = await import('node:child_process');
  const { mkdir, open } = await import('node:fs/promises');
  const logDir = process.env.LOG_DIR ?? 'logs';
  await mkdir(logDir, { recursive: true });
  const out = await open(`${logDir}/server.out`, 'a');
  const args = argv.filter((a) => a !== '-daemon' && a !== '--daemon');
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'server', ...args], {
    detached: true,
    stdio: ['ignore', out.fd, out.fd],
  });
  child.unref();
  await out.close();
  console.log(`gregor server started in the background (pid ${child.pid}), log: ${logDir}/server.out`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseServerArgs>;
  let config: BrokerConfig;
  try {
    args = parseServerArgs(argv);
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    config = await BrokerConfig.fromArgs(args.file, args.overrides);
    if (args.daemon) return await daemonize(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`gregor server: ${e.message}`);
      console.error(USAGE);
      return 1;
    }
    throw e;
  }
  const log = createLogger({ brokerId: config.brokerId() });
  let broker;
  try {
    broker = await startBroker(config, { logger: log });
  } catch (e) {
    log.fatal({ err: e instanceof Error ? e.message : String(e) }, 'start-up failed');
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'received signal, shutting down');
      broker.close().then(
        () => resolve(0),
        (e: unknown) => {
          log.error({ err: e instanceof Error ? e.message : String(e) }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
