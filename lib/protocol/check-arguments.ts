import { InvalidArgumentsError } from '../errors/invalid-arguments.error.js';

/** What argument checking needs of a task; a subset of its definition. */
export interface ArgumentShape {
  name: string;
  paramTypes: readonly unknown[];
  requiredArgs: number;
}

const PRIMITIVES = new Map<unknown, string>([
  [String, 'string'],
  [Number, 'number'],
  [Boolean, 'boolean'],
]);

/**
 * Checks arguments against the method's declared parameters: count (required ≤ given ≤ declared)
 * and, where TypeScript recorded a primitive or array type, the JSON type of each value.
 * "Required" is JavaScript's rule (`Function.length`): the parameters before the first one with a
 * default value. A TypeScript `?` leaves no trace at run time, so optional task parameters take a
 * default value (`pages = 1`).
 */
export function checkArguments(shape: ArgumentShape, args: readonly unknown[]): void {
  const declared = shape.paramTypes.length;
  if (args.length < shape.requiredArgs) {
    throw new InvalidArgumentsError(
      shape.name,
      `expected at least ${shape.requiredArgs} argument(s), got ${args.length}`,
    );
  }
  if (declared > 0 && args.length > declared) {
    throw new InvalidArgumentsError(
      shape.name,
      `expected at most ${declared} argument(s), got ${args.length}`,
    );
  }
  args.forEach((value, index) => {
    const type = shape.paramTypes[index];
    const expected = type === Array ? 'array' : PRIMITIVES.get(type);
    if (!expected || value === undefined || value === null) return;
    const actual = Array.isArray(value) ? 'array' : typeof value;
    if (actual !== expected) {
      throw new InvalidArgumentsError(
        shape.name,
        `argument ${index + 1} must be a ${expected}, got ${actual}`,
      );
    }
  });
}

/**
 * Throws if `value` does not survive JSON unchanged in kind (functions, symbols, bigint, cycles).
 * Returns what a JSON round trip would: a copy that shares nothing with `value`.
 */
export function toJsonSafe(value: unknown, what: string): unknown {
  if (value === undefined) return null;
  const copy = copyWithoutRoundTrip(value);
  if (copy !== ROUND_TRIP) return copy;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`${what} is not JSON-serializable: ${(error as Error).message}`);
  }
  if (text === undefined) throw new TypeError(`${what} is not JSON-serializable (${typeof value})`);
  return JSON.parse(text) as unknown;
}

const ROUND_TRIP = Symbol('round trip');

/**
 * The common shapes — a scalar, an array of scalars, an empty plain object — copied as a JSON round
 * trip would, without the text in between (a send's arguments and a task's result went through
 * stringify and parse each). Anything else, or a value JSON would change (NaN, -0, a hole), is
 * left to the round trip.
 */
function copyWithoutRoundTrip(value: unknown): unknown {
  if (isJsonScalar(value)) return value;
  if (Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype) {
    const copy: unknown[] = new Array<unknown>(value.length);
    for (let at = 0; at < value.length; at++) {
      const item: unknown = value[at];
      if (!isJsonScalar(item)) return ROUND_TRIP;
      copy[at] = item;
    }
    return copy;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    for (const key in value) if (Object.hasOwn(value, key)) return ROUND_TRIP;
    return {};
  }
  return ROUND_TRIP;
}

function isJsonScalar(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    default:
      return value === null;
  }
}
