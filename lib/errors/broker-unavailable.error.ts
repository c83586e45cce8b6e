import { CeleriacError } from './celeriac.error.js';

/** The broker or result backend cannot be reached; the message was not accepted. */
export class BrokerUnavailableError extends CeleriacError {
  constructor(broker: string, cause?: unknown) {
    const reason = cause instanceof Error ? `: ${cause.message}` : '';
    super('BROKER_UNAVAILABLE', `${broker} broker is unavailable${reason}`);
    if (cause !== undefined) this.cause = cause;
  }
}
