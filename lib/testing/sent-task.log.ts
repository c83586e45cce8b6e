import type { TaskEvent } from '../worker/task-events.js';
import type { SentTask } from './sent-task.js';

/** Events after which a task will not run again (its outcome is stored). */
const FINAL_EVENTS = new Set<TaskEvent['type']>([
  'task-succeeded',
  'task-failed',
  'task-revoked',
  'task-rejected',
]);

/**
 * What a testing module saw: every task published (by the code under test, by tasks, by workflow
 * steps) and which of them have finished, told by the in-process worker's events. Waiters are woken
 * by those events, not by polling.
 */
export class SentTaskLog {
  private readonly all: SentTask[] = [];
  private readonly finished = new Set<string>();
  private readonly pending = new Map<string, SentTask>();
  private readonly waiters = new Set<() => void>();

  get sent(): readonly SentTask[] {
    return this.all;
  }

  /** Tasks sent and not finished yet, oldest first. */
  get unfinished(): SentTask[] {
    return [...this.pending.values()];
  }

  record(sent: SentTask): void {
    // A message published again under its id (a parked task given its place) is the same task.
    if (!this.all.some((known) => known.id === sent.id)) this.all.push(sent);
    if (!this.finished.has(sent.id)) this.pending.set(sent.id, sent);
  }

  /** Fed with the worker's task events. */
  observe(event: TaskEvent): void {
    if (!event.id || !FINAL_EVENTS.has(event.type)) return;
    this.finished.add(event.id);
    this.pending.delete(event.id);
    for (const wake of [...this.waiters]) wake();
  }

  isFinished(id: string): boolean {
    return this.finished.has(id);
  }

  /** Resolves once `done()` holds, re-checked after each final event; false after `timeoutMs`. */
  until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (result: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(result);
      };
      const check = (): void => {
        if (done()) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Forgets what was sent; tasks still running are still waited for. */
  clear(): void {
    this.all.length = 0;
  }
}
