import type { LoggerService, LogLevel } from '@nestjs/common';

export interface LogLine {
  level: LogLevel;
  message: string;
  /** The context Nest's `Logger` passes last (`'Celeriac'`, `'ExceptionsHandler'`, …). */
  context?: string;
  /** The stack an ERROR carried, if any. */
  stack?: string;
}

/** A Nest logger that keeps every line, for tests that count or read them. */
export class CapturedLogs implements LoggerService {
  readonly lines: LogLine[] = [];
  private readonly waiters: { level: LogLevel; pattern: RegExp; resolve: (line: LogLine) => void }[] = [];

  /** Resolves with the first line (kept already or to come) at `level` matching `pattern`. */
  next(level: LogLevel, pattern: RegExp): Promise<LogLine> {
    const kept = this.lines.find((line) => line.level === level && pattern.test(line.message));
    if (kept) return Promise.resolve(kept);
    return new Promise((resolve) => this.waiters.push({ level, pattern, resolve }));
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.keep('log', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.keep('warn', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.keep('error', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.keep('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.keep('verbose', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.keep('fatal', message, rest);
  }

  at(level: LogLevel): LogLine[] {
    return this.lines.filter((line) => line.level === level);
  }

  private keep(level: LogLevel, message: unknown, rest: unknown[]): void {
    const strings = rest.filter((value): value is string => typeof value === 'string');
    const context = strings.length > 0 ? strings[strings.length - 1] : undefined;
    const stack = level === 'error' && strings.length > 1 ? strings[0] : undefined;
    const text = message instanceof Error ? `${message.name}: ${message.message}` : String(message);
    const line = { level, message: text, context, stack };
    this.lines.push(line);
    for (const waiter of [...this.waiters]) {
      if (waiter.level !== level || !waiter.pattern.test(text)) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  }
}
