import { CeleriacError } from './celeriac.error.js';

/** A `@Task` declaration or the module configuration is wrong; raised at bootstrap. */
export class TaskDefinitionError extends CeleriacError {
  constructor(message: string) {
    super('TASK_DEFINITION', message);
  }
}
