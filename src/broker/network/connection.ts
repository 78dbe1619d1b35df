// One client connection: splits the byte stream into size-prefixed frames, hands each frame to the request
// handler as soon as it is complete (pipelining: several requests of one connection run concurrently), and writes
// responses strictly in request order, whatever order the handlers finish in.
//
// Invariants:
// - The 4-byte size is checked against socket.request.max.bytes BEFORE anything is allocated for the frame;
//   a bad size (negative, too large) closes this connection only.
// - Backpressure: when this connection has too many requests in flight, too many request/response bytes pending,
//   or the socket's write buffer is full, we stop reading from it (socket.pause) until it drains. A client that
//   never reads its responses therefore cannot make the broker buffer without bound.
// - A handler that throws (malformed request) closes this connection; responses already queued before it are
//   still written first, as Kafka does.
import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';

/** A response: one buffer, several (header + zero-copy record slices, written with writev), or none (acks=0). */
export type ResponseBytes = Buffer | Buffer[] | null;

export interface ConnectionLimits {
  maxFrameBytes: number;
  /** Requests of one connection being handled or waiting to be written before we stop reading. */
  maxInFlightRequests: number;
  /** Request + unwritten response bytes of one connection before we stop reading. */
  maxInFlightBytes: number;
  idleTimeoutMs: number;
}

export type FrameHandler = (frame: Buffer, conn: Connection) => Promise<ResponseBytes> | ResponseBytes;

interface Slot {
  done: boolean;
  response: ResponseBytes;
  requestBytes: number;
  /** Set when the handler failed: the connection closes once every earlier slot is written. */
  failed?: boolean;
}

export class Connection {
  private static nextId = 1;
  readonly id = Connection.nextId++;
  readonly remote: string;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = -1;
  private readonly slots: Slot[] = [];
  private inFlightBytes = 0;
  private pausedForPressure = false;
  private waitingForDrain = false;
  private closed = false;
  /** Set at shutdown: no new frames are started; the connection ends when its queue is empty. */
  private draining = false;
  private readonly closeWaiters: (() => void)[] = [];

  constructor(
    readonly socket: Socket,
    private readonly handler: FrameHandler,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
  ) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    if (limits.idleTimeoutMs > 0) {
      socket.setTimeout(limits.idleTimeoutMs, () => {
        this.log.debug({ conn: this.id, remote: this.remote }, 'closing idle connection');
        this.destroy();
      });
    }
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.waitingForDrain = false;
      this.updatePressure();
    });
    socket.on('error', (err) => this.log.debug({ conn: this.id, err: err.message }, 'socket error'));
    socket.on('close', () => this.onClose());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get pendingRequests(): number {
    return this.slots.length;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.processBuffered();
  }

  /** Starts every complete buffered frame, stopping early while the connection is over its in-flight limits
   * (the rest stay buffered and start when responses go out). */
  private processBuffered(): void {
    while (!this.closed && !this.draining && !this.overloaded()) {
      if (this.expected < 0) {
        if (this.buffered < 4) break;
        const size = this.peekInt32();
        if (size < 0 || size > this.limits.maxFrameBytes) {
          this.log.warn(
            { conn: this.id, remote: this.remote, size, max: this.limits.maxFrameBytes },
            'request size outside [0, socket.request.max.bytes]; closing connection',
          );
          this.destroy();
          return;
        }
        this.consume(4);
        this.expected = size;
      }
      if (this.buffered < this.expected) break;
      const frame = this.take(this.expected);
      this.expected = -1;
      this.dispatch(frame);
    }
    this.updatePressure();
  }

  private peekInt32(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const tmp = Buffer.allocUnsafe(4);
    let n = 0;
    for (const c of this.chunks) {
      const k = Math.min(4 - n, c.length);
      c.copy(tmp, n, 0, k);
      n += k;
      if (n === 4) break;
    }
    return tmp.readInt32BE(0);
  }

  private consume(n: number): void {
    this.take(n);
  }

  /** Removes and returns the next n buffered bytes; zero-copy when they sit in one chunk. */
  private take(n: number): Buffer {
    this.buffered -= n;
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0]!;
      const k = Math.min(n - off, c.length);
      c.copy(out, off, 0, k);
      off += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }

  private dispatch(frame: Buffer): void {
    const slot: Slot = { done: false, response: null, requestBytes: frame.length };
    this.slots.push(slot);
    this.inFlightBytes += frame.length;
    let result: Promise<ResponseBytes> | ResponseBytes;
    try {
      result = this.handler(frame, this);
    } catch (err) {
      this.fail(slot, err);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (r) => this.complete(slot, r),
        (err: unknown) => this.fail(slot, err),
      );
    } else this.complete(slot, result);
  }

  private complete(slot: Slot, response: ResponseBytes): void {
    slot.done = true;
    slot.response = response;
    if (response) this.inFlightBytes += byteLength(response);
    this.flush();
  }

  private fail(slot: Slot, err: unknown): void {
    this.log.warn({ conn: this.id, remote: this.remote, err: err instanceof Error ? err.message : String(err) }, 'bad request; closing connection');
    slot.done = true;
    slot.failed = true;
    this.flush();
  }

  /** Writes every finished response at the head of the queue, in order. */
  private flush(): void {
    let wrote = false;
    while (this.slots.length > 0 && this.slots[0]!.done) {
      const slot = this.slots.shift()!;
      this.inFlightBytes -= slot.requestBytes;
      if (slot.failed) {
        this.destroy();
        return;
      }
      const r = slot.response;
      slot.response = null;
      if (r && !this.closed) {
        this.inFlightBytes -= byteLength(r);
        if (!wrote) this.socket.cork();
        wrote = true;
        if (Array.isArray(r)) {
          for (const b of r) if (!this.socket.write(b)) this.waitingForDrain = true;
        } else if (!this.socket.write(r)) this.waitingForDrain = true;
      }
    }
    if (wrote) this.socket.uncork();
    this.updatePressure();
    if (this.draining && this.slots.length === 0) this.endGracefully();
  }

  private overloaded(): boolean {
    return (
      this.waitingForDrain || this.slots.length >= this.limits.maxInFlightRequests || this.inFlightBytes >= this.limits.maxInFlightBytes
    );
  }

  private updatePressure(): void {
    if (this.closed) return;
    const overloaded = this.overloaded();
    if (overloaded && !this.pausedForPressure) {
      this.pausedForPressure = true;
      this.socket.pause();
    } else if (!overloaded && this.pausedForPressure) {
      this.pausedForPressure = false;
      if (!this.draining) {
        this.socket.resume();
        // Frames that arrived before we paused are already buffered; start them now.
        if (this.buffered > 0) queueMicrotask(() => this.processBuffered());
      }
    }
  }

  /** Shutdown, first step: read no further requests (those already started still complete). */
  stopReading(): void {
    this.draining = true;
    if (!this.closed) this.socket.pause();
  }

  /** Shutdown: stop reading new requests, finish and write those in flight, then close. */
  drain(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.stopReading();
    const p = new Promise<void>((resolve) => this.closeWaiters.push(resolve));
    if (this.slots.length === 0) this.endGracefully();
    return p;
  }

  private endGracefully(): void {
    if (this.closed) return;
    this.socket.end();
    // A peer that never reads must not hold shutdown hostage.
    setTimeout(() => this.destroy(), 2000).unref();
  }

  destroy(): void {
    if (!this.closed) this.socket.destroy();
    this.onClose();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks = [];
    this.buffered = 0;
    for (const w of this.closeWaiters.splice(0)) w();
    this.onClosed?.(this);
  }

  /** Set by the server to forget closed connections. */
  onClosed?: (c: Connection) => void;
}

function byteLength(r: Buffer | Buffer[]): number {
  if (!Array.isArray(r)) return r.length;
  let n = 0;
  for (const b of r) n += b.length;
  return n;
}
