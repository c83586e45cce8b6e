import { TaskRevokedError } from '../../errors/task-revoked.error.js';
import type { ChildPoolSettings } from './child-pool-options.js';
import { ChildSlot, type Job, type SlotHost } from './child-slot.js';
import { PoolChildError } from './pool-child.error.js';
import type { SpawnChild } from './pool-child.interface.js';
import type { Pool, TaskInvocation } from './pool.interface.js';
import { createCeleriacLogger, type CeleriacLoggerOption } from '../../logging/celeriac-logger.js';

/** A snapshot of a child pool, for monitoring and tests. */
export interface ChildPoolStats {
  /** Slots by state. */
  booting: number;
  idle: number;
  busy: number;
  backoff: number;
  /** Invocations waiting for a ready child. */
  waiting: number;
  /** Children replaced but not yet exited. */
  exiting: number;
  /** Children started since the pool started. */
  spawned: number;
}

/**
 * `threads` and `processes`: one child per unit of concurrency, each a thread or process that
 * booted the application itself and runs one task at a time. A task past its time limit gets its
 * abort signal in the child, then, after the grace period, its child is terminated and replaced;
 * a child that crashes fails only its own task.
 */
export class ChildPool implements Pool {
  private slots: ChildSlot[];
  /** Slots taken out by a shrink while busy: closed once their task is over. */
  private readonly retiring = new Set<ChildSlot>();
  private readonly host: SlotHost;
  private nextIndex: number;
  private readonly waiting: Job[] = [];
  private readonly exiting = new Set<Promise<void>>();
  private closing?: Promise<void>;

  constructor(
    readonly kind: 'threads' | 'processes',
    concurrency: number,
    queue: string,
    settings: ChildPoolSettings,
    spawn: SpawnChild,
    logger?: CeleriacLoggerOption,
  ) {
    this.host = {
      kind,
      queue,
      settings,
      spawn,
      logger: createCeleriacLogger('Celeriac', logger),
      idle: () => this.dispatch(),
      track: (exited) => {
        this.exiting.add(exited);
        void exited.then(() => this.exiting.delete(exited));
      },
    };
    this.slots = Array.from({ length: concurrency }, (_, index) => new ChildSlot(index, this.host));
    this.nextIndex = concurrency;
  }

  get concurrency(): number {
    return this.slots.length;
  }

  async resize(concurrency: number): Promise<void> {
    if (this.closing) throw closedError(undefined);
    if (concurrency > this.slots.length) {
      const added = Array.from(
        { length: concurrency - this.slots.length },
        () => new ChildSlot(this.nextIndex++, this.host),
      );
      this.slots.push(...added);
      await Promise.all(added.map((slot) => slot.start()));
      this.dispatch();
      return;
    }
    const busyLast = [...this.slots].sort((a, b) => Number(a.state === 'busy') - Number(b.state === 'busy'));
    const removed = new Set(busyLast.slice(0, this.slots.length - concurrency));
    this.slots = this.slots.filter((slot) => !removed.has(slot));
    for (const slot of removed) this.retiring.add(slot);
    this.retireIdle();
  }

  /** Boots every child in parallel. Fails (and closes the pool) only when none of them could boot. */
  async start(): Promise<void> {
    const errors = await Promise.all(this.slots.map((slot) => slot.start()));
    const failed = errors.filter((error) => error !== undefined);
    if (failed.length === this.slots.length) {
      await this.close();
      throw failed[0];
    }
    // Some children booted: the pool serves, and the slots whose child failed keep trying.
    this.slots.forEach((slot, index) => errors[index] && slot.retryBoot());
  }

  run(invocation: TaskInvocation): Promise<unknown> {
    const { signal } = invocation;
    if (this.closing) return Promise.reject(closedError(invocation));
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise((resolve, reject) => {
      const job: Job = { invocation, progress: [], resolve, reject };
      const onAbort = (): void => this.onAbort(job);
      const settled = (): void => {
        signal.removeEventListener('abort', onAbort);
        clearTimeout(job.graceTimer);
      };
      job.resolve = (value) => (settled(), resolve(value));
      // Rejections carry what the child threw or the signal's reason: whatever the task produced.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      job.reject = (error) => (settled(), reject(error));
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(job);
      this.dispatch();
    });
  }

  /** Revoke: a task still waiting for a child fails at once; a running one's child is terminated. */
  terminate(taskId: string): Promise<boolean> {
    const queued = this.waiting.findIndex((job) => job.invocation.id === taskId);
    if (queued >= 0) {
      const [job] = this.waiting.splice(queued, 1);
      job.reject(reasonOf(job));
      return Promise.resolve(true);
    }
    const slot = this.slots.find((candidate) => candidate.current?.invocation.id === taskId);
    if (!slot) return Promise.resolve(false);
    slot.kill(slot.current!, reasonOf(slot.current!));
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  stats(): ChildPoolStats {
    const count = (state: string): number => this.slots.filter((slot) => slot.state === state).length;
    return {
      booting: count('booting'),
      idle: count('idle'),
      busy: count('busy'),
      backoff: count('backoff'),
      waiting: this.waiting.length,
      exiting: this.exiting.size,
      spawned: this.slots.reduce((sum, slot) => sum + slot.spawned, 0),
    };
  }

  private async shutdown(): Promise<void> {
    for (const job of this.waiting.splice(0)) job.reject(closedError(job.invocation));
    await Promise.all([...this.slots, ...this.retiring].map((slot) => slot.close()));
    await Promise.all([...this.exiting]);
  }

  private retireIdle(): void {
    for (const slot of [...this.retiring]) {
      if (slot.state === 'busy') continue;
      this.retiring.delete(slot);
      this.host.track(slot.close());
    }
  }

  private dispatch(): void {
    if (this.retiring.size > 0) this.retireIdle();
    while (this.waiting.length > 0 && !this.closing) {
      const slot = this.slots.find((candidate) => candidate.state === 'idle');
      if (!slot) return;
      slot.run(this.waiting.shift()!);
    }
  }

  private onAbort(job: Job): void {
    const queued = this.waiting.indexOf(job);
    if (queued >= 0) {
      this.waiting.splice(queued, 1);
      job.reject(reasonOf(job));
      return;
    }
    this.slots.find((slot) => slot.current === job)?.abort(job, reasonOf(job));
  }
}

function reasonOf(job: Job): unknown {
  const { signal, id } = job.invocation;
  return signal.aborted ? signal.reason : new TaskRevokedError(id);
}

function closedError(invocation: TaskInvocation | undefined): PoolChildError {
  if (!invocation) return new PoolChildError('POOL_CLOSED', 'the pool is closed');
  return new PoolChildError('POOL_CLOSED', `the worker shut down before task "${invocation.task}" could run`);
}
