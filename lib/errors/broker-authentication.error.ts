import { BrokerUnreachableError, type UnreachableTarget } from './broker-unreachable.error.js';

/**
 * The broker or result backend refused this application's credentials at start-up (a wrong or
 * missing password, an unknown user): reached, but not usable. The message names the host, port
 * and URL with its password hidden, the server's own words, and the setting that holds the
 * credentials.
 */
export class BrokerAuthenticationError extends BrokerUnreachableError {
  override readonly code = 'BROKER_AUTHENTICATION_FAILED';

  constructor(target: UnreachableTarget, reason: string, cause?: unknown) {
    super(target, reason, cause);
    this.message =
      `authentication failed for the ${target.role} at ${target.host}:${target.port} (${target.url}): ${reason}. ` +
      `Check the user name and password in ${target.setting}.`;
  }
}
