// Structured logging for the broker (pino: JSON lines, cheap when a level is off). One root logger per broker,
// child loggers per component ({ component: 'network' }, ...). Level from GREGOR_LOG_LEVEL (default info;
// tests start brokers with 'silent' or 'warn').
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(opts: { level?: string; brokerId?: number; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = opts.level ?? process.env.GREGOR_LOG_LEVEL ?? 'info';
  const base = { broker: opts.brokerId ?? 0 };
  return opts.destination ? pino({ level, base }, opts.destination) : pino({ level, base });
}
