import { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY } from '../celeriac.constants.js';

/** Brings any priority onto Celeriac's 0–9 scale (higher is sooner); a missing one is the default. */
export function clampPriority(priority: number | undefined): number {
  if (typeof priority !== 'number' || !Number.isFinite(priority)) return DEFAULT_PRIORITY;
  return Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.trunc(priority)));
}
