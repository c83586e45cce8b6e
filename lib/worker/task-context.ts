import { AsyncLocalStorage } from 'node:async_hooks';
import { CeleriacError } from '../errors/celeriac.error.js';
import { RetryRequest } from '../errors/retry-request.error.js';
import { createTaskLog, type TaskLog } from '../logging/task-log.js';
import type { JsonValue } from '../protocol/json-value.js';
import type { TaskInvocation } from './pools/pool.interface.js';

/** What a running task can know and do about itself. Get it with {@link currentTask}. */
export interface TaskContext {
  readonly id: string;
  readonly task: string;
  readonly queue: string;
  /** Retries spent before this attempt (0 on the first). */
  readonly retries: number;
  readonly rootId: string;
  readonly parentId?: string;
  /** Fires when the soft time limit passes or the task is revoked; pass it to fetch, streams, timers. */
  readonly signal: AbortSignal;
  /**
   * Logs through Nest's logger with the task's name, id and attempt on each line:
   * `ReportTasks.build[3f0c…] attempt 2: page 3 of 10`.
   */
  readonly log: TaskLog;
  /** Stores progress, visible through `TaskHandle.info()` and `GET /tasks/:id`. */
  progress(value: JsonValue): Promise<void>;
  /** Ends this attempt and asks for another after `countdown` ms (counts against `retries`). */
  retry(options?: { countdown?: number; reason?: Error }): never;
}

const storage = new AsyncLocalStorage<TaskContext>();

/** Runs `fn` with `context` as the current task (and in everything it awaits). */
export function runInTaskContext<T>(context: TaskContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The running task's context, or undefined outside a task. */
export function findCurrentTask(): TaskContext | undefined {
  return storage.getStore();
}

/**
 * The context of the task being run — call it inside a `@Task` method (or anything it awaits).
 * @throws when called outside a task.
 */
export function currentTask(): TaskContext {
  const context = storage.getStore();
  if (!context) throw new CeleriacError('NO_TASK_CONTEXT', 'currentTask() was called outside a running task');
  return context;
}

/**
 * A task's context is a view of its invocation: nothing is copied, and the signal is only made if
 * the task asks for it.
 */
class InvocationContext implements TaskContext {
  private taskLog?: TaskLog;

  constructor(private readonly invocation: TaskInvocation) {}

  get id(): string {
    return this.invocation.id;
  }
  get task(): string {
    return this.invocation.task;
  }
  get queue(): string {
    return this.invocation.queue;
  }
  get retries(): number {
    return this.invocation.retries;
  }
  get rootId(): string {
    return this.invocation.rootId;
  }
  get parentId(): string | undefined {
    return this.invocation.parentId;
  }
  get signal(): AbortSignal {
    return this.invocation.signal;
  }
  get log(): TaskLog {
    return (this.taskLog ??= createTaskLog(this.invocation));
  }

  progress(value: JsonValue): Promise<void> {
    return this.invocation.progress(value);
  }

  retry(options: { countdown?: number; reason?: Error } = {}): never {
    throw new RetryRequest(options.countdown, options.reason);
  }
}

/** The context of one invocation; `retry` throws the request the executor understands. */
export function createTaskContext(invocation: TaskInvocation): TaskContext {
  return new InvocationContext(invocation);
}
