import { CeleriacError } from './celeriac.error.js';

/** A message is not a valid task envelope; it is dead-lettered with this message as the reason. */
export class InvalidEnvelopeError extends CeleriacError {
  constructor(message: string) {
    super('INVALID_ENVELOPE', `invalid task envelope: ${message}`);
  }
}
