// Time source for the storage engine. Everything time-dependent (segment.ms rolls, retention.ms, delete horizons,
// flush.ms, file.delete.delay.ms bookkeeping) reads `clock.now()` so tests can drive time explicitly.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests. */
export class ManualClock implements Clock {
  constructor(private ms = 1_700_000_000_000) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
}
