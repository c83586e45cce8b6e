import type { LoggerService } from '@nestjs/common';
import { createCeleriacLogger, type CeleriacLoggerOption } from '../logging/celeriac-logger.js';

/**
 * One WARN line when a server becomes unreachable and one line when it answers again, however many
 * connections of this process it breaks and however often each retries. Connections report each
 * error and each recovery; the server counts as down while any of them is.
 */
export class OutageLog {
  private readonly broken = new Map<object, string>();
  private since = 0;

  constructor(
    private readonly server: string,
    private logger: LoggerService,
  ) {}

  /** From now on the lines go to `logger` (an application plugged its own). */
  adopt(logger: LoggerService): void {
    this.logger = logger;
  }

  /** `connection` failed (a socket error, a refused reconnect); the first failure of an outage is logged. */
  down(connection: object, reason: string): void {
    if (this.broken.has(connection)) return;
    this.broken.set(connection, reason);
    if (this.broken.size > 1) return;
    this.since = Date.now();
    this.logger.warn(
      `${this.server} is unreachable (${reason}); reconnecting in the background — ` +
        'calls fail with BrokerUnavailableError until it is back',
    );
  }

  /** Why `connection` is down (its first failure of this outage), or undefined while it works. */
  reasonOf(connection: object): string | undefined {
    return this.broken.get(connection);
  }

  /**
   * `connection` works again; the last one to recover ends the outage. `where` names the node it
   * reached when the server is a cluster of several.
   */
  up(connection: object, where?: string): void {
    if (!this.broken.delete(connection) || this.broken.size > 0) return;
    const at = where === undefined ? '' : ` at ${where}`;
    this.logger.log(`${this.server} is reachable again${at} (after ${Date.now() - this.since} ms)`);
  }

  /** `connection` was closed for good: it no longer keeps an outage open (and says nothing). */
  forget(connection: object): void {
    this.broken.delete(connection);
  }
}

const logs = new Map<string, OutageLog>();

/**
 * The process's outage log of one server, e.g. `Redis at 10.0.0.5:6379`. A part given the module's
 * `logger` option hands it on: the server's lines go to the application's logger from then on (a
 * process has one application in production; the log is per server, not per part).
 */
export function outageLogOf(server: string, context: string, sink?: CeleriacLoggerOption): OutageLog {
  let log = logs.get(server);
  if (!log) logs.set(server, (log = new OutageLog(server, createCeleriacLogger(context, sink))));
  else if (sink !== undefined) log.adopt(createCeleriacLogger(context, sink));
  return log;
}
