import { InvalidScheduleError } from '../errors/invalid-schedule.error.js';

/** The shortest `every` accepted: a beat node claims each tick in the store, so ticks stay ≥ 1 s apart. */
export const MIN_INTERVAL_MS = 1_000;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const INTERVAL = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** Reads `every` (ms, or `'10s' | '5m' | '1h' | …`) as whole ms, at least {@link MIN_INTERVAL_MS}. */
export function parseInterval(every: number | string): number {
  let ms: number;
  if (typeof every === 'number') {
    ms = every;
  } else if (typeof every === 'string') {
    const match = INTERVAL.exec(every.trim());
    if (!match) {
      throw new InvalidScheduleError(
        `every: "${every}" is not an interval (write ms, or a number with ms, s, m, h or d: '30s', '5m')`,
      );
    }
    ms = Number(match[1]) * UNIT_MS[match[2]];
  } else {
    throw new InvalidScheduleError(`every: must be ms or a string such as '30s', got ${typeof every}`);
  }
  if (!Number.isFinite(ms) || !Number.isInteger(ms)) {
    throw new InvalidScheduleError(`every: ${String(every)} is not a whole number of ms`);
  }
  if (ms < MIN_INTERVAL_MS) {
    throw new InvalidScheduleError(
      `every: ${JSON.stringify(every)} is ${ms} ms, under the ${MIN_INTERVAL_MS} ms floor of a schedule`,
    );
  }
  return ms;
}
