import { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY } from '../celeriac.constants.js';
import { CeleriacError } from '../errors/celeriac.error.js';

/** Brings any priority onto Celeriac's 0–9 scale (higher is sooner); a missing one is the default. */
export function clampPriority(priority: number | undefined): number {
  if (typeof priority !== 'number' || !Number.isFinite(priority)) return DEFAULT_PRIORITY;
  return Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.trunc(priority)));
}

/** A priority a caller gave must already be on the 0–9 scale: anything else is their mistake. */
export function checkPriority(priority: number): number {
  if (!Number.isInteger(priority) || priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
    throw new CeleriacError(
      'INVALID_OPTION',
      `priority must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY} (got ${priority})`,
    );
  }
  return priority;
}
