import type { Pool, PoolKind, TaskInvocation, TaskInvoker } from './pool.interface.js';

/**
 * Runs invocations on the worker's own event loop. `solo` (concurrency 1: one at a time, in
 * order) and `async` (many concurrent awaits, for I/O) differ only in how many the worker hands
 * it at once. Tasks here cannot be terminated; they get their `AbortSignal` instead.
 */
export class InProcessPool implements Pool {
  constructor(
    readonly kind: Extract<PoolKind, 'solo' | 'async'>,
    private size: number,
    private readonly invoke: TaskInvoker,
  ) {}

  get concurrency(): number {
    return this.size;
  }

  /** The worker hands the pool at most `concurrency` invocations: changing the number is all it takes. */
  resize(concurrency: number): Promise<void> {
    if (this.kind === 'solo') {
      return Promise.reject(new RangeError('a solo pool runs one task at a time: it cannot be resized'));
    }
    this.size = concurrency;
    return Promise.resolve();
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  run(invocation: TaskInvocation): Promise<unknown> {
    return this.invoke(invocation);
  }

  terminate(): Promise<boolean> {
    return Promise.resolve(false);
  }

  /** Nothing to release: the worker itself waits for (or requeues) what is still running. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
