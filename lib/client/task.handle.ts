import type { RecordListener, ResultBackend, Unsubscribe } from '../backends/result-backend.interface.js';
import type { TaskRecord } from '../backends/task-record.js';
import { isReadyState, TaskState } from '../backends/task-state.js';
import { ClientClosedError } from '../errors/client-closed.error.js';
import { TaskFailedError } from '../errors/task-failed.error.js';
import { WaitTimeoutError } from '../errors/wait-timeout.error.js';
import { closingSignal } from './backend-closing.js';
import { ResultIgnoredError } from '../errors/result-ignored.error.js';
import type { PendingReply } from './reply-registry.js';
import { revokerFor } from '../control/revocation.js';

/** What a chain's parent link can be: a task or a group handle. */
export interface GroupHandleLike {
  readonly id: string;
  wait(options?: WaitOptions): Promise<unknown[]>;
}

/** What the process that sent a task knows of it. */
export interface SentTask {
  task: string;
  ignoreResult?: boolean;
  /** Where its final record arrives in this process (the backend's shared reply path). */
  reply?: PendingReply;
}

export interface WaitOptions {
  /** Give up after this many ms with a {@link WaitTimeoutError} (the task goes on). Default: wait forever. */
  timeout?: number;
}

/**
 * A sent task: follow its state, wait for its result, or revoke it. Waiting is woken by the write
 * that finishes the task — it never polls. A handle returned by `send` waits on its process's
 * shared reply path (no subscription of its own); any other handle subscribes to its task.
 */
export class TaskHandle<TResult = unknown> {
  private reply?: PendingReply;

  constructor(
    readonly id: string,
    private readonly backend: ResultBackend,
    /** In a chain: the handle of the step before this one. */
    readonly parent?: TaskHandle | GroupHandleLike,
    private readonly sent?: SentTask,
  ) {
    this.reply = sent?.reply;
  }

  /**
   * Current state; PENDING when the backend knows nothing (yet) of the id. An unfinished task that
   * was revoked reads REVOKED at once, though only the worker that settles its message records it.
   */
  async state(): Promise<TaskState> {
    return (await this.info())?.state ?? TaskState.PENDING;
  }

  /** The whole stored record (state, progress, result or error), if any; revoked as `state()` says. */
  async info(): Promise<TaskRecord | undefined> {
    const record = await this.backend.get(this.id);
    if (!record || isReadyState(record.state) || !(await this.backend.isRevoked(this.id))) return record;
    return { ...record, state: TaskState.REVOKED };
  }

  /** Calls `listener` on every later change of the task (state, progress); resolves once live. */
  watch(listener: RecordListener): Promise<Unsubscribe> {
    return this.backend.watch(this.id, listener);
  }

  /**
   * Resolves with the result on SUCCESS; rejects with a {@link TaskFailedError} on FAILURE or
   * REVOKED, a {@link WaitTimeoutError} after `timeout`, a {@link ClientClosedError} when the
   * application closes first.
   */
  async wait(options: WaitOptions = {}): Promise<TResult> {
    const record = await this.waitForRecord(options);
    if (record.state === TaskState.SUCCESS) return record.result as TResult;
    throw new TaskFailedError(this.id, record.state, record.error);
  }

  /** Resolves with the final record whatever the outcome. */
  async waitForRecord(options: WaitOptions = {}): Promise<TaskRecord> {
    if (this.sent?.ignoreResult) throw new ResultIgnoredError(this.id, this.sent.task);
    if (this.reply) {
      const record = await this.untilClosed(this.reply.wait(options.timeout));
      this.reply = undefined;
      return record;
    }
    return this.watchForRecord(options);
  }

  /** A wait on the reply path also ends when the application closes. */
  private async untilClosed(waiting: Promise<TaskRecord>): Promise<TaskRecord> {
    const closing = closingSignal(this.backend);
    if (closing.aborted) throw new ClientClosedError(this.id);
    let onClose: (() => void) | undefined;
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(new ClientClosedError(this.id));
      closing.addEventListener('abort', onClose, { once: true });
    });
    try {
      return await Promise.race([waiting, closed]);
    } finally {
      closing.removeEventListener('abort', onClose!);
    }
  }

  private async watchForRecord(options: WaitOptions): Promise<TaskRecord> {
    let settle!: (record: TaskRecord) => void;
    const done = new Promise<TaskRecord>((resolve) => (settle = resolve));
    const unsubscribe = await this.backend.watch(this.id, (record) => {
      if (isReadyState(record.state)) settle(record);
    });
    let timer: NodeJS.Timeout | undefined;
    // Without it, a wait with no timeout would never settle once the application closes.
    const closing = closingSignal(this.backend);
    let onClose: (() => void) | undefined;
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(new ClientClosedError(this.id));
      if (closing.aborted) onClose();
      else closing.addEventListener('abort', onClose, { once: true });
    });
    closed.catch(() => undefined);
    try {
      // Read after subscribing: a result written before the subscription was live is not missed.
      const current = await this.backend.get(this.id);
      if (current && isReadyState(current.state)) return current;
      const waits: Promise<TaskRecord>[] = [done, closed];
      const timeout = options.timeout;
      if (timeout !== undefined) {
        waits.push(
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new WaitTimeoutError(this.id, timeout)), timeout);
          }),
        );
      }
      return await Promise.race(waits);
    } finally {
      clearTimeout(timer);
      if (onClose) closing.removeEventListener('abort', onClose);
      await unsubscribe();
    }
  }

  /**
   * Revokes the task through the control plane: not started → no worker will run it (the mark is
   * kept for the result TTL); running → its `AbortSignal` fires, and with `terminate` its thread or
   * process is killed. The worker records REVOKED; a finished task is left as it is. This handle's
   * own `wait()` ends at once.
   */
  async revoke(options: { terminate?: boolean } = {}): Promise<void> {
    await revokerFor(this.backend)([this.id], options);
    const current = await this.info();
    if (current?.state === TaskState.REVOKED) this.reply?.settle(current);
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }
}
