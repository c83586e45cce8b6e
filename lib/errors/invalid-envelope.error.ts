import type { TaskEnvelope } from '../protocol/task-envelope.js';
import { CeleriacError } from './celeriac.error.js';

/** A message is not a valid task envelope; it is dead-lettered with this message as the reason. */
export class InvalidEnvelopeError extends CeleriacError {
  constructor(
    message: string,
    /**
     * What could be read of the task when the message is well-formed but refused (a Celery workflow
     * on a `celery` queue): the worker then records the task as failed, so its caller hears why.
     */
    readonly envelope?: TaskEnvelope,
  ) {
    super('INVALID_ENVELOPE', `invalid task envelope: ${message}`);
  }
}
