import type { JsonValue } from '../../protocol/json-value.js';

/** How a queue runs its tasks. */
export type PoolKind = 'solo' | 'async' | 'threads' | 'processes';

/** One call of a task method, as a pool receives it. Everything but `signal` and `progress` is JSON. */
export interface TaskInvocation {
  id: string;
  task: string;
  queue: string;
  args: JsonValue[];
  retries: number;
  rootId: string;
  parentId?: string;
  /** Soft time limit in ms, if any. */
  timeLimit?: number;
  /** Aborted when the soft time limit passes or the task is revoked. */
  signal: AbortSignal;
  /** Stores progress through the result backend. */
  progress(value: JsonValue): Promise<void>;
}

/** Runs one invocation in the current process: looks the method up and calls it. */
export type TaskInvoker = (invocation: TaskInvocation) => Promise<unknown>;

/**
 * Where task methods actually run. `solo` and `async` call the invoker inline; `threads` and
 * `processes` hand the invocation to a child that booted the same Nest application context.
 * The worker never hands a pool more than `concurrency` invocations at once.
 */
export interface Pool {
  readonly kind: PoolKind;
  readonly concurrency: number;
  start(): Promise<void>;
  /** Resolves with the method's result; rejects with its error (or a time-limit / crash error). */
  run(invocation: TaskInvocation): Promise<unknown>;
  /**
   * Changes how many invocations run at once (remote control's `poolResize`). Growing starts the new
   * children before it resolves; shrinking retires idle children at once and busy ones after their
   * task. `solo` refuses: it runs one task at a time by definition.
   */
  resize(concurrency: number): Promise<void>;
  /** Hard-stop a running invocation, where the pool can (threads, processes). Returns whether it could. */
  terminate(taskId: string): Promise<boolean>;
  /** Wait for running invocations (up to the caller's grace period), then release every resource. */
  close(): Promise<void>;
}
