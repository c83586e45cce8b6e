/** A timer a {@link Clock} armed. */
export interface ClockTimer {
  cancel(): void;
}

/** Wall-clock time and one-shot timers; the beat takes one so tests can drive it with fake time. */
export interface Clock {
  /** Epoch ms. */
  now(): number;
  /** Calls `callback` once, after `delayMs`. */
  setTimer(callback: () => void, delayMs: number): ClockTimer;
}

/**
 * The real clock. Timers are unref'd: a beat alone keeps no process alive (its connections do), and
 * a shut-down application exits even if a timer was left armed.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(callback, delayMs) {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
