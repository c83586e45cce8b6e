import { ConsoleLogger, Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { findCurrentTask } from '../task-context.js';
import { poolChildMarker, type PoolChildMarker } from './pool-child-marker.js';

/** What a child prints outside its tasks: the parent has already logged everything else once. */
const CHILD_LEVELS: readonly LogLevel[] = ['warn', 'error', 'fatal'];

type LoggerRequest = Parameters<typeof Logger.overrideLogger>[0];

/**
 * The Nest logger of a `threads` / `processes` pool child. A child boots the whole application
 * again, so without this every child would repeat the parent's bootstrap lines ("Starting Nest
 * application", one line per module, per route). It passes only warnings and errors — and
 * everything a running task logs — to the logger the application asked for, each line tagged with
 * the child's queue, pool and slot (`[cpu/threads#2]`).
 */
export class PoolChildLogger implements LoggerService {
  private sink: LoggerService = new ConsoleLogger();
  private levels?: readonly LogLevel[];
  private silent = false;

  constructor(readonly tag: string) {}

  /** What the application gave Nest (`NestFactory` `logger` option, `app.useLogger`). */
  use(requested: LoggerRequest): void {
    if (Array.isArray(requested)) this.levels = requested;
    else if (requested && typeof requested === 'object') this.sink = requested;
    else this.silent = requested === false;
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('log', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (!this.enabled(level)) return;
    const tagged = typeof message === 'string' ? `[${this.tag}] ${message}` : message;
    const sink = this.sink;
    if (sink[level]) sink[level](tagged, ...rest);
    else sink.error(tagged, ...rest);
  }

  private enabled(level: LogLevel): boolean {
    if (this.silent || (this.levels && !this.levels.includes(level))) return false;
    return CHILD_LEVELS.includes(level) || findCurrentTask() !== undefined;
  }
}

/** `cpu/threads#1`: the queue, the pool and the slot (from 1) a child serves. */
export function poolChildTag(marker: PoolChildMarker): string {
  return `${marker.queue}/${marker.pool}#${marker.slot + 1}`;
}

/**
 * `sink` as a pool child must use it: quiet and tagged like Nest's own lines there (the module's
 * `logger` option bypasses Nest's logger, so the child's rule is applied here too). Outside a pool
 * child, `sink` itself.
 */
export function quietInPoolChild(sink: LoggerService, marker = poolChildMarker()): LoggerService {
  if (!marker) return sink;
  const quiet = new PoolChildLogger(poolChildTag(marker));
  quiet.use(sink);
  return quiet;
}

/**
 * In a pool child, makes Nest log through a {@link PoolChildLogger} from now on — including after
 * the application installs its own logger, which the child logger then writes to. Called when
 * Celeriac's modules load, which is before the entry's `NestFactory.create()` logs anything.
 * Outside a pool child it does nothing.
 */
export function quietPoolChildLogs(marker = poolChildMarker()): PoolChildLogger | undefined {
  if (!marker) return undefined;
  const logger = new PoolChildLogger(poolChildTag(marker));
  const override = Logger.overrideLogger.bind(Logger);
  Logger.overrideLogger = (requested: LoggerRequest): void => {
    logger.use(requested);
    override(logger);
  };
  override(logger);
  return logger;
}
