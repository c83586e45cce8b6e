import { InvalidEnvelopeError } from '../errors/invalid-envelope.error.js';

/** Keys that reach an object's prototype when code copies a wire value with assignment or a merge. */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Whether JSON text may spell one of the forbidden keys: literally, or through a `\u` escape (the
 * only escape that can produce a letter or an underscore). A body that cannot is not walked at all,
 * so the common message costs one substring scan.
 */
export function mayHoldForbiddenKey(text: string): boolean {
  return (
    text.includes('"__proto__"') ||
    text.includes('"constructor"') ||
    text.includes('"prototype"') ||
    text.includes('\\u')
  );
}

/**
 * The path of the first forbidden key anywhere inside `value` (`kwargs.user.__proto__`), or
 * undefined. Iterative, so a deeply nested message cannot overflow the stack.
 */
export function findForbiddenKey(value: unknown, root = '$'): string | undefined {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (Array.isArray(item)) {
      item.forEach((element, index) => stack.push([element, `${path}[${index}]`]));
      continue;
    }
    for (const key of Object.keys(item)) {
      if (FORBIDDEN.has(key)) return `${path}.${key}`;
      stack.push([(item as Record<string, unknown>)[key], `${path}.${key}`]);
    }
  }
  return undefined;
}

/**
 * Refuses a received value holding `__proto__`, `constructor` or `prototype` as a key at any level:
 * such a key has no business in task data, and code further on (a DTO mapper, a merge in a task)
 * could turn it into prototype pollution. `text` is the JSON it was parsed from, when there is one.
 */
export function refuseForbiddenKeys(value: unknown, what: string, text?: string): void {
  if (text !== undefined && !mayHoldForbiddenKey(text)) return;
  const path = findForbiddenKey(value, what);
  if (path !== undefined) {
    throw new InvalidEnvelopeError(
      `forbidden key at ${path} (__proto__, constructor and prototype are refused)`,
    );
  }
}
