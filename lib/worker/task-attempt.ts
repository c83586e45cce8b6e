import type { TaskDefinition } from '../discovery/task-definition.js';
import { TimeLimitExceededError } from '../errors/time-limit-exceeded.error.js';
import type { JsonValue } from '../protocol/json-value.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';
import { toJsonSafe } from '../protocol/check-arguments.js';
import type { Pool, TaskInvocation } from './pools/pool.interface.js';
import type { TaskAbort } from './task-abort.js';

export type AttemptOutcome = { ok: true; value: JsonValue } | { ok: false; error: unknown };

/**
 * The invocation of one attempt, made once from the envelope: pools receive it, and the task's
 * context is a view of it. Its signal is made only when read.
 */
export function createInvocation(
  envelope: TaskEnvelope,
  /** The method's arguments: the envelope's, with its keyword arguments bound (see `bindArguments`). */
  args: JsonValue[],
  definition: TaskDefinition,
  abort: TaskAbort,
  progress: (value: JsonValue) => Promise<void>,
  /** The task's time limit now (a run-time change wins over `@Task`); the envelope's own wins over both. */
  timeLimit: number | undefined = definition.options.timeLimit,
): TaskInvocation {
  return {
    id: envelope.id,
    task: envelope.task,
    queue: envelope.queue,
    args,
    retries: envelope.retries,
    rootId: envelope.rootId,
    parentId: envelope.parentId,
    timeLimit: envelope.timeLimit ?? timeLimit,
    get signal() {
      return abort.signal;
    },
    progress,
  };
}

/**
 * Runs one attempt on the pool under its soft time limit. When the limit passes, the task is
 * aborted with a {@link TimeLimitExceededError}, and the attempt fails with it even if the method
 * later returns: a late result is discarded. Whatever aborted the task (limit, revoke) is the
 * error reported.
 */
export async function runAttempt(
  invocation: TaskInvocation,
  pool: Pool,
  abort: TaskAbort,
): Promise<AttemptOutcome> {
  const limit = invocation.timeLimit;
  const timer =
    limit === undefined || limit === 0
      ? undefined
      : setTimeout(() => abort.abort(new TimeLimitExceededError(invocation.task, limit)), limit);
  try {
    const value = await pool.run(invocation);
    if (abort.aborted) return { ok: false, error: abort.reason };
    return { ok: true, value: toJsonSafe(value, `result of task "${invocation.task}"`) as JsonValue };
  } catch (error) {
    return { ok: false, error: abort.aborted ? abort.reason : error };
  } finally {
    clearTimeout(timer);
  }
}
