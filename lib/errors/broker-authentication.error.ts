import { BrokerUnavailableError } from './broker-unavailable.error.js';
import type { UnreachableTarget } from './broker-unreachable.error.js';

/**
 * The broker or result backend refused this application's credentials at start-up (a wrong or
 * missing password, an unknown user). The message names the host, port and URL with its password
 * hidden, the server's own words, and the setting that holds the credentials.
 */
export class BrokerAuthenticationError extends BrokerUnavailableError {
  override readonly code = 'BROKER_AUTHENTICATION_FAILED';
  readonly host: string;
  readonly port: number;

  constructor(target: UnreachableTarget, reason: string, cause?: unknown) {
    super(target.role, cause);
    this.host = target.host;
    this.port = target.port;
    this.message =
      `authentication failed for the ${target.role} at ${target.host}:${target.port} (${target.url}): ${reason}. ` +
      `Check the user name and password in ${target.setting}.`;
  }
}
