import type { Cadence } from './schedule-cadence.js';

/**
 * With `catchUp: false`, a tick fired this late is still on time (a busy event loop, a node that just
 * started); one later than this was missed and is skipped.
 */
export const ON_TIME_MS = 5_000;

/** The tick a beat node fires next: its time, and when to fire it (later for a missed tick). */
export interface PlannedTick {
  /** The tick's time, epoch ms; the task id derives from it. */
  fireAt: number;
  /** When to fire: `fireAt`, or now for a missed tick fired late. */
  dueAt: number;
}

/**
 * The next tick to fire after `base` (the latest claimed tick, or the time the schedule started
 * counting). A tick still ahead fires at its time. When ticks passed with nobody firing them, only the
 * most recent fires, at once (`catchUp`, the default), or — without catch-up — only if it is on time;
 * otherwise the schedule waits for its next tick.
 */
export function nextTick(
  cadence: Cadence,
  base: number,
  catchUp: boolean,
  now: number,
): PlannedTick | undefined {
  const next = cadence.next(base);
  if (next === undefined) return undefined;
  if (next > now) return { fireAt: next, dueAt: next };
  const latest = cadence.latest(now) ?? next;
  if (catchUp || now - latest <= ON_TIME_MS) return { fireAt: latest, dueAt: now };
  const upcoming = cadence.next(now);
  return upcoming === undefined ? undefined : { fireAt: upcoming, dueAt: upcoming };
}
