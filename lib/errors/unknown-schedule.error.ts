import { CeleriacError } from './celeriac.error.js';

/** No schedule of that id is in the schedule store. */
export class UnknownScheduleError extends CeleriacError {
  constructor(readonly scheduleId: string) {
    super('UNKNOWN_SCHEDULE', `unknown schedule "${scheduleId}"`);
  }
}
