import type { Cadence } from './schedule-cadence.js';

/**
 * A tick overdue by at most this long is late, not missed: every such tick fires, in order (a busy
 * event loop, a node restarting, a short stall of every node). One overdue by more was missed: no
 * beat node ran through it.
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
 * counting). A tick still ahead fires at its time; a late one fires now. When the oldest due tick was
 * missed, only the most recent tick fires, now (`catchUp`, the default) — or, without catch-up, only
 * if it is itself no more than late; otherwise the schedule waits for its next tick.
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
  if (now - next <= ON_TIME_MS) return { fireAt: next, dueAt: now };
  const latest = cadence.latest(now) ?? next;
  if (catchUp || now - latest <= ON_TIME_MS) return { fireAt: latest, dueAt: now };
  const upcoming = cadence.next(now);
  return upcoming === undefined ? undefined : { fireAt: upcoming, dueAt: upcoming };
}
