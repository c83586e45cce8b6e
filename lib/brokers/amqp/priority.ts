/** Celeriac's priority scale is 0–9 (higher is sooner) on every broker: classic work queues' `x-max-priority`. */
export const MAX_PRIORITY = 9;

export function clampPriority(priority: number | undefined): number {
  if (typeof priority !== 'number' || !Number.isFinite(priority)) return 0;
  return Math.min(MAX_PRIORITY, Math.max(0, Math.round(priority)));
}
