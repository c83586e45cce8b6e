import { CeleriacError } from './celeriac.error.js';

/**
 * A task's stored (or published) result record could not be read: it is not JSON, or not a record.
 * Someone other than Celeriac wrote it, or it was damaged; the task's outcome is unknown.
 */
export class CorruptRecordError extends CeleriacError {
  constructor(
    readonly taskId: string,
    reason: string,
  ) {
    super('CORRUPT_RECORD', `the result record of task "${taskId}" is corrupt: ${reason}`);
  }
}
