import { CeleriacError } from './celeriac.error.js';

/** `TaskHandle.wait()` on a task sent with `ignoreResult`: nothing about it is stored, so nothing can be awaited. */
export class ResultIgnoredError extends CeleriacError {
  constructor(taskId: string, task: string) {
    super(
      'RESULT_IGNORED',
      `task ${taskId} (${task}) was sent with ignoreResult: its state and result are not stored, so there is nothing to wait for`,
    );
  }
}
