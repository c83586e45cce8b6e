import { Cron } from 'croner';
import { InvalidScheduleError } from '../errors/invalid-schedule.error.js';
import { parseInterval } from './schedule-interval.js';

/** The tick times of a schedule, in epoch ms. */
export interface Cadence {
  /** The first tick strictly after `after`, or undefined when there is none. */
  next(after: number): number | undefined;
  /** The latest tick at or before `at`, or undefined when there is none. */
  latest(at: number): number | undefined;
}

/** Ticks on multiples of the interval since the epoch, so every node computes the same ones. */
class IntervalCadence implements Cadence {
  constructor(private readonly everyMs: number) {}

  next(after: number): number {
    return (Math.floor(after / this.everyMs) + 1) * this.everyMs;
  }

  latest(at: number): number {
    return Math.floor(at / this.everyMs) * this.everyMs;
  }
}

/** Cron ticks from croner, which handles time zones and DST transitions. */
class CronCadence implements Cadence {
  constructor(private readonly cron: Cron) {}

  next(after: number): number | undefined {
    return this.cron.nextRun(new Date(after))?.getTime();
  }

  latest(at: number): number | undefined {
    // previousRuns is strictly before its reference; one ms later includes a tick exactly at `at`.
    return this.cron.previousRuns(1, new Date(at + 1))[0]?.getTime();
  }
}

/** The timing part of a schedule. */
export interface ScheduleTiming {
  cron?: string;
  every?: number | string;
  timezone?: string;
}

/**
 * Checks a schedule's timing and returns its cadence. Throws {@link InvalidScheduleError} saying what
 * is wrong: neither or both of cron and every, a bad cron expression, a cron that never fires, a time
 * zone that does not exist, an interval under the floor.
 */
export function cadenceOf(timing: ScheduleTiming): Cadence {
  const { cron, every, timezone } = timing;
  if ((cron === undefined) === (every === undefined)) {
    throw new InvalidScheduleError('give exactly one of cron or every');
  }
  if (every !== undefined) {
    if (timezone !== undefined) {
      throw new InvalidScheduleError(
        'timezone applies to cron only (an every interval is the same in every zone)',
      );
    }
    return new IntervalCadence(parseInterval(every));
  }
  if (typeof cron !== 'string' || cron.trim() === '') {
    throw new InvalidScheduleError('cron: must be a non-empty string such as "*/5 * * * *"');
  }
  if (timezone !== undefined) checkTimezone(timezone);
  let job: Cron;
  try {
    job = new Cron(cron, { timezone, paused: true, mode: '5-or-6-parts' });
  } catch (error) {
    const why = (error as Error).message.replace(/^CronPattern:\s*/, '');
    throw new InvalidScheduleError(`cron: "${cron}" is not a valid cron expression (${why})`);
  }
  const cadence = new CronCadence(job);
  if (cadence.next(Date.now()) === undefined) {
    throw new InvalidScheduleError(`cron: "${cron}" never fires`);
  }
  return cadence;
}

function checkTimezone(timezone: string): void {
  if (typeof timezone !== 'string' || timezone === '') {
    throw new InvalidScheduleError('timezone: must be an IANA time zone name such as "Europe/Paris"');
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new InvalidScheduleError(
      `timezone: "${timezone}" is not a known time zone (use an IANA name such as "Europe/Paris" or "UTC")`,
    );
  }
}
