// A recording TCP proxy for Kafka traffic: clients connect to it, it forwards every frame to one upstream
// broker (librdkafka's mock cluster with a single broker) and records each size-prefixed request and response.
//
// The upstream advertises its own address in Metadata / FindCoordinator / DescribeCluster responses; a client
// would then bypass the proxy. The proxy therefore rewrites, in the bytes it forwards, every
// `<host string><int32 upstream port>` to the proxy's own port. Host and port widths are unchanged, so no length
// field moves and no response has to be decoded. The recorded copy is the upstream's original, unmodified frame.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type Direction = 'request' | 'response';

export interface CapturedFrame {
  /** Arrival order over all connections. */
  seq: number;
  /** Connection number (1-based) in accept order. */
  conn: number;
  direction: Direction;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  /** The complete frame, 4-byte size prefix included, exactly as it crossed the wire from its sender. */
  bytes: Buffer;
}

/** Upstream APIs whose responses carry broker addresses. */
const ADDRESS_APIS = new Set([3 /* Metadata */, 10 /* FindCoordinator */, 60 /* DescribeCluster */]);

/** Splits a TCP byte stream into Kafka frames (int32 size + payload). */
class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Buffer[] = [];
    while (this.pending.length >= 4) {
      const size = this.pending.readInt32BE(0);
      if (size < 0 || size > 256 * 1024 * 1024) throw new Error(`implausible frame size ${size}`);
      if (this.pending.length < 4 + size) break;
      frames.push(this.pending.subarray(0, 4 + size));
      this.pending = this.pending.subarray(4 + size);
    }
    return frames;
  }
}

/** Replaces every `host` + int32 `fromPort` by `host` + int32 `toPort`, in a copy of frame. */
export function rewriteAdvertisedPort(frame: Buffer, host: string, fromPort: number, toPort: number): Buffer {
  const needle = Buffer.from(host);
  const out = Buffer.from(frame);
  let at = out.indexOf(needle);
  while (at >= 0) {
    const portAt = at + needle.length;
    if (portAt + 4 <= out.length && out.readInt32BE(portAt) === fromPort) out.writeInt32BE(toPort, portAt);
    at = out.indexOf(needle, at + 1);
  }
  return out;
}

export class CaptureProxy {
  readonly frames: CapturedFrame[] = [];
  private server: Server;
  private sockets = new Set<Socket>();
  private seq = 0;
  private connCount = 0;
  port = 0;

  private constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {
    this.server = createServer((client) => this.onClient(client));
  }

  static async start(upstream: string): Promise<CaptureProxy> {
    const [host, port] = upstream.split(':');
    const proxy = new CaptureProxy(host!, Number(port));
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      // Same host as upstream: the rewrite keeps the host string, only the port changes.
      proxy.server.listen(0, host, () => resolve());
    });
    const addr = proxy.server.address();
    if (addr === null || typeof addr === 'string') throw new Error('proxy has no TCP address');
    proxy.port = addr.port;
    return proxy;
  }

  get bootstrap(): string {
    return `${this.upstreamHost}:${this.port}`;
  }

  private record(conn: number, direction: Direction, apiKey: number, apiVersion: number, correlationId: number, bytes: Buffer): void {
    this.frames.push({ seq: ++this.seq, conn, direction, apiKey, apiVersion, correlationId, bytes: Buffer.from(bytes) });
  }

  private onClient(client: Socket): void {
    const conn = ++this.connCount;
    const upstream = createConnection({ host: this.upstreamHost, port: this.upstreamPort });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const inFlight = new Map<number, { apiKey: number; apiVersion: number }>();
    const fromClient = new FrameSplitter();
    const fromUpstream = new FrameSplitter();
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      try {
        for (const frame of fromClient.push(chunk)) {
          const apiKey = frame.readInt16BE(4);
          const apiVersion = frame.readInt16BE(6);
          const correlationId = frame.readInt32BE(8);
          inFlight.set(correlationId, { apiKey, apiVersion });
          this.record(conn, 'request', apiKey, apiVersion, correlationId, frame);
          upstream.write(frame);
        }
      } catch {
        closeBoth();
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      try {
        for (const frame of fromUpstream.push(chunk)) {
          const correlationId = frame.readInt32BE(4);
          const req = inFlight.get(correlationId);
          inFlight.delete(correlationId);
          const apiKey = req?.apiKey ?? -1;
          this.record(conn, 'response', apiKey, req?.apiVersion ?? -1, correlationId, frame);
          const forward = ADDRESS_APIS.has(apiKey)
            ? rewriteAdvertisedPort(frame, this.upstreamHost, this.upstreamPort, this.port)
            : frame;
          client.write(forward);
        }
      } catch {
        closeBoth();
      }
    });
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
