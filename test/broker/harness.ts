// In-process broker + raw protocol client for broker tests: startBroker on port 0 in a temp dir, and a client
// that sends generated request bodies and decodes the responses (pipelined, matched by correlation id).
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { BrokerConfig } from '../../src/broker/config/broker-config.js';
import { createLogger } from '../../src/broker/logger.js';
import { decodeResponse, encodeRequest, FrameDecoder, type KnownApiKey, type RequestBodies, type ResponseBodies } from '../../src/protocol/messages.js';

export interface TestBroker {
  broker: Broker;
  dir: string;
  port: number;
  /** Stops the broker (clean shutdown); `keepData` leaves the directory for a restart. */
  stop(keepData?: boolean): Promise<void>;
}

export async function startTestBroker(overrides: Record<string, string> = {}, dir?: string): Promise<TestBroker> {
  const d = dir ?? (await mkdtemp(join(tmpdir(), 'gregor-broker-test-')));
  const config = new BrokerConfig(
    Object.entries({
      listeners: 'PLAINTEXT://127.0.0.1:0',
      'log.dirs': d,
      'offsets.topic.num.partitions': '4',
      'group.initial.rebalance.delay.ms': '0',
      ...overrides,
    }),
  );
  const broker = await startBroker(config, { logger: createLogger({ level: process.env.GREGOR_LOG_LEVEL ?? 'silent' }) });
  return {
    broker,
    dir: d,
    port: broker.port,
    async stop(keepData = false) {
      await broker.close();
      if (!keepData) await rm(d, { recursive: true, force: true });
    },
  };
}

export class RawClient {
  private nextCorrelation = 1;
  private readonly waiting = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  private readonly decoder = new FrameDecoder();
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      for (const frame of this.decoder.push(d)) {
        const id = frame.readInt32BE(0);
        const w = this.waiting.get(id);
        this.waiting.delete(id);
        w?.resolve(frame);
      }
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.waiting.values()) w.reject(new Error('connection closed'));
      this.waiting.clear();
    });
    socket.on('error', () => {});
  }

  static async connect(port: number): Promise<RawClient> {
    const s = connect(port, '127.0.0.1');
    await once(s, 'connect');
    return new RawClient(s);
  }

  send<K extends KnownApiKey>(apiKey: K, version: number, body: RequestBodies[K]): Promise<ResponseBodies[K]> {
    const id = this.nextCorrelation++;
    const frame = encodeRequest(apiKey, version, id, 'raw-test', body);
    const p = new Promise<Buffer>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.socket.write(Buffer.from(frame));
    return p.then((f) => decodeResponse(apiKey, version, f).body);
  }

  /** Sends without waiting for a response (acks=0). */
  sendOneWay<K extends KnownApiKey>(apiKey: K, version: number, body: RequestBodies[K]): void {
    this.socket.write(Buffer.from(encodeRequest(apiKey, version, this.nextCorrelation++, 'raw-test', body)));
  }

  writeRaw(b: Buffer): void {
    this.socket.write(b);
  }

  close(): void {
    this.socket.destroy();
  }
}
