import { CeleriacError } from './celeriac.error.js';

/** The broker or result backend cannot be reached; the message was not accepted. */
export class BrokerUnavailableError extends CeleriacError {
  constructor(broker: string, cause?: unknown) {
    // Duck-typed: errors raised by Node's sockets may come from another realm (as under jest's VM).
    const message = (cause as { message?: unknown } | undefined)?.message;
    const reason = typeof message === 'string' ? `: ${message}` : '';
    super('BROKER_UNAVAILABLE', `${broker} broker is unavailable${reason}`);
    if (cause !== undefined) this.cause = cause;
  }
}
