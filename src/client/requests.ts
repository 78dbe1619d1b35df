// Tiny glue between the generated codecs and Connection's RequestSpec, so call sites read as
// `spec(ApiKeys.Heartbeat, encodeHeartbeatRequest, decodeHeartbeatResponse, body)`.
import type { Reader } from '../protocol/primitives/reader.js';
import type { Writer } from '../protocol/primitives/writer.js';
import type { RequestSpec } from './connection.js';

export function spec<Req, Res>(
  apiKey: number,
  encode: (w: Writer, body: Req, version: number) => void,
  decode: (r: Reader, version: number) => Res,
  body: Req | ((version: number) => Req),
  opts: { maxVersion?: number; minVersion?: number; timeoutMs?: number } = {},
): RequestSpec<Res> {
  return {
    apiKey,
    maxVersion: opts.maxVersion,
    minVersion: opts.minVersion,
    timeoutMs: opts.timeoutMs,
    encode: (w, v) => encode(w, typeof body === 'function' ? (body as (version: number) => Req)(v) : body, v),
    decode: (r, v) => decode(r, v),
  };
}
