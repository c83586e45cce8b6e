import { InvalidArgumentError } from 'commander';

/** Commander parser of an integer option ≥ `min`. */
export function integerAtLeast(min: number): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min) {
      throw new InvalidArgumentError(`expected an integer ≥ ${min}, got "${value}"`);
    }
    return parsed;
  };
}

/** Commander parser of a JSON array option (task arguments). */
export function jsonArray(value: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed))
    throw new InvalidArgumentError('expected a JSON array of arguments, e.g. [1, "two"]');
  return parsed;
}

/** Commander parser of a time: ISO 8601 or epoch ms. */
export function timeValue(value: string): number {
  const parsed = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (Number.isNaN(parsed))
    throw new InvalidArgumentError(`expected an ISO 8601 time or epoch ms, got "${value}"`);
  return parsed;
}
