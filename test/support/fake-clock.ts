import type { Clock, ClockTimer } from '../../lib/scheduler/clock.js';

interface PendingTimer {
  at: number;
  order: number;
  callback: () => void;
}

/** Lets queued promise callbacks, microtasks and the in-memory stores' notifications run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock whose time moves only when a test says so. `advance` runs each timer that falls due, in
 * order, at its own time, and lets the work it started settle before the next one.
 */
export class FakeClock implements Clock {
  private time: number;
  private order = 0;
  private readonly timers = new Set<PendingTimer>();

  constructor(start: number | string) {
    this.time = typeof start === 'number' ? start : Date.parse(start);
  }

  /** Timers armed and not yet fired or cancelled. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** When the earliest armed timer fires, or undefined. */
  get nextTimerAt(): number | undefined {
    return [...this.timers].reduce<number | undefined>(
      (at, t) => (at === undefined || t.at < at ? t.at : at),
      undefined,
    );
  }

  now(): number {
    return this.time;
  }

  setTimer(callback: () => void, delayMs: number): ClockTimer {
    const timer = { at: this.time + Math.max(0, delayMs), order: this.order++, callback };
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }

  /** Moves time forward without firing anything, as a process stalled that long would see it. */
  jump(ms: number): void {
    this.time += ms;
  }

  /** Moves time forward by `ms`, firing what falls due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.time + ms);
  }

  async advanceTo(target: number | string): Promise<void> {
    const end = typeof target === 'number' ? target : Date.parse(target);
    await flush();
    for (;;) {
      const due = [...this.timers]
        .filter((t) => t.at <= end)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!due) break;
      this.timers.delete(due);
      this.time = Math.max(this.time, due.at);
      due.callback();
      for (let i = 0; i < 5; i++) await flush();
    }
    this.time = Math.max(this.time, end);
    await flush();
  }
}
