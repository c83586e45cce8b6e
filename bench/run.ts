import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow, BenchSuite } from './bench.types.js';

/**
 * Runs every `suites/*.bench.js` (or only those whose name contains argv[2]) and prints one table.
 * Each suite measures Celeriac beside its baseline in the same run.
 */
async function main(): Promise<void> {
  const filter = process.argv[2];
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'suites');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.js')).sort();
  const rows: BenchRow[] = [];
  for (const file of files) {
    const suite = ((await import(join(dir, file))) as { default: BenchSuite }).default;
    if (filter && !suite.name.includes(filter)) continue;
    const availability = suite.available ? await suite.available() : true;
    if (availability !== true) {
      console.log(`- ${suite.name}: skipped (${availability})`);
      continue;
    }
    console.log(`- ${suite.name}: running`);
    rows.push(...(await suite.run()));
  }
  printTable(rows);
}

function printTable(rows: BenchRow[]): void {
  console.log('\n| case | subject | value | unit | note |\n|---|---|---:|---|---|');
  for (const row of rows) {
    const value = row.value >= 100 ? row.value.toFixed(0) : row.value.toFixed(2);
    console.log(`| ${row.case} | ${row.subject} | ${value} | ${row.unit} | ${row.note ?? ''} |`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
