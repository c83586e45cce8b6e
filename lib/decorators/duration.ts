import { CeleriacError } from '../errors/celeriac.error.js';

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration: ms as a number, or `'500ms'`, `'30s'`, `'10m'`, `'2h'`, `'1d'`. */
export function parseDuration(value: string | number, where: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new CeleriacError('INVALID_OPTION', `${where}: ${value} is not a duration in ms ≥ 0`);
  }
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
  if (!match) {
    throw new CeleriacError(
      'INVALID_OPTION',
      `${where}: "${value}" is not a duration (expected ms, or "<n>ms", "<n>s", "<n>m", "<n>h", "<n>d")`,
    );
  }
  return Number(match[1]) * UNITS[match[2]];
}
