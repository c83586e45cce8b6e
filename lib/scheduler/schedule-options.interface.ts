import type { JsonValue } from '../protocol/json-value.js';

/**
 * When and how a periodic task fires: exactly one of `cron` or `every`, plus what to send.
 * Used on `@Task({ schedule })` / `@Task({ schedules })`.
 */
export interface ScheduleOptions {
  /**
   * Schedule id, unique across the application. Default: the task name for `schedule`, and
   * `<task name>[<index>]` for each entry of `schedules`.
   */
  id?: string;
  /**
   * A cron expression: five fields (`m h dom mon dow`), or six with seconds first; nicknames such as
   * `@daily` too. Read in `timezone`.
   */
  cron?: string;
  /**
   * A fixed interval: ms, or `'<n>ms' | '<n>s' | '<n>m' | '<n>h' | '<n>d'` (at least 1 s). Ticks
   * fall on multiples of the interval since the Unix epoch (`'5m'` fires at :00, :05, …), so every
   * node agrees on them.
   */
  every?: number | string;
  /** IANA time zone of a cron expression (default UTC), e.g. `'Europe/Paris'`; DST is handled. */
  timezone?: string;
  /** Arguments of each fired task (JSON values); checked against the method's parameters. */
  args?: JsonValue[];
  /**
   * When no beat node ran through one or more ticks (every node down), fire the most recent missed
   * tick once on restart (default `true`); `false` skips ticks more than a few seconds late.
   */
  catchUp?: boolean;
  /** Queue of the fired tasks (default: the task's queue). */
  queue?: string;
  /** Priority of the fired tasks, 0 to 9 (default: the task's). */
  priority?: number;
  /** A fired task not started within this many ms is revoked instead of run (default: the task's). */
  expires?: number;
}

/** A schedule given by task name: in `CeleriacModule.forRoot({ schedules })` and `Scheduler.upsert`. */
export interface ScheduleSpec extends Omit<ScheduleOptions, 'id'> {
  /** Registered task name (`ClassName.method` unless `@Task({ name })` says otherwise). */
  task: string;
}
