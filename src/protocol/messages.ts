// Request/response framing over the generated codecs: size prefix, request header v0/v1/v2, response header
// v0/v1, and dispatch by API key. No sockets here; the broker and the client feed bytes in and out.
//
// Wire layout:  int32 size | header | body
//   request header v0: apiKey int16, apiVersion int16, correlationId int32
//   request header v1: v0 + clientId (int16-length nullable string)
//   request header v2: v1 + tagged fields (clientId stays a classic string so any broker can read it)
//   response header v0: correlationId int32;  v1: v0 + tagged fields (ApiVersions responses always use v0)

import { ProtocolError } from './errors.js';
import { Reader } from './primitives/reader.js';
import { Writer } from './primitives/writer.js';
import type { TaggedField } from './primitives/tagged-fields.js';
import { readUnknownTaggedFields } from './primitives/tagged-fields.js';
import {
  API_CODECS,
  type ApiCodec,
  type RequestBodies,
  type ResponseBodies,
  apiCodec,
  apiVersionInfo,
  requestHeaderVersion,
  responseHeaderVersion,
} from './generated/index.js';

export { requestHeaderVersion, responseHeaderVersion };
export type { RequestBodies, ResponseBodies };

/** Any API key the generated tables know. */
export type KnownApiKey = keyof RequestBodies;
export type AnyRequestBody = RequestBodies[KnownApiKey];
export type AnyResponseBody = ResponseBodies[KnownApiKey];

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** 0, 1 or 2 (derived from apiKey/apiVersion). */
  headerVersion: number;
  /** Unknown tagged fields of a v2 header (rare; kept for completeness). */
  taggedFields?: TaggedField[];
}

/** Default upper bound on one frame; Kafka's socket.request.max.bytes default is 100 MiB. */
export const DEFAULT_MAX_FRAME_SIZE = 104857600;

/**
 * Byte arrays at least this long (record batches) are referenced rather than copied while a frame is built:
 * encodeResponseChunks hands them to the socket as they are, encodeRequest/encodeResponse copy them once.
 */
export const DEFAULT_ZERO_COPY_THRESHOLD = 16384;

function codecFor(apiKey: number): ApiCodec<unknown, unknown> {
  const c = apiCodec(apiKey);
  if (c === undefined) throw new ProtocolError('UNKNOWN_API_KEY', `unknown API key ${apiKey}`);
  return c;
}

function checkVersion(apiKey: number, apiVersion: number): void {
  const info = apiVersionInfo(apiKey);
  if (info === undefined) throw new ProtocolError('UNKNOWN_API_KEY', `unknown API key ${apiKey}`);
  if (apiVersion < info.minVersion || apiVersion > info.maxVersion) {
    throw new ProtocolError('UNSUPPORTED_VERSION', `${info.name} does not support version ${apiVersion}`);
  }
}

// ------------------------------------------------------------------ requests

/** Writes a request header of the given version (no size prefix). */
export function writeRequestHeader(
  w: Writer,
  headerVersion: number,
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
): void {
  w.writeInt16(apiKey);
  w.writeInt16(apiVersion);
  w.writeInt32(correlationId);
  if (headerVersion >= 1) w.writeNullableString(clientId);
  if (headerVersion >= 2) w.writeUnsignedVarint(0); // no tagged fields
}

/**
 * Encodes a whole request frame: int32 size, header (version chosen from apiKey/apiVersion), body.
 * With `w` (a plain Writer, not zero-copy) the frame is appended to it and the result is a view of its memory.
 */
export function encodeRequest<K extends KnownApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: RequestBodies[K],
  w?: Writer,
): Buffer {
  checkVersion(apiKey, apiVersion);
  if (w === undefined) {
    // Large byte fields (records) are gathered and copied once by toBuffer(), instead of being copied into
    // a doubling buffer several times.
    const own = new Writer(512, { zeroCopyThreshold: DEFAULT_ZERO_COPY_THRESHOLD });
    encodeRequestInto(own, apiKey, apiVersion, correlationId, clientId, body);
    return own.toBuffer();
  }
  const start = w.offset;
  encodeRequestInto(w, apiKey, apiVersion, correlationId, clientId, body);
  return w.buf.subarray(start, w.offset);
}

function encodeRequestInto<K extends KnownApiKey>(
  w: Writer,
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  clientId: string | null,
  body: RequestBodies[K],
): void {
  const sizeAt = w.reserve(4);
  writeRequestHeader(w, requestHeaderVersion(apiKey, apiVersion), apiKey, apiVersion, correlationId, clientId);
  (API_CODECS[apiKey] as ApiCodec<RequestBodies[K], unknown>).encodeRequest(w, body, apiVersion);
  w.patchInt32(sizeAt, w.length - sizeAt - 4);
}

/**
 * Reads a request header from a frame (the bytes after the size prefix). Works for unknown API keys and
 * versions too (header v1 is assumed for unknown keys), so the broker can still answer with an error that
 * carries the right correlation id.
 */
export function decodeRequestHeader(r: Reader): RequestHeader {
  const apiKey = r.readInt16();
  const apiVersion = r.readInt16();
  const correlationId = r.readInt32();
  const known = apiVersionInfo(apiKey) !== undefined;
  const headerVersion = known ? requestHeaderVersion(apiKey, apiVersion) : 1;
  const clientId = headerVersion >= 1 ? r.readNullableString() : null;
  const header: RequestHeader = { apiKey, apiVersion, correlationId, clientId, headerVersion };
  if (headerVersion >= 2) {
    const tagged = readUnknownTaggedFields(r);
    if (tagged !== undefined) header.taggedFields = tagged;
  }
  return header;
}

/** Decodes a request body (after its header) with the generated decoder for apiKey/apiVersion. */
export function decodeRequestBody<K extends KnownApiKey>(apiKey: K, apiVersion: number, r: Reader): RequestBodies[K];
export function decodeRequestBody(apiKey: number, apiVersion: number, r: Reader): AnyRequestBody;
export function decodeRequestBody(apiKey: number, apiVersion: number, r: Reader): unknown {
  checkVersion(apiKey, apiVersion);
  return codecFor(apiKey).decodeRequest(r, apiVersion);
}

/** Header + body of one request frame (without its size prefix). */
export function decodeRequest(frame: Buffer): { header: RequestHeader; body: AnyRequestBody } {
  const r = new Reader(frame);
  const header = decodeRequestHeader(r);
  const body = decodeRequestBody(header.apiKey, header.apiVersion, r);
  return { header, body };
}

// ------------------------------------------------------------------ responses

/** Writes a response header (no size prefix). */
export function writeResponseHeader(w: Writer, headerVersion: number, correlationId: number): void {
  w.writeInt32(correlationId);
  if (headerVersion >= 1) w.writeUnsignedVarint(0);
}

/**
 * Encodes a whole response frame: int32 size, header (v0 for ApiVersions, else by flexibility), body.
 * With `w` (a plain Writer, not zero-copy) the frame is appended to it and the result is a view of its memory.
 */
export function encodeResponse<K extends KnownApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseBodies[K],
  w?: Writer,
): Buffer {
  if (w === undefined) {
    const own = new Writer(1024, { zeroCopyThreshold: DEFAULT_ZERO_COPY_THRESHOLD });
    writeResponseFrame(own, apiKey, apiVersion, correlationId, body);
    return own.toBuffer();
  }
  const start = w.offset;
  writeResponseFrame(w, apiKey, apiVersion, correlationId, body);
  return w.buf.subarray(start, w.offset);
}

function writeResponseFrame<K extends KnownApiKey>(
  w: Writer,
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseBodies[K],
): void {
  checkVersion(apiKey, apiVersion);
  const sizeAt = w.reserve(4);
  writeResponseHeader(w, responseHeaderVersion(apiKey, apiVersion), correlationId);
  (API_CODECS[apiKey] as ApiCodec<unknown, ResponseBodies[K]>).encodeResponse(w, body, apiVersion);
  w.patchInt32(sizeAt, w.length - sizeAt - 4);
}

/**
 * Like encodeResponse, but returns the frame as a list of chunks in which large byte fields (the record
 * batches of a Fetch response) are the caller's own Buffers rather than copies. Write them in order (e.g.
 * socket.cork(); write each; socket.uncork(), which becomes one writev). The caller must not modify those
 * Buffers until the write completes.
 */
export function encodeResponseChunks<K extends KnownApiKey>(
  apiKey: K,
  apiVersion: number,
  correlationId: number,
  body: ResponseBodies[K],
  zeroCopyThreshold = DEFAULT_ZERO_COPY_THRESHOLD,
): Buffer[] {
  const w = new Writer(1024, { zeroCopyThreshold });
  writeResponseFrame(w, apiKey, apiVersion, correlationId, body);
  return w.toBuffers();
}

/** The correlation id of a response frame (its first 4 bytes, for every header version). */
export function peekCorrelationId(frame: Buffer): number {
  if (frame.length < 4) throw new ProtocolError('TRUNCATED', 'response frame shorter than its correlation id');
  return frame.readInt32BE(0);
}

/**
 * Decodes a response frame (the bytes after the size prefix) for the request it answers. Byte fields of the
 * body (records) are views into `frame`.
 */
export function decodeResponse<K extends KnownApiKey>(
  apiKey: K,
  apiVersion: number,
  frame: Buffer,
): { correlationId: number; body: ResponseBodies[K] };
export function decodeResponse(apiKey: number, apiVersion: number, frame: Buffer): { correlationId: number; body: AnyResponseBody };
export function decodeResponse(apiKey: number, apiVersion: number, frame: Buffer): { correlationId: number; body: unknown } {
  checkVersion(apiKey, apiVersion);
  const r = new Reader(frame);
  const correlationId = r.readInt32();
  if (responseHeaderVersion(apiKey, apiVersion) >= 1) readUnknownTaggedFields(r);
  const body = codecFor(apiKey).decodeResponse(r, apiVersion);
  return { correlationId, body };
}

// ------------------------------------------------------------------ framing

/**
 * Splits a byte stream into size-prefixed frames. push() takes socket chunks and returns the complete frames
 * they finish (without their size prefix). A frame inside a single chunk is returned as a view, without
 * copying; a frame spanning chunks is assembled once. Sizes below 0 or above maxFrameSize throw BAD_FRAME
 * before anything is allocated.
 */
export class FrameDecoder {
  private readonly maxFrameSize: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(maxFrameSize = DEFAULT_MAX_FRAME_SIZE) {
    this.maxFrameSize = maxFrameSize;
  }

  /** Bytes received but not yet part of a returned frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  push(chunk: Buffer): Buffer[] {
    let buf: Buffer;
    if (this.pendingBytes === 0) {
      buf = chunk;
    } else {
      // Part of a frame is already buffered: only assemble once the whole frame is here, so a large frame
      // arriving in many chunks is copied once rather than once per chunk.
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pending[0]!.length < 4 && this.pendingBytes >= 4) this.pending = [Buffer.concat(this.pending)];
      if (this.pending[0]!.length >= 4) {
        const need = 4 + this.checkSize(this.pending[0]!.readInt32BE(0));
        if (this.pendingBytes < need) return [];
      } else {
        return [];
      }
      buf = Buffer.concat(this.pending, this.pendingBytes);
    }
    this.pending = [];
    this.pendingBytes = 0;
    const frames: Buffer[] = [];
    let pos = 0;
    while (buf.length - pos >= 4) {
      const size = this.checkSize(buf.readInt32BE(pos));
      if (buf.length - pos - 4 < size) break;
      frames.push(buf.subarray(pos + 4, pos + 4 + size));
      pos += 4 + size;
    }
    if (pos < buf.length) {
      // Keep the incomplete tail. Copy it only if it is a small part of a big chunk, so a retained frame
      // does not pin a large socket buffer; otherwise keep the view.
      const rest = buf.subarray(pos);
      this.pending.push(rest.length * 4 < buf.length ? Buffer.from(rest) : rest);
      this.pendingBytes = rest.length;
    }
    return frames;
  }

  private checkSize(size: number): number {
    if (size < 0 || size > this.maxFrameSize) {
      throw new ProtocolError('BAD_FRAME', `frame size ${size} outside [0, ${this.maxFrameSize}]`);
    }
    return size;
  }
}
