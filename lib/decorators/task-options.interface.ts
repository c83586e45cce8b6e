import type { ScheduleOptions } from '../scheduler/schedule-options.interface.js';
import type { TaskPolicyOptions } from './policy-options.interface.js';

/** How long to wait before each retry. */
export interface BackoffOptions {
  /** `fixed`: always `delay`; `exponential`: `delay × 2^(retry-1)`. */
  type: 'fixed' | 'exponential';
  /** Base delay in ms. */
  delay: number;
  /** Cap in ms (default 10 minutes, as Celery's `retry_backoff_max`). */
  maxDelay?: number;
  /**
   * Spread retries over [delay/2, delay] so a burst of failures does not retry in lockstep.
   * Default: on for `exponential`, off for `fixed` (a fixed delay is exactly `delay`).
   */
  jitter?: boolean;
}

/** Options of `@Task()`. Every field is optional. */
export interface TaskOptions extends TaskPolicyOptions {
  /** Registered name; default `ClassName.method`. Send-by-name uses it. */
  name?: string;
  /** Queue the task is published to; default `default`. Must be in the module's queue table. */
  queue?: string;
  /** Retries after the first attempt (default 0): `retries: 3` runs at most 4 times. */
  retries?: number;
  /** Delay between retries; a number means fixed ms. Default exponential from 1 s with jitter. */
  backoff?: BackoffOptions | number;
  /** Soft time limit in ms: the task's `AbortSignal` fires, and the attempt fails with a time-limit error. */
  timeLimit?: number;
  /** ms after sending when a not-yet-started task is revoked instead of run. */
  expires?: number;
  /** Default priority, 0 (lowest) to 9 (highest). */
  priority?: number;
  /**
   * Store nothing about this task: no state, no result. `wait()` on its handle rejects at once with
   * a {@link ResultIgnoredError}, and `GET /tasks/:id` answers 404.
   */
  ignoreResult?: boolean;
  /** Record STARTED when a worker begins it (default: the module's `trackStarted`, false). */
  trackStarted?: boolean;
  /** Fire this task periodically: `{ cron: '0 9 * * MON', timezone: 'Europe/Paris' }` or `{ every: '30s' }`. */
  schedule?: ScheduleOptions;
  /** Several schedules for one task (each may name its `id`). */
  schedules?: ScheduleOptions[];
}
