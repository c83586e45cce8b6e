import type { ChildPoolSettings } from './child-pool-options.js';
import { type FromChild, fromWireError, type ResultMessage, toWireError } from './child-protocol.js';
import { describeChild, describeExit, PoolChildError } from './pool-child.error.js';
import type { ChildExit, PoolChild, SpawnChild } from './pool-child.interface.js';
import type { TaskInvocation } from './pool.interface.js';
import type { CeleriacLogger } from '../../logging/celeriac-logger.js';

/** One `run()` call of a child pool, until it settles. */
export interface Job {
  readonly invocation: TaskInvocation;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** Progress writes still under way: the result waits for them, so it is stored last. */
  progress: Promise<void>[];
  graceTimer?: NodeJS.Timeout;
}

/** What a slot needs from its pool. */
export interface SlotHost {
  readonly kind: 'threads' | 'processes';
  readonly queue: string;
  readonly settings: ChildPoolSettings;
  readonly spawn: SpawnChild;
  readonly logger: CeleriacLogger;
  /** The slot can take a job. */
  idle(): void;
  /** A child has left its slot (replaced) but not exited yet; the pool waits for it on close. */
  track(exited: Promise<void>): void;
}

/** One child's stay in a slot. */
interface Tenant {
  child: PoolChild;
  ready: boolean;
  tasks: number;
  timedOut: boolean;
  exited: Promise<void>;
  markExited(): void;
}

export type SlotState = 'booting' | 'idle' | 'busy' | 'backoff' | 'closed';

/**
 * One unit of a child pool's concurrency: at most one child, running at most one task. A child
 * that dies is replaced at once if it had booted, or after a growing pause if it never did, so a
 * broken entry is reported without a tight restart loop.
 */
export class ChildSlot {
  spawned = 0;
  private tenant?: Tenant;
  private job?: Job;
  private bootFailures = 0;
  private bootTimer?: NodeJS.Timeout;
  private backoffTimer?: NodeJS.Timeout;
  private closed = false;
  private onFirstBoot?: (error?: Error) => void;

  constructor(
    readonly index: number,
    private readonly host: SlotHost,
  ) {}

  get state(): SlotState {
    if (this.closed) return 'closed';
    if (!this.tenant) return 'backoff';
    if (!this.tenant.ready) return 'booting';
    return this.job ? 'busy' : 'idle';
  }

  get current(): Job | undefined {
    return this.job;
  }

  /** Starts the first child; resolves once it is ready (undefined) or has failed to boot (its error). */
  start(): Promise<Error | undefined> {
    return new Promise((resolve) => {
      this.onFirstBoot = resolve;
      this.spawn();
    });
  }

  run(job: Job): void {
    const { id, task, queue, args, retries, rootId, parentId, timeLimit } = job.invocation;
    this.job = job;
    this.tenant!.child.send({ type: 'run', id, task, queue, args, retries, rootId, parentId, timeLimit });
  }

  /** The task's signal aborted: let the child see it, and terminate it if it does not stop in time. */
  abort(job: Job, reason: unknown): void {
    if (this.job !== job || !this.tenant) return;
    this.tenant.child.send({ type: 'abort', id: job.invocation.id, reason: toWireError(reason) });
    job.graceTimer = setTimeout(() => this.kill(job, reason), this.host.settings.hardTimeLimitGraceMs);
  }

  /** Terminates the child running `job`, which fails with `reason`; a fresh child takes the slot. */
  kill(job: Job, reason: unknown): void {
    if (this.job !== job || !this.tenant) return;
    this.evict(this.tenant, true);
    this.job = undefined;
    job.reject(reason);
    this.spawn();
  }

  /** Ends the slot: a running job fails with POOL_CLOSED; resolves once the child has exited. */
  close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.backoffTimer);
    clearTimeout(this.bootTimer);
    this.onFirstBoot?.(new PoolChildError('POOL_CLOSED', 'the pool closed while its children were booting'));
    const job = this.job;
    this.job = undefined;
    job?.reject(
      new PoolChildError('POOL_CLOSED', `the worker shut down while task "${job.invocation.task}" ran`),
    );
    const tenant = this.tenant;
    if (!tenant) return Promise.resolve();
    this.evict(tenant, !!job || !tenant.ready);
    return tenant.exited;
  }

  private spawn(): void {
    if (this.closed) return;
    this.spawned++;
    const { kind, queue, settings } = this.host;
    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const tenant: Tenant = { child: undefined!, ready: false, tasks: 0, timedOut: false, exited, markExited };
    try {
      tenant.child = this.host.spawn(
        {
          entry: settings.entry,
          marker: { pool: kind, queue, slot: this.index },
          maxHeapMb: settings.maxHeapMb,
        },
        { message: (message) => this.onMessage(tenant, message), exit: (exit) => this.onExit(tenant, exit) },
      );
    } catch (error) {
      markExited();
      this.bootFailed(`could not be started: ${(error as Error).message}`);
      return;
    }
    this.tenant = tenant;
    this.bootTimer = setTimeout(() => {
      tenant.timedOut = true;
      tenant.child.kill();
    }, settings.bootTimeoutMs);
  }

  private onMessage(tenant: Tenant, message: FromChild): void {
    if (tenant !== this.tenant) return;
    if (message.type === 'ready') {
      clearTimeout(this.bootTimer);
      tenant.ready = true;
      this.bootFailures = 0;
      this.onFirstBoot?.();
      this.onFirstBoot = undefined;
      this.host.idle();
    } else if (message.type === 'progress') {
      const job = this.job;
      if (job?.invocation.id !== message.id) return;
      const write = job.invocation.progress(JSON.parse(message.json) as never).catch((error: Error) => {
        this.host.logger.warn(`progress of task ${message.id} not stored: ${error.message}`);
      });
      job.progress.push(write);
    } else if (message.type === 'result') {
      this.onResult(tenant, message);
    }
  }

  private onResult(tenant: Tenant, message: ResultMessage): void {
    const job = this.job;
    if (job?.invocation.id !== message.id) return;
    this.job = undefined;
    void Promise.all(job.progress).then(() => {
      if (message.ok) job.resolve(JSON.parse(message.json));
      else job.reject(fromWireError(message.error));
    });
    tenant.tasks++;
    const { maxTasksPerChild, maxMemoryBytes } = this.host.settings;
    const spent = maxTasksPerChild > 0 && tenant.tasks >= maxTasksPerChild;
    const swollen = maxMemoryBytes > 0 && message.memory > maxMemoryBytes;
    if (spent || swollen) {
      this.evict(tenant, false);
      this.spawn();
    } else {
      this.host.idle();
    }
  }

  private onExit(tenant: Tenant, exit: ChildExit): void {
    tenant.markExited();
    if (tenant !== this.tenant) return;
    this.tenant = undefined;
    clearTimeout(this.bootTimer);
    const who = describeChild(this.host.kind, tenant.child.id);
    if (!tenant.ready) {
      const how = tenant.timedOut
        ? `did not boot within ${this.host.settings.bootTimeoutMs} ms (does the entry create the Nest application with CeleriacModule?)`
        : describeExit(exit);
      this.bootFailed(`${who} ${how}`, exit.error?.stack, exit.output);
      return;
    }
    const job = this.job;
    this.job = undefined;
    const where = `${this.host.kind} pool "${this.host.queue}"`;
    if (!job) {
      // Nothing of ours killed it: wait a moment, so a child that keeps dying cannot spin.
      this.host.logger.warn(`${where}: the idle ${who} ${describeExit(exit)}; replacing it`);
      this.backoffTimer = setTimeout(() => this.spawn(), this.host.settings.backoffInitialMs);
      return;
    }
    const message = `the ${who} running task "${job.invocation.task}" ${describeExit(exit)}`;
    this.host.logger.warn(`${where}: ${message}; replacing it`);
    job.reject(new PoolChildError('CHILD_EXITED', message, exit.error?.stack));
    this.spawn();
  }

  private bootFailed(what: string, stack?: string, output?: string): void {
    this.bootFailures++;
    const { kind, queue } = this.host;
    const detail = output && !stack ? `\n${output}` : '';
    const error = new PoolChildError(
      'CHILD_BOOT_FAILED',
      `${kind} pool for queue "${queue}": child failed to boot: ${what}${detail}`,
      stack,
    );
    const firstBoot = this.onFirstBoot;
    this.onFirstBoot = undefined;
    if (firstBoot) {
      // The pool decides once every slot has answered: it retries this one (retryBoot) if another
      // child booted, or closes without starting. A retry now could race the other slots' boots.
      this.host.logger.error(error.message);
      firstBoot(error);
      return;
    }
    this.retryBoot();
  }

  /** Boots a child again after a failed boot, once the boot backoff (doubling per failure) passed. */
  retryBoot(): void {
    if (this.closed || this.tenant) return;
    const { settings } = this.host;
    const delay = Math.min(settings.backoffMaxMs, settings.backoffInitialMs * 2 ** (this.bootFailures - 1));
    this.host.logger.warn(
      `${this.host.kind} pool for queue "${this.host.queue}": booting a child again in ${delay} ms`,
    );
    clearTimeout(this.backoffTimer);
    this.backoffTimer = setTimeout(() => this.spawn(), delay);
  }

  /** Takes the tenant out of the slot: killed now, or asked to exit and killed if it lingers. */
  private evict(tenant: Tenant, now: boolean): void {
    if (this.tenant === tenant) this.tenant = undefined;
    clearTimeout(this.bootTimer);
    if (now) {
      tenant.child.kill();
    } else {
      tenant.child.send({ type: 'close' });
      const timer = setTimeout(() => tenant.child.kill(), this.host.settings.closeGraceMs);
      void tenant.exited.then(() => clearTimeout(timer));
    }
    this.host.track(tenant.exited);
  }
}
