import type { BackoffOptions } from './task-options.interface.js';

/** Used when a task has retries but names no backoff: 1 s, 2 s, 4 s, … with jitter. */
export const DEFAULT_BACKOFF: BackoffOptions = {
  type: 'exponential',
  delay: 1_000,
  maxDelay: 600_000,
  jitter: true,
};
const DEFAULT_MAX_DELAY = 600_000;

/** Normalises the `backoff` option (a number means a fixed delay without jitter). */
export function resolveBackoff(backoff: BackoffOptions | number | undefined): BackoffOptions {
  if (backoff === undefined) return DEFAULT_BACKOFF;
  if (typeof backoff === 'number') return { type: 'fixed', delay: backoff, jitter: false };
  return backoff;
}

/**
 * Delay before retry number `retry` (1 for the first retry). With jitter the delay is drawn from
 * [d/2, d] ("equal jitter"): failures spread out, yet never retry sooner than half the schedule.
 * Jitter is on by default for `exponential` and off for `fixed`: a fixed delay means that delay.
 */
export function backoffDelay(
  options: BackoffOptions,
  retry: number,
  random: () => number = Math.random,
): number {
  const base = options.type === 'fixed' ? options.delay : options.delay * 2 ** Math.max(0, retry - 1);
  const capped = Math.min(base, options.maxDelay ?? DEFAULT_MAX_DELAY);
  const jitter = options.jitter ?? options.type === 'exponential';
  if (!jitter) return Math.round(capped);
  return Math.round(capped / 2 + (random() * capped) / 2);
}
