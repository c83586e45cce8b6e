import { Logger, type LoggerService } from '@nestjs/common';

/**
 * The module's `logger` option: a Nest `LoggerService` (the application's own, e.g. a pino or
 * winston adapter) that receives every Celeriac line, or `false` for none. Unset, Celeriac logs
 * through Nest's `Logger`, so lines follow whatever logger the application gave Nest.
 */
export type CeleriacLoggerOption = LoggerService | false;

const SILENT: LoggerService = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * The logger of one Celeriac part (`context` is what Nest shows in brackets). With a plugged
 * logger, each call passes the context as its last argument, as Nest's own `Logger` does.
 */
export function createCeleriacLogger(context: string, sink?: CeleriacLoggerOption): LoggerService {
  if (sink === undefined) return new Logger(context);
  if (sink === false) return SILENT;
  return {
    log: (message: unknown) => void sink.log(message, context),
    warn: (message: unknown) => void sink.warn(message, context),
    error: (message: unknown, stack?: string) =>
      void (stack === undefined ? sink.error(message, context) : sink.error(message, stack, context)),
    debug: (message: unknown) => void sink.debug?.(message, context),
    verbose: (message: unknown) => void sink.verbose?.(message, context),
    fatal: (message: unknown) => void (sink.fatal ?? sink.error).call(sink, message, context),
  };
}
