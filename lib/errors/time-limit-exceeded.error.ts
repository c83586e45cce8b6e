import { CeleriacError } from './celeriac.error.js';

/** A task ran past its time limit. */
export class TimeLimitExceededError extends CeleriacError {
  constructor(taskName: string, limitMs: number) {
    super('TIME_LIMIT_EXCEEDED', `task "${taskName}" exceeded its time limit of ${limitMs} ms`);
  }
}
