/** Where a command writes: aligned tables and lines for people, one JSON document with `--json`. */
export interface CliOutput {
  readonly json: boolean;
  /** Prints `value` as JSON (with `--json`) or calls `human` to print it for people. */
  result(value: unknown, human: () => void): void;
  /** One line for people (suppressed with `--json`). */
  line(text: string): void;
  /** An aligned table with a header row; `null`/`undefined` cells print as `-`. */
  table(headers: string[], rows: unknown[][]): void;
  /** Aligned `name  value` lines, one per field that has a value. */
  fields(pairs: [string, unknown][]): void;
}

export function createOutput(
  json: boolean,
  write: (text: string) => void = (text) => process.stdout.write(text),
): CliOutput {
  return {
    json,
    result(value, human) {
      if (json) write(`${JSON.stringify(value)}\n`);
      else human();
    },
    line(text) {
      if (!json) write(`${text}\n`);
    },
    table(headers, rows) {
      if (!json) write(formatTable(headers, rows));
    },
    fields(pairs) {
      if (json) return;
      const shown = pairs.filter(([, value]) => value !== undefined);
      const width = Math.max(0, ...shown.map(([name]) => name.length));
      for (const [name, value] of shown) write(`${name.padEnd(width)}  ${cellText(value)}\n`);
    },
  };
}

/** Left-aligned columns (numbers right-aligned), two spaces apart, no trailing spaces. */
export function formatTable(headers: string[], rows: unknown[][]): string {
  const cells = rows.map((row) => row.map(cellText));
  const numeric = headers.map(
    (_, column) =>
      rows.length > 0 && rows.every((row) => typeof row[column] === 'number' || row[column] == null),
  );
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...cells.map((row) => (row[column] ?? '').length)),
  );
  const render = (row: string[]): string =>
    row
      .map((text, column) => (numeric[column] ? text.padStart(widths[column]) : text.padEnd(widths[column])))
      .join('  ')
      .trimEnd();
  return [headers, ...cells].map(render).join('\n') + '\n';
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
