// The client connection's response framing (protocol FrameDecoder): responses split byte by byte or packed several
// to a chunk are matched to their requests, and a frame size that cannot be valid closes the connection with a
// ConnectionError that every pending request and close listener sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { decodeRequest, encodeResponse, FrameDecoder } from '../../src/protocol/messages.js';
import { API_VERSIONS, ApiKeys } from '../../src/protocol/generated/api-keys.js';
import { encodeMetadataRequest } from '../../src/protocol/generated/messages/metadata-request.js';
import { decodeMetadataResponse } from '../../src/protocol/generated/messages/metadata-response.js';
import { Connection } from '../../src/client/connection.js';
import { ConnectionError } from '../../src/client/errors.js';

type Reply = (sock: Socket, apiKey: number, version: number, correlationId: number) => void;

/** A broker that answers ApiVersions normally and hands every other request to `reply`. */
async function withServer(reply: Reply, fn: (port: number) => Promise<void>): Promise<void> {
  const sockets = new Set<Socket>();
  const server = createServer((sock) => {
    sockets.add(sock);
    const frames = new FrameDecoder();
    sock.on('data', (d: Buffer) => {
      for (const frame of frames.push(d)) {
        const { header } = decodeRequest(frame);
        if (header.apiKey === ApiKeys.ApiVersions) {
          const apiKeys = API_VERSIONS.filter((a) => a.apiKey === ApiKeys.ApiVersions || a.apiKey === ApiKeys.Metadata).map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion }));
          sock.write(encodeResponse(ApiKeys.ApiVersions, header.apiVersion, header.correlationId, { errorCode: 0, apiKeys, throttleTimeMs: 0 }));
        } else {
          reply(sock, header.apiKey, header.apiVersion, header.correlationId);
        }
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn((server.address() as { port: number }).port);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  }
}

function open(port: number): Connection {
  return new Connection({ host: '127.0.0.1', port, clientId: 't', requestTimeoutMs: 5000, connectTimeoutMs: 5000, nodeId: 1 });
}

function metadataRequest(c: Connection) {
  return c.send({
    apiKey: ApiKeys.Metadata,
    encode: (w, v) => encodeMetadataRequest(w, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, v),
    decode: (r, v) => decodeMetadataResponse(r, v),
  });
}

function metadataResponse(version: number, correlationId: number, clusterId: string): Buffer {
  return Buffer.from(
    encodeResponse(ApiKeys.Metadata, version, correlationId, { throttleTimeMs: 0, brokers: [], clusterId, controllerId: -1, topics: [], clusterAuthorizedOperations: -2147483648 }),
  );
}

test('responses dribbled a byte at a time and several in one chunk are framed and matched in order', async () => {
  const held: Buffer[] = [];
  await withServer(
    (sock, _k, version, cid) => {
      held.push(metadataResponse(version, cid, `c${cid}`));
      if (held.length < 3) return;
      const all = Buffer.concat(held);
      // First response one byte per write (forces reassembly), the other two in a single write.
      const first = held[0]!.length;
      let i = 0;
      const dribble = (): void => {
        if (i < first) {
          sock.write(all.subarray(i, ++i));
          setImmediate(dribble);
        } else sock.write(all.subarray(first));
      };
      dribble();
    },
    async (port) => {
      const c = open(port);
      await c.connect();
      const rs = await Promise.all([metadataRequest(c), metadataRequest(c), metadataRequest(c)]);
      assert.deepEqual(
        rs.map((r) => r.clusterId),
        ['c2', 'c3', 'c4'],
      );
      assert.equal(c.inFlight, 0);
      c.close();
    },
  );
});

test('a negative frame size fails the connection with ConnectionError', async () => {
  await withServer(
    (sock) => {
      const bad = Buffer.alloc(8);
      bad.writeInt32BE(-5, 0);
      sock.write(bad);
    },
    async (port) => {
      const c = open(port);
      await c.connect();
      const closed = new Promise<Error>((r) => c.onClose(r));
      await assert.rejects(metadataRequest(c), (e: Error) => e instanceof ConnectionError && /bad frame/.test(e.message));
      assert.ok((await closed) instanceof ConnectionError);
      assert.equal(c.isOpen, false);
    },
  );
});
