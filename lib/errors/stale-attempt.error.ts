import { CeleriacError } from './celeriac.error.js';

/**
 * A write of a task's state came from an attempt that is no longer the task's newest: its delivery
 * went to another worker (the lease ended, the connection dropped) and the later attempt has
 * claimed the record or holds the message. The write was refused, so the stale run overwrites
 * nothing and settles nothing.
 */
export class StaleAttemptError extends CeleriacError {
  constructor(
    readonly taskId: string,
    readonly detail: string,
  ) {
    super('STALE_ATTEMPT', `task "${taskId}": the outcome of a stale attempt was refused: ${detail}`);
  }
}

/** Why a backend refuses a fenced write. */
export const STALE_FENCE = 'a later attempt (another worker) claimed its record';

/** Why a broker refuses an ack-with-record of a delivery whose lease ended. */
export const STALE_DELIVERY = 'its delivery had gone to another consumer (the lease ended first)';
