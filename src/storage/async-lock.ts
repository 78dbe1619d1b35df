// A minimal FIFO async mutex: structural changes of a log (retention, cleaning swaps, truncation) run one at a time
// while appends and reads continue.
export class AsyncLock {
  private tailPromise: Promise<void> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tailPromise.then(fn);
    this.tailPromise = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
