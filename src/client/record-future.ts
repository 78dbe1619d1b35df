// The result of Producer.send(): a minimal Promise implementation settled directly by the sender. A native Promise
// per record would also need a `.catch()` child promise to keep fire-and-forget sends from raising unhandled
// rejections; this class costs one small object per record and never reports unhandled rejections (a failed
// fire-and-forget send is silently dropped, as a Java Future nobody calls get() on). It is a full thenable, so
// `await`, Promise.all and .then/.catch/.finally behave as with a Promise.
import type { RecordMetadata } from './accumulator.js';

type Fulfill<T> = ((value: RecordMetadata) => T | PromiseLike<T>) | null | undefined;
type Reject<T> = ((reason: unknown) => T | PromiseLike<T>) | null | undefined;

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

export class RecordFuture implements Promise<RecordMetadata> {
  private state = PENDING;
  private result: RecordMetadata | Error | null = null;
  private waiters: ((state: number, result: unknown) => void)[] | null = null;

  private lazy: (() => RecordMetadata) | null = null;

  /** Fulfils with metadata built only if someone reads it (most fire-and-forget results never are). */
  settleLazy(build: () => RecordMetadata): void {
    if (this.state !== PENDING) return;
    if (this.waiters) return this.settle(null, build());
    this.state = FULFILLED;
    this.lazy = build;
  }

  /** Called once by the producer. */
  settle(err: Error | null, metadata: RecordMetadata | null): void {
    if (this.state !== PENDING) return;
    this.state = err ? REJECTED : FULFILLED;
    this.result = err ?? metadata;
    const ws = this.waiters;
    this.waiters = null;
    if (ws) for (const w of ws) w(this.state, this.result);
  }

  then<T1 = RecordMetadata, T2 = never>(onFulfilled?: Fulfill<T1>, onRejected?: Reject<T2>): Promise<T1 | T2> {
    return new Promise<T1 | T2>((resolve, reject) => {
      const run = (state: number, result: unknown): void => {
        // callbacks always run asynchronously, as Promise/A+ requires
        queueMicrotask(() => {
          try {
            if (state === FULFILLED) {
              if (onFulfilled) resolve(onFulfilled(result as RecordMetadata));
              else resolve(result as T1);
            } else if (onRejected) resolve(onRejected(result));
            else reject(result);
          } catch (e) {
            reject(e);
          }
        });
      };
      if (this.state === PENDING) (this.waiters ??= []).push(run);
      else {
        if (this.lazy) {
          this.result = this.lazy();
          this.lazy = null;
        }
        run(this.state, this.result);
      }
    });
  }

  catch<T = never>(onRejected?: Reject<T>): Promise<RecordMetadata | T> {
    return this.then(undefined, onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<RecordMetadata> {
    return this.then(
      (v) => {
        onFinally?.();
        return v;
      },
      (e: unknown) => {
        onFinally?.();
        throw e;
      },
    );
  }

  get [Symbol.toStringTag](): string {
    return 'RecordFuture';
  }
}
