// One TCP connection to one broker. Requests are pipelined: each is written as soon as it is issued and answered
// in order (Kafka answers a connection's requests in the order they were sent), so pending requests live in a FIFO
// queue and the response at the head must carry the head's correlation id. One timer per connection enforces
// request.timeout.ms on the oldest pending request; a timed-out request closes the connection like the Java
// client does, because later responses on it can no longer be trusted to match.
//
// On connect the client sends ApiVersions and, for every API, uses the highest version both sides support
// (capped by CLIENT_MAX_VERSIONS for APIs whose newer versions change addressing, e.g. Fetch v13+ topic ids).
import { Socket, connect as netConnect } from 'node:net';
import { Reader } from '../protocol/primitives/reader.js';
import { Writer } from '../protocol/primitives/writer.js';
import { FrameDecoder } from '../protocol/messages.js';
import { API_VERSIONS, ApiKeys } from '../protocol/generated/api-keys.js';
import { encodeApiVersionsRequest } from '../protocol/generated/messages/api-versions-request.js';
import { decodeApiVersionsResponse, type ApiVersionsResponse } from '../protocol/generated/messages/api-versions-response.js';
import { ConnectionError, TimeoutError, UnsupportedFeatureError, ClosedError } from './errors.js';

/** Highest versions this client speaks, where lower than the generated codecs' maximum. */
const CLIENT_MAX_VERSIONS: Partial<Record<number, number>> = {
  [ApiKeys.Fetch]: 12, // v13+ addresses topics by id
  [ApiKeys.Metadata]: 12,
};

/** Responses are only bounded by the int32 size field: a Fetch answer is as large as the consumer's fetch.max.bytes
 * (and one oversized batch may exceed even that), so the broker-side request limit does not apply here. */
const RESPONSE_MAX_FRAME_SIZE = 0x7fffffff;

const FLEXIBLE_FROM = new Map<number, number | null>();
for (const a of API_VERSIONS) FLEXIBLE_FROM.set(a.apiKey, a.flexibleMinVersion);

function isFlexible(apiKey: number, version: number): boolean {
  const f = FLEXIBLE_FROM.get(apiKey);
  return f !== null && f !== undefined && version >= f;
}

/** Request header v2 (with tagged fields) for flexible versions, else v1. */
function requestHeaderVersion(apiKey: number, version: number): number {
  return isFlexible(apiKey, version) ? 2 : 1;
}

/** Response header v1 for flexible versions, except ApiVersions which always answers with header v0. */
function responseHeaderVersion(apiKey: number, version: number): number {
  return apiKey !== ApiKeys.ApiVersions && isFlexible(apiKey, version) ? 1 : 0;
}

const OUR_VERSIONS = new Map<number, { min: number; max: number }>();
for (const a of API_VERSIONS) {
  OUR_VERSIONS.set(a.apiKey, { min: a.minVersion, max: Math.min(a.maxVersion, CLIENT_MAX_VERSIONS[a.apiKey] ?? a.maxVersion) });
}

export interface RequestSpec<T> {
  apiKey: number;
  /** Highest version the caller can build/parse (defaults to the negotiated maximum). */
  maxVersion?: number;
  minVersion?: number;
  encode: (w: Writer, version: number) => void;
  decode: (r: Reader, version: number) => T;
  /** Produce with acks=0 gets no response. */
  noResponse?: boolean;
  /** Overrides request.timeout.ms (JoinGroup waits up to the rebalance timeout). */
  timeoutMs?: number;
}

interface Pending {
  correlationId: number;
  apiKey: number;
  version: number;
  deadline: number;
  decode: (r: Reader, version: number) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export interface ConnectionOptions {
  host: string;
  port: number;
  clientId: string | null;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  /** Node id, -1.. for bootstrap connections (only for messages). */
  nodeId: number;
}

export class Connection {
  readonly host: string;
  readonly port: number;
  readonly nodeId: number;
  private socket: Socket | null = null;
  private readonly pending: Pending[] = [];
  private pendingHead = 0;
  private correlationId = 0;
  private readonly frames = new FrameDecoder(RESPONSE_MAX_FRAME_SIZE);
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly versions = new Map<number, { min: number; max: number }>();
  private readonly writer = new Writer(4096);
  private readonly closeListeners: ((err: Error) => void)[] = [];
  brokerApiVersions: { apiKey: number; minVersion: number; maxVersion: number }[] = [];

  constructor(private readonly opts: ConnectionOptions) {
    this.host = opts.host;
    this.port = opts.port;
    this.nodeId = opts.nodeId;
  }

  get isOpen(): boolean {
    return this.socket !== null && !this.closed;
  }

  get inFlight(): number {
    return this.pending.length - this.pendingHead;
  }

  onClose(fn: (err: Error) => void): void {
    this.closeListeners.push(fn);
  }

  /** Opens the socket and negotiates API versions. */
  async connect(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const sock = netConnect({ host: this.opts.host, port: this.opts.port, noDelay: true });
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new ConnectionError(`connection to ${this.describe()} timed out after ${this.opts.connectTimeoutMs} ms`));
      }, this.opts.connectTimeoutMs);
      sock.once('connect', () => {
        clearTimeout(timer);
        sock.removeAllListeners('error');
        this.socket = sock;
        sock.on('data', (d: Buffer) => this.onData(d));
        sock.on('error', (e) => this.fail(new ConnectionError(`connection to ${this.describe()} failed: ${e.message}`, { cause: e })));
        sock.on('close', () => this.fail(new ConnectionError(`connection to ${this.describe()} closed`)));
        resolve();
      });
      sock.once('error', (e) => {
        clearTimeout(timer);
        reject(new ConnectionError(`cannot connect to ${this.describe()}: ${e.message}`, { cause: e }));
      });
    });
    await this.negotiate();
  }

  private describe(): string {
    return `${this.opts.host}:${this.opts.port}${this.nodeId >= 0 ? ` (node ${this.nodeId})` : ''}`;
  }

  private async negotiate(): Promise<void> {
    const ours = OUR_VERSIONS.get(ApiKeys.ApiVersions)!;
    let version = Math.min(ours.max, 3);
    let resp = await this.sendRaw<ApiVersionsResponse>(ApiKeys.ApiVersions, version, {
      apiKey: ApiKeys.ApiVersions,
      encode: (w, v) => encodeApiVersionsRequest(w, { clientSoftwareName: 'gregor', clientSoftwareVersion: '0.1.0' }, v),
      decode: (r, v) => decodeApiVersionsResponse(r, v),
    });
    if (resp.errorCode === 35) {
      // UNSUPPORTED_VERSION: the broker answered in v0 with its own range for ApiVersions; retry within it.
      const range = resp.apiKeys.find((k) => k.apiKey === ApiKeys.ApiVersions);
      version = Math.min(range ? range.maxVersion : 0, ours.max);
      resp = await this.sendRaw<ApiVersionsResponse>(ApiKeys.ApiVersions, version, {
        apiKey: ApiKeys.ApiVersions,
        encode: (w, v) => encodeApiVersionsRequest(w, { clientSoftwareName: 'gregor', clientSoftwareVersion: '0.1.0' }, v),
        decode: (r, v) => decodeApiVersionsResponse(r, v),
      });
    }
    if (resp.errorCode !== 0) throw new ConnectionError(`ApiVersions to ${this.describe()} failed with error ${resp.errorCode}`);
    this.brokerApiVersions = resp.apiKeys.map((k) => ({ apiKey: k.apiKey, minVersion: k.minVersion, maxVersion: k.maxVersion }));
    // librdkafka's mock cluster (the only "broker" without CreateTopics) encodes ListOffsets v4+ LeaderEpoch as an
    // int64, corrupting every partition after the first; v3 has no LeaderEpoch, so stay there with it.
    const librdkafkaMock = !resp.apiKeys.some((k) => k.apiKey === ApiKeys.CreateTopics);
    for (const k of resp.apiKeys) {
      const our = OUR_VERSIONS.get(k.apiKey);
      if (!our) continue;
      let max = Math.min(our.max, k.maxVersion);
      if (librdkafkaMock && k.apiKey === ApiKeys.ListOffsets) max = Math.min(max, 3);
      const min = Math.max(our.min, k.minVersion);
      if (max >= min) this.versions.set(k.apiKey, { min, max });
    }
  }

  /** Whether the broker supports `apiKey` at all (in a version we speak). */
  supports(apiKey: number, minVersion = 0): boolean {
    const v = this.versions.get(apiKey);
    return v !== undefined && v.max >= minVersion;
  }

  /** The version to use: the highest common one, capped by the caller's `maxVersion`. */
  versionFor(apiKey: number, maxVersion?: number, minVersion?: number): number {
    const v = this.versions.get(apiKey);
    const name = API_VERSIONS.find((a) => a.apiKey === apiKey)?.name ?? String(apiKey);
    if (!v) throw new UnsupportedFeatureError(`broker ${this.describe()} does not support ${name}`);
    const chosen = Math.min(v.max, maxVersion ?? v.max);
    if (chosen < Math.max(v.min, minVersion ?? 0)) throw new UnsupportedFeatureError(`no common version of ${name} with broker ${this.describe()}`);
    return chosen;
  }

  send<T>(spec: RequestSpec<T>): Promise<T> {
    let version: number;
    try {
      version = this.versionFor(spec.apiKey, spec.maxVersion, spec.minVersion);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.sendRaw(spec.apiKey, version, spec);
  }

  private sendRaw<T>(apiKey: number, version: number, spec: RequestSpec<T>): Promise<T> {
    if (this.closed || this.socket === null) return Promise.reject(new ConnectionError(`connection to ${this.describe()} is closed`));
    const correlationId = (this.correlationId = (this.correlationId + 1) & 0x7fffffff);
    const w = this.writer;
    w.reset();
    w.writeInt32(0); // size, patched below
    w.writeInt16(apiKey);
    w.writeInt16(version);
    w.writeInt32(correlationId);
    const hv = requestHeaderVersion(apiKey, version);
    if (hv >= 1) w.writeNullableString(this.opts.clientId);
    if (hv >= 2) w.writeUnsignedVarint(0); // no tagged fields
    spec.encode(w, version);
    w.patchInt32(0, w.offset - 4);
    // copy: the writer's buffer is reused by the next request while the socket may still hold this one
    const frame = Buffer.from(w.toBuffer());
    if (spec.noResponse) {
      return new Promise<T>((resolve, reject) => {
        this.socket!.write(frame, (err) => (err ? reject(new ConnectionError(err.message)) : resolve(undefined as T)));
      });
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.push({
        correlationId,
        apiKey,
        version,
        deadline: Date.now() + (spec.timeoutMs ?? this.opts.requestTimeoutMs),
        decode: spec.decode,
        resolve: resolve as (v: unknown) => void,
        reject,
      });
      this.socket!.write(frame);
      if (this.timer === null) this.armTimer();
    });
  }

  private armTimer(): void {
    const tick = Math.max(10, Math.min(1000, Math.floor(this.opts.requestTimeoutMs / 4)));
    this.timer = setInterval(() => {
      if (this.inFlight === 0) {
        clearInterval(this.timer!);
        this.timer = null;
        return;
      }
      // any expired request (not only the head: a long JoinGroup may sit in front of short requests)
      const now = Date.now();
      let head: Pending | undefined;
      for (let i = this.pendingHead; i < this.pending.length; i++) {
        if (now >= this.pending[i]!.deadline) {
          head = this.pending[i]!;
          break;
        }
      }
      if (head) {
        this.fail(new TimeoutError(`request (api ${head.apiKey}) to ${this.describe()} timed out`));
      }
    }, tick);
    this.timer.unref();
  }

  private onData(d: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.frames.push(d);
    } catch (e) {
      // Only a size outside [0, RESPONSE_MAX_FRAME_SIZE] throws: the stream can no longer be framed.
      this.fail(new ConnectionError(`bad frame from ${this.describe()}: ${(e as Error).message}`, { cause: e }));
      return;
    }
    for (const frame of frames) {
      this.onFrame(frame);
      if (this.closed) return;
    }
  }

  private onFrame(frame: Buffer): void {
    const p = this.pending[this.pendingHead];
    if (!p) {
      this.fail(new ConnectionError(`unexpected response from ${this.describe()}`));
      return;
    }
    const r = new Reader(frame);
    let result: unknown;
    try {
      const cid = r.readInt32();
      if (cid !== p.correlationId) {
        this.fail(new ConnectionError(`correlation id mismatch from ${this.describe()}: expected ${p.correlationId}, got ${cid}`));
        return;
      }
      if (responseHeaderVersion(p.apiKey, p.version) >= 1) {
        const n = r.readUnsignedVarint();
        for (let i = 0; i < n; i++) {
          r.readUnsignedVarint();
          r.skip(r.readUnsignedVarint());
        }
      }
      result = p.decode(r, p.version);
    } catch (e) {
      this.shiftPending();
      p.reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    this.shiftPending();
    p.resolve(result);
  }

  private shiftPending(): void {
    this.pending[this.pendingHead] = undefined as unknown as Pending;
    this.pendingHead++;
    if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.socket?.destroy();
    const pend = this.pending.splice(this.pendingHead);
    this.pending.length = 0;
    this.pendingHead = 0;
    for (const p of pend) p.reject(err);
    for (const l of this.closeListeners) l(err);
  }

  close(): void {
    this.fail(new ClosedError(`connection to ${this.describe()} closed by client`));
  }
}
