import type { TaskErrorInfo } from '../backends/task-record.js';
import { CeleriacError } from './celeriac.error.js';

/** Raised by `TaskHandle.wait()` when the task ended in FAILURE or REVOKED. */
export class TaskFailedError extends CeleriacError {
  constructor(
    readonly taskId: string,
    readonly state: string,
    readonly error?: TaskErrorInfo,
  ) {
    super('TASK_FAILED', `task ${taskId} ended ${state}${error ? `: ${error.name}: ${error.message}` : ''}`);
  }
}
