// Time and timers for the group coordinator. Every deadline the coordinator keeps (session timeouts, rebalance
// timeouts, the initial rebalance delay, pending-sync timeouts, offset expiry) goes through a Scheduler so unit
// tests can drive time by hand with ManualScheduler instead of sleeping.

export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs fn once after delayMs (>= 0). */
  schedule(delayMs: number, fn: () => void): TimerHandle;
}

export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(delayMs, fn) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    // A parked rebalance must never be what keeps a process alive.
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

interface ManualTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A scheduler whose clock moves only through advance(): timers fire in deadline order (ties: creation order). */
export class ManualScheduler implements Scheduler {
  private ms: number;
  private seq = 0;
  private timers: ManualTimer[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.ms = startMs;
  }

  now(): number {
    return this.ms;
  }

  schedule(delayMs: number, fn: () => void): TimerHandle {
    const t: ManualTimer = { at: this.ms + Math.max(0, delayMs), seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return {
      cancel: () => {
        t.cancelled = true;
      },
    };
  }

  /** Moves time forward by ms, firing every timer that falls due (including timers scheduled by those timers). */
  advance(ms: number): void {
    const target = this.ms + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      let next: ManualTimer | undefined;
      for (const t of this.timers) {
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.ms = Math.max(this.ms, next.at);
      next.cancelled = true;
      next.fn();
    }
    this.ms = target;
  }

  /** Number of live timers (for tests that check nothing leaks). */
  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
