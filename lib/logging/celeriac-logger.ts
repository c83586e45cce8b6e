import { Logger, type LoggerService } from '@nestjs/common';
import { quietInPoolChild } from '../worker/pools/pool-child-logger.js';

/**
 * The module's `logger` option: a Nest `LoggerService` (the application's own, e.g. a pino or
 * winston adapter) that receives every Celeriac line, or `false` for none. Unset, Celeriac logs
 * through Nest's `Logger`, so lines follow whatever logger the application gave Nest.
 */
export type CeleriacLoggerOption = LoggerService | false;

/**
 * What every Celeriac part logs through: Nest's `Logger` methods, all present and returning
 * nothing (a plugged `LoggerService` may lack `debug`, and its methods may return anything).
 */
export type CeleriacLogger = Record<
  'log' | 'warn' | 'error' | 'debug' | 'verbose' | 'fatal',
  (message: unknown, ...optionalParams: unknown[]) => void
>;

const ignore = (): void => undefined;
const SILENT: CeleriacLogger = {
  log: ignore,
  warn: ignore,
  error: ignore,
  debug: ignore,
  verbose: ignore,
  fatal: ignore,
};

/**
 * The logger of one Celeriac part (`context` is what Nest shows in brackets). With a plugged
 * logger, each call passes the context as its last argument, as Nest's own `Logger` does. Every
 * part that logs — client, worker, executor, pools, brokers, backends, scheduler, control plane —
 * takes its logger from here, so the `logger` option reaches all of them.
 */
export function createCeleriacLogger(context: string, plugged?: CeleriacLoggerOption): CeleriacLogger {
  if (plugged === undefined) return new Logger(context);
  if (plugged === false) return SILENT;
  // In a pool child, only warnings and errors (and what tasks log), tagged with the pool slot.
  const sink = quietInPoolChild(plugged);
  return {
    log: (message: unknown) => void sink.log(message, context),
    warn: (message: unknown) => void sink.warn(message, context),
    error: (message: unknown, stack?: unknown) =>
      void (typeof stack === 'string' ? sink.error(message, stack, context) : sink.error(message, context)),
    debug: (message: unknown) => void sink.debug?.(message, context),
    verbose: (message: unknown) => void sink.verbose?.(message, context),
    fatal: (message: unknown) => void (sink.fatal ?? sink.error).call(sink, message, context),
  };
}
