import { CeleriacError } from './celeriac.error.js';

/** The arguments do not fit the task method's parameters. */
export class InvalidArgumentsError extends CeleriacError {
  constructor(taskName: string, problem: string) {
    super('INVALID_ARGUMENTS', `invalid arguments for task "${taskName}": ${problem}`);
  }
}
