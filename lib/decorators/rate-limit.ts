import { TaskDefinitionError } from '../errors/task-definition.error.js';

/** A start rate: `tokens` per `periodMs`. */
export interface RateLimit {
  tokens: number;
  periodMs: number;
}

const PERIODS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses `'10/s'`, `'100/m'`, `'5/h'` or a number per second. Throws a {@link TaskDefinitionError} otherwise. */
export function parseRateLimit(value: string | number, where = 'rateLimit'): RateLimit {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) {
      throw new TaskDefinitionError(`${where}: ${value} is not a positive number of tasks per second`);
    }
    return { tokens: value, periodMs: 1_000 };
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*([smh])\s*$/.exec(value);
  const tokens = match ? Number(match[1]) : NaN;
  if (!match || tokens <= 0) {
    throw new TaskDefinitionError(
      `${where}: "${value}" is not a rate limit (expected "<count>/s", "<count>/m", "<count>/h" or a number per second)`,
    );
  }
  return { tokens, periodMs: PERIODS[match[2]] };
}
