import { CeleriacError } from './celeriac.error.js';

/** `wait()` gave up because the application (and with it the result backend client) is closing. */
export class ClientClosedError extends CeleriacError {
  constructor(readonly taskId: string) {
    super(
      'CLIENT_CLOSED',
      `stopped waiting for task ${taskId}: the application is closing. The task goes on; ` +
        'ask for its result later with client.handle(id) or GET /tasks/:id',
    );
  }
}
