/**
 * The names of a function's parameters, read from its source text (TypeScript keeps them in the
 * emitted JavaScript). A destructured parameter has no name (`undefined`); so does a rest
 * parameter, whose values cannot be named one by one. Used to bind keyword arguments.
 */
export function parameterNames(fn: (...args: never[]) => unknown): (string | undefined)[] {
  const list = parameterList(Function.prototype.toString.call(fn));
  if (list === undefined || list.trim() === '') return [];
  return splitTopLevel(list).map((part) => {
    const match = /^\s*([A-Za-z_$][\w$]*)\s*(=|$)/.exec(part);
    return match ? match[1] : undefined;
  });
}

const OPEN = new Set(['(', '[', '{']);
const CLOSE = new Set([')', ']', '}']);

/** The text between the first `(` and its matching `)`, comments removed; undefined for `x => …`. */
function parameterList(source: string): string | undefined {
  const text = stripComments(source);
  const start = text.indexOf('(');
  const arrow = /^\s*(async\s+)?[A-Za-z_$][\w$]*\s*=>/.exec(text);
  if (start < 0 || arrow) return undefined;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (char === '"' || char === "'" || char === '`') i = skipString(text, i);
    else if (OPEN.has(char)) depth++;
    else if (CLOSE.has(char) && --depth === 0) return text.slice(start + 1, i);
  }
  return undefined;
}

function splitTopLevel(list: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < list.length; i++) {
    const char = list[i];
    if (char === '"' || char === "'" || char === '`') i = skipString(list, i);
    else if (OPEN.has(char)) depth++;
    else if (CLOSE.has(char)) depth--;
    else if (char === ',' && depth === 0) {
      parts.push(list.slice(from, i));
      from = i + 1;
    }
  }
  const last = list.slice(from);
  if (last.trim() !== '') parts.push(last); // a trailing comma leaves nothing behind
  return parts;
}

/** Index of the quote that closes the string opened at `at`. */
function skipString(text: string, at: number): number {
  const quote = text[at];
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return text.length;
}

function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}
