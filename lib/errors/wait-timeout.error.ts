import { CeleriacError } from './celeriac.error.js';

/** `TaskHandle.wait({ timeout })` gave up; the task itself goes on. */
export class WaitTimeoutError extends CeleriacError {
  constructor(taskId: string, timeoutMs: number) {
    super('WAIT_TIMEOUT', `task ${taskId} was not ready within ${timeoutMs} ms`);
  }
}
