// The TCP listener: accepts connections up to max.connections / max.connections.per.ip, wraps each in a
// Connection, and drains them all at shutdown.
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../logger.js';
import { Connection, type ConnectionLimits, type FrameHandler } from './connection.js';

export interface SocketServerOptions extends ConnectionLimits {
  host: string;
  port: number;
  maxConnections: number;
  maxConnectionsPerIp: number;
  sendBufferBytes?: number;
  receiveBufferBytes?: number;
  backlog?: number;
}

export class SocketServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly perIp = new Map<string, number>();
  private boundPort = 0;

  constructor(
    private readonly opts: SocketServerOptions,
    private readonly handler: FrameHandler,
    private readonly log: Logger,
  ) {
    this.server = createServer({ noDelay: true }, (s) => this.accept(s));
    this.server.on('error', (err) => this.log.error({ err: err.message }, 'listener error'));
  }

  get port(): number {
    return this.boundPort;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      const host = this.opts.host === '' ? undefined : this.opts.host;
      this.server.listen({ host, port: this.opts.port, backlog: this.opts.backlog }, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        this.boundPort = typeof addr === 'object' && addr ? addr.port : this.opts.port;
        resolve(this.boundPort);
      });
    });
  }

  private accept(socket: Socket): void {
    const ip = socket.remoteAddress ?? '?';
    const n = this.perIp.get(ip) ?? 0;
    if (this.connections.size >= this.opts.maxConnections || n >= this.opts.maxConnectionsPerIp) {
      this.log.warn({ ip, total: this.connections.size }, 'connection limit reached; refusing connection');
      socket.destroy();
      return;
    }
    this.perIp.set(ip, n + 1);
    const conn = new Connection(socket, this.handler, this.opts, this.log);
    this.connections.add(conn);
    conn.onClosed = (c) => {
      this.connections.delete(c);
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, left);
    };
  }

  private closedListener: Promise<void> | undefined;

  /** Shutdown phase 1: no new connections, no new requests read from existing ones. */
  stopAccepting(): void {
    this.closedListener ??= new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const c of this.connections) c.stopReading();
  }

  /** Shutdown phase 2: lets every connection finish and write the requests it has in flight, then closes them.
   * Connections still busy after `timeoutMs` are cut, so a stuck request cannot block shutdown forever. */
  async close(timeoutMs = 30_000): Promise<void> {
    this.stopAccepting();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.all([...this.connections].map((c) => c.drain())), timedOut]);
    clearTimeout(timer);
    for (const c of [...this.connections]) c.destroy();
    await this.closedListener;
  }
}
