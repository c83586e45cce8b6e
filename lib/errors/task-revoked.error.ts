import { CeleriacError } from './celeriac.error.js';

/** The reason a revoked (or expired) task's signal carries. */
export class TaskRevokedError extends CeleriacError {
  constructor(taskId: string, why = 'revoked') {
    super('TASK_REVOKED', `task ${taskId} was ${why}`);
  }
}
