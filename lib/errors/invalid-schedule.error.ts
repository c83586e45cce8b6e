import { CeleriacError } from './celeriac.error.js';

/** A schedule's timing or options are wrong: bad cron, unknown time zone, interval too short, … */
export class InvalidScheduleError extends CeleriacError {
  constructor(message: string) {
    super('INVALID_SCHEDULE', message);
  }
}
