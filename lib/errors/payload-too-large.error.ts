import { CeleriacError } from './celeriac.error.js';

/** The encoded envelope exceeds `maxPayloadBytes`; nothing was published. */
export class PayloadTooLargeError extends CeleriacError {
  constructor(taskName: string, bytes: number, limit: number) {
    super('PAYLOAD_TOO_LARGE', `task "${taskName}" message is ${bytes} bytes, over the ${limit}-byte limit`);
  }
}
