import type { Registry } from 'prom-client';

/** DI token of {@link CeleriacMetricsOptions}. */
export const CELERIAC_METRICS_OPTIONS = Symbol('CELERIAC_METRICS_OPTIONS');

/** Options of `CeleriacMetricsModule.forRoot()`. */
export interface CeleriacMetricsOptions {
  /**
   * Registry the metrics go in: the application's own (e.g. prom-client's global `register`) to
   * serve them beside its other metrics. Default: a registry of Celeriac's own.
   */
  registry?: Registry;
  /** Prefix of every metric name (default `celeriac_`). */
  prefix?: string;
  /** Route of the exposition text (default `metrics`); `false` for none (serve `registry` yourself). */
  path?: string | false;
  /** Queues whose depth is reported (default: the module's queue table; queues seen in events join). */
  queues?: string[];
  /** Buckets of `task_duration_seconds`, in seconds. */
  durationBuckets?: number[];
  /** Also collect prom-client's default process metrics (CPU, memory, event loop lag) in `registry`. */
  defaultMetrics?: boolean;
}
