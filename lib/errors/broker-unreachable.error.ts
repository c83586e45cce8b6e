import { BrokerUnavailableError } from './broker-unavailable.error.js';

/** Where a connection that failed at start-up was going. */
export interface UnreachableTarget {
  /** `broker` or `result backend`. */
  role: string;
  /** The URL with its password hidden. */
  url: string;
  host: string;
  port: number;
  /** Where the URL usually comes from, to tell the reader what to change (`BROKER_URL`). */
  setting: string;
}

/**
 * The broker or result backend could not be reached when the application started. The message
 * names the host and port, the underlying cause (refused, unknown host, authentication) and
 * the setting to check; passwords never appear in it.
 */
export class BrokerUnreachableError extends BrokerUnavailableError {
  readonly host: string;
  readonly port: number;

  constructor(target: UnreachableTarget, reason: string, cause?: unknown) {
    super(target.role, cause);
    this.host = target.host;
    this.port = target.port;
    this.message =
      `cannot reach the ${target.role} at ${target.host}:${target.port} (${target.url}): ${reason}. ` +
      `Start it there, or point ${target.setting} at one that is running.`;
  }
}
