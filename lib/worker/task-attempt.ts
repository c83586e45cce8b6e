import type { TaskDefinition } from '../discovery/task-definition.js';
import { TimeLimitExceededError } from '../errors/time-limit-exceeded.error.js';
import type { JsonValue } from '../protocol/json-value.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';
import { toJsonSafe } from '../protocol/check-arguments.js';
import type { Pool } from './pools/pool.interface.js';

export type AttemptOutcome = { ok: true; value: JsonValue } | { ok: false; error: unknown };

export interface AttemptInput {
  envelope: TaskEnvelope;
  /** The method's arguments: the envelope's, with its keyword arguments bound (see `bindArguments`). */
  args: JsonValue[];
  definition: TaskDefinition;
  pool: Pool;
  controller: AbortController;
  progress(value: JsonValue): Promise<void>;
}

/**
 * Runs one attempt on the pool under its soft time limit. When the limit passes, the task's signal
 * aborts with a {@link TimeLimitExceededError}, and the attempt fails with it even if the method
 * later returns: a late result is discarded. Whatever aborted the signal (limit, revoke) is the
 * error reported.
 */
export async function runAttempt(input: AttemptInput): Promise<AttemptOutcome> {
  const { envelope, definition, controller } = input;
  const limit = envelope.timeLimit ?? definition.options.timeLimit;
  const timer =
    limit === undefined || limit === 0
      ? undefined
      : setTimeout(() => controller.abort(new TimeLimitExceededError(envelope.task, limit)), limit);
  try {
    const value = await input.pool.run({
      id: envelope.id,
      task: envelope.task,
      queue: envelope.queue,
      args: input.args,
      retries: envelope.retries,
      rootId: envelope.rootId,
      parentId: envelope.parentId,
      timeLimit: limit,
      signal: controller.signal,
      progress: (value) => input.progress(value),
    });
    if (controller.signal.aborted) return { ok: false, error: controller.signal.reason };
    return { ok: true, value: toJsonSafe(value, `result of task "${envelope.task}"`) as JsonValue };
  } catch (error) {
    return { ok: false, error: controller.signal.aborted ? controller.signal.reason : error };
  } finally {
    clearTimeout(timer);
  }
}
