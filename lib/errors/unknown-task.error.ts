import { CeleriacError } from './celeriac.error.js';

/** No task of that name is registered where it was looked up. */
export class UnknownTaskError extends CeleriacError {
  constructor(readonly taskName: string) {
    super('UNKNOWN_TASK', `unknown task "${taskName}": no @Task method is registered under that name`);
  }
}
