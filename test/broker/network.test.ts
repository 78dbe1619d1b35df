import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '../../src/protocol/messages.js';
import { once } from 'node:events';
import { SocketServer } from '../../src/broker/network/socket-server.js';
import { createLogger } from '../../src/broker/logger.js';
import type { FrameHandler } from '../../src/broker/network/connection.js';

const log = createLogger({ level: 'silent' });

function frame(payload: Buffer): Buffer {
  const b = Buffer.allocUnsafe(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  payload.copy(b, 4);
  return b;
}

async function start(handler: FrameHandler, extra: Partial<ConstructorParameters<typeof SocketServer>[0]> = {}): Promise<SocketServer> {
  const s = new SocketServer(
    {
      host: '127.0.0.1',
      port: 0,
      maxFrameBytes: 1024,
      maxInFlightRequests: 100,
      maxInFlightBytes: 1 << 20,
      idleTimeoutMs: 0,
      maxConnections: 1000,
      maxConnectionsPerIp: 1000,
      ...extra,
    },
    handler,
    log,
  );
  await s.listen();
  return s;
}

async function client(port: number): Promise<Socket> {
  const s = connect(port, '127.0.0.1');
  await once(s, 'connect');
  return s;
}

function collect(sock: Socket, frames: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const decoder = new FrameDecoder();
    const out: Buffer[] = [];
    sock.on('data', (d: Buffer) => {
      out.push(...decoder.push(d));
      if (out.length === frames) resolve(out);
    });
    sock.on('error', reject);
  });
}

test('pipelined requests are answered in request order even when handlers finish out of order', async () => {
  const handler: FrameHandler = async (f) => {
    const delay = f.readUInt8(0);
    await new Promise((r) => setTimeout(r, delay));
    return frame(f);
  };
  const server = await start(handler);
  const sock = await client(server.port);
  const got = collect(sock, 5);
  // Split writes at odd boundaries to exercise reassembly.
  const all = Buffer.concat([40, 1, 30, 0, 5].map((d, i) => frame(Buffer.from([d, i]))));
  sock.write(all.subarray(0, 3));
  sock.write(all.subarray(3, 11));
  sock.write(all.subarray(11));
  const responses = await got;
  assert.deepEqual(responses.map((r) => r[1]), [0, 1, 2, 3, 4]);
  sock.destroy();
  await server.close();
});

test('a frame larger than socket.request.max.bytes closes that connection only, before allocating', async () => {
  const server = await start((f) => frame(f));
  const bad = await client(server.port);
  const good = await client(server.port);
  const header = Buffer.alloc(4);
  header.writeInt32BE(2_000_000_000, 0);
  bad.write(header);
  await once(bad, 'close');
  const got = collect(good, 1);
  good.write(frame(Buffer.from('ok')));
  assert.equal((await got)[0]!.toString(), 'ok');
  good.destroy();
  await server.close();
});

test('a handler error closes the connection after earlier responses are written', async () => {
  const server = await start((f) => {
    if (f.toString() === 'bad') throw new Error('malformed');
    return frame(f);
  });
  const sock = await client(server.port);
  const got = collect(sock, 1);
  sock.write(Buffer.concat([frame(Buffer.from('a')), frame(Buffer.from('bad')), frame(Buffer.from('c'))]));
  assert.equal((await got)[0]!.toString(), 'a');
  await once(sock, 'close');
  await server.close();
});

test('backpressure: a connection with too many requests in flight stops being read', async () => {
  let started = 0;
  const release: (() => void)[] = [];
  const server = await start(
    (f) => {
      started++;
      return new Promise((resolve) => release.push(() => resolve(frame(f))));
    },
    { maxInFlightRequests: 3 },
  );
  const sock = await client(server.port);
  const got = collect(sock, 10);
  for (let i = 0; i < 10; i++) sock.write(frame(Buffer.from([i])));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(started, 3, 'only maxInFlightRequests handlers may run');
  while (started < 10 || release.length > 0) {
    const r = release.shift();
    if (r) r();
    await new Promise((res) => setTimeout(res, 5));
  }
  assert.equal((await got).length, 10);
  sock.destroy();
  await server.close();
});

test('max.connections refuses extra connections', async () => {
  const server = await start((f) => frame(f), { maxConnections: 1 });
  const a = await client(server.port);
  await new Promise((r) => setTimeout(r, 20));
  const b = connect(server.port, '127.0.0.1');
  await once(b, 'close');
  assert.equal(server.connectionCount, 1);
  a.destroy();
  await server.close();
});

test('close() finishes in-flight requests before closing connections', async () => {
  const server = await start(async (f) => {
    await new Promise((r) => setTimeout(r, 50));
    return frame(f);
  });
  const sock = await client(server.port);
  const got = collect(sock, 1);
  sock.write(frame(Buffer.from('slow')));
  await new Promise((r) => setTimeout(r, 10));
  const closing = server.close();
  assert.equal((await got)[0]!.toString(), 'slow');
  await closing;
  sock.destroy();
});
