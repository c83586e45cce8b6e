import { CeleriacError } from './celeriac.error.js';

/** A message on the control channel that is not a Celeriac control request or reply. */
export class InvalidControlMessageError extends CeleriacError {
  constructor(reason: string) {
    super('INVALID_CONTROL_MESSAGE', `malformed control message: ${reason}`);
  }
}
