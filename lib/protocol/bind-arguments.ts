import { InvalidArgumentsError } from '../errors/invalid-arguments.error.js';
import { type ArgumentShape, checkArguments } from './check-arguments.js';
import type { JsonValue } from './json-value.js';

/** What binding keyword arguments needs of a task: its argument shape and its parameter names. */
export interface ParameterShape extends ArgumentShape {
  /** Declared parameter names in order; `undefined` for a destructured or rest parameter. */
  paramNames: readonly (string | undefined)[];
}

/**
 * Turns positional `args` and keyword `kwargs` into the method's argument list, then checks it
 * like positional arguments. The rule (README, "Keyword arguments"):
 * 1. `args` fill the parameters from the first, in order.
 * 2. A kwarg whose key is a parameter's name fills that parameter; naming one `args` already
 *    filled is an error, as in Python.
 * 3. Kwargs naming no parameter are gathered into one object passed as the last declared parameter
 *    (an options object), if rules 1–2 left it unfilled; otherwise they are an error.
 * 4. Parameters left between filled ones are `undefined`, so their defaults apply.
 */
export function bindArguments(
  shape: ParameterShape,
  args: readonly JsonValue[],
  kwargs: Readonly<Record<string, JsonValue>>,
): unknown[] {
  const keys = Object.keys(kwargs);
  if (keys.length === 0) {
    checkArguments(shape, args);
    return [...args];
  }
  const bound: unknown[] = [...args];
  const filled = new Set<number>(args.map((_, index) => index));
  const rest: Record<string, JsonValue> = {};
  for (const key of keys) {
    const index = shape.paramNames.indexOf(key);
    if (index < 0) {
      rest[key] = kwargs[key];
      continue;
    }
    if (filled.has(index)) {
      throw new InvalidArgumentsError(shape.name, `got multiple values for parameter "${key}"`);
    }
    bound[index] = kwargs[key];
    filled.add(index);
  }
  const leftover = Object.keys(rest);
  if (leftover.length > 0) {
    const last = shape.paramNames.length - 1;
    if (last < 0 || filled.has(last)) {
      const names = leftover.map((key) => `"${key}"`).join(', ');
      throw new InvalidArgumentsError(shape.name, `unexpected keyword argument(s) ${names}`);
    }
    bound[last] = rest;
  }
  for (let i = 0; i < shape.requiredArgs; i++) {
    if (!filled.has(i) && i < bound.length) {
      const name = shape.paramNames[i] ?? `#${i + 1}`;
      throw new InvalidArgumentsError(shape.name, `missing required parameter "${name}"`);
    }
  }
  for (let i = 0; i < bound.length; i++) if (!(i in bound)) bound[i] = undefined;
  checkArguments(shape, bound);
  return bound;
}
