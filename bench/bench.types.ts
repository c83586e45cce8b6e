/** One measured figure. */
export interface BenchRow {
  /** What was measured, e.g. `embedded async: end-to-end throughput`. */
  case: string;
  /** `celeriac`, or the baseline's name (`raw ioredis`, `bullmq`, …). */
  subject: string;
  value: number;
  /** `tasks/s`, `ms`, `commands/s`, … */
  unit: string;
  /** Free text: sizes, concurrency, ratio to the baseline. */
  note?: string;
}

/** A benchmark suite: a file `bench/suites/<name>.bench.ts` whose default export is one of these. */
export interface BenchSuite {
  name: string;
  /** Whether the suite can run here (e.g. needs Redis); a reason string means "skip, and say why". */
  available?(): Promise<true | string>;
  run(): Promise<BenchRow[]>;
}
