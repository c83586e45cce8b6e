import { Logger } from '@nestjs/common';
import type { AttemptOf } from './attempt-label.js';

/**
 * A running task's logger (`currentTask().log`): each line names the task, its id and the attempt,
 * `ReportTasks.build[3f0c…] attempt 2: page 3 of 10`, as Celeriac's own lines about the task do,
 * so a task's lines can be found by its id whichever worker or attempt wrote them.
 */
export interface TaskLog {
  log(message: string): void;
  warn(message: string): void;
  /** `stack`, when given, is printed below the line (pass an error's `stack`). */
  error(message: string, stack?: string): void;
  debug(message: string): void;
  verbose(message: string): void;
}

/** The Nest logger context task lines are written under. */
export const TASK_LOG_CONTEXT = 'CeleriacTask';

/**
 * Lines go to Nest's `Logger` (its static methods, which follow whatever logger the application gave
 * Nest: `app.useLogger`, a pino or winston adapter), beside the application's own lines.
 */
export function createTaskLog(attempt: AttemptOf): TaskLog {
  const label = `${attempt.task}[${attempt.id}] attempt ${attempt.retries + 1}: `;
  return {
    log: (message) => Logger.log(label + message, TASK_LOG_CONTEXT),
    warn: (message) => Logger.warn(label + message, TASK_LOG_CONTEXT),
    error: (message, stack) =>
      stack === undefined
        ? Logger.error(label + message, TASK_LOG_CONTEXT)
        : Logger.error(label + message, stack, TASK_LOG_CONTEXT),
    debug: (message) => Logger.debug(label + message, TASK_LOG_CONTEXT),
    verbose: (message) => Logger.verbose(label + message, TASK_LOG_CONTEXT),
  };
}
