import type { Signature } from '../canvas/signature.js';

/** Per-call options of `TaskClient.send` / `sendByName`; they override the task's `@Task` options. */
export interface SendOptions {
  /**
   * Keyword arguments, bound onto the method's parameters by name (README, "Keyword arguments");
   * sent as Celery's `kwargs` on a `protocol: 'celery'` queue.
   */
  kwargs?: Record<string, unknown>;
  /** Queue to publish to (default: the task's queue). */
  queue?: string;
  /** Run no sooner than this many ms from now. */
  countdown?: number;
  /** Run no sooner than this time. */
  eta?: Date | number;
  /** Revoke instead of run if not started by then: ms from now, or a time. */
  expires?: number | Date;
  /** 0 (lowest) to 9 (highest). */
  priority?: number;
  /** Caller-chosen task id (e.g. a natural key); must be unique. Default: a random UUID. */
  taskId?: string;
  /** Soft time limit in ms for this call. */
  timeLimit?: number;
  /** Do not store the result. */
  ignoreResult?: boolean;
  /** Id of the task that sends this one (set automatically inside a running task). */
  parentId?: string;
  /** Id of the workflow's first task. */
  rootId?: string;
  /** Run on success, with this task's result prepended to their arguments. */
  link?: Signature | Signature[];
  /** Run on final failure, with `{ taskId, task, error }` prepended to their arguments. */
  linkError?: Signature | Signature[];
  /**
   * Deduplication key: while a task sent with this key is pending or running (or within `dedupTtl`
   * of its send), sending again with it returns that task's handle instead of a new task.
   */
  dedupKey?: string;
  /** How long after the send the key keeps deduplicating, even once the task finished: ms or `'10m'`. */
  dedupTtl?: number | string;
}
