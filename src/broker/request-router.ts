// Turns one request frame into one response frame: header, version check, body decode, handler, encode.
//
// Failure policy (as Kafka's): a frame that cannot be parsed, an unknown API key, or a version we do not serve
// closes the connection (the client cannot match a response to it anyway) — except ApiVersions, which is answered
// at v0 with UNSUPPORTED_VERSION and our version list so a newer client can fall back (KIP-511). A handler bug is
// logged and also closes only that connection.
import { ApiKeys } from '../protocol/generated/api-keys.js';
import { ErrorCodes } from '../protocol/generated/error-codes.js';
import { decodeRequestBody, decodeRequestHeader, encodeResponse, encodeResponseChunks, type KnownApiKey, type RequestHeader } from '../protocol/messages.js';
import { Reader } from '../protocol/primitives/reader.js';
import type { BrokerServices, RequestContext } from './context.js';
import { apiVersionsBody } from './handlers/api-versions.js';
import { HANDLERS } from './handlers/index.js';
import type { Connection, ResponseBytes } from './network/connection.js';

export class RequestError extends Error {
  override name = 'RequestError';
}

export class RequestRouter {
  constructor(private readonly broker: BrokerServices) {}

  handle = (frame: Buffer, conn: Connection | null): Promise<ResponseBytes> | ResponseBytes => {
    if (frame.length < 8) throw new RequestError(`request of ${frame.length} bytes is too short for a header`);
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const handler = HANDLERS.get(apiKey);
    if (apiKey === ApiKeys.ApiVersions && (!handler || apiVersion > handler.maxVersion || apiVersion < handler.minVersion)) {
      // KIP-511: answer in v0 so any client can read it.
      const correlationId = frame.readInt32BE(4);
      return encodeResponse(ApiKeys.ApiVersions, 0, correlationId, apiVersionsBody(ErrorCodes.UNSUPPORTED_VERSION));
    }
    if (!handler) throw new RequestError(`unsupported API key ${apiKey}`);
    if (apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      throw new RequestError(`unsupported version ${apiVersion} of API ${apiKey} (serving ${handler.minVersion}-${handler.maxVersion})`);
    }
    const r = new Reader(frame);
    const header: RequestHeader = decodeRequestHeader(r);
    const body = decodeRequestBody(apiKey as KnownApiKey, apiVersion, r);
    const ctx: RequestContext = {
      header,
      apiVersion,
      clientId: header.clientId,
      clientHost: conn?.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
      connection: conn,
      broker: this.broker,
    };
    const result = handler.handle(body as never, ctx);
    // Kafka's request log, at debug level (checked once so the hot path pays nothing when it is off).
    if (this.broker.log.isLevelEnabled('debug')) {
      const started = performance.now();
      const done = (): void =>
        this.broker.log.debug(
          { api: apiKey, v: apiVersion, corr: header.correlationId, client: header.clientId, from: ctx.clientHost, ms: +(performance.now() - started).toFixed(3) },
          'request',
        );
      if (result instanceof Promise) void result.then(done, done);
      else done();
    }
    if (result instanceof Promise) return result.then((res) => this.encode(apiKey, apiVersion, header.correlationId, res));
    return this.encode(apiKey, apiVersion, header.correlationId, result);
  };

  private encode(apiKey: number, apiVersion: number, correlationId: number, res: unknown): ResponseBytes {
    if (res === null) return null;
    // Fetch responses reference the record bytes read from the segments instead of copying them (one writev).
    if (apiKey === ApiKeys.Fetch) return encodeResponseChunks(ApiKeys.Fetch, apiVersion, correlationId, res as never);
    return encodeResponse(apiKey as KnownApiKey, apiVersion, correlationId, res as never);
  }
}
