import { Worker } from 'node:worker_threads';
import { formatDelay } from '../../logging/attempt-label.js';
import type { CeleriacLogger } from '../../logging/celeriac-logger.js';
import type { RedisExtraOptions } from '../../redis/redis-options.js';
import { LeaseKeeper, lostLeaseWarning, type Leases, type RenewLeases } from './lease-keeper.js';
import {
  LEASE_THREAD_DATA_KEY,
  type FromLeaseThread,
  type LeaseChanges,
  type LeaseThreadData,
  type ToLeaseThread,
} from './lease-thread.messages.js';

/** Longest a release waits for a fetch's holds to travel with. */
const RELEASE_DELAY_MS = 50;

/**
 * What the thread runs first: registers tsx's hooks when the entry is TypeScript (tsx registers
 * them in the main thread only), then starts the thread's side.
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const { entry, tsx } = workerData.${LEASE_THREAD_DATA_KEY}.boot;
(async () => {
  if (tsx) (await import('tsx/esm/api')).register();
  (await import(entry)).runLeaseThread();
})();
`;

export interface LeaseThreadSettings extends Omit<LeaseThreadData, 'extra'> {
  extra: RedisExtraOptions;
}

/**
 * The Redis broker's leases, renewed by one worker thread per broker with its own connection
 * (lease-renewal.thread.ts), not by a timer on the event loop: a task that blocks the loop longer
 * than the lease (synchronous work on an `async` or `solo` queue) keeps its delivery instead of
 * having it run a second time elsewhere. The loop tells the thread what it holds and releases, and
 * that it is alive; past `maxStallMs` of silence the thread stops renewing, so a wedged process
 * still gives its work back. Where no thread can start (TypeScript sources without tsx, a thread
 * that died) the leases are kept on the event loop instead, as a {@link LeaseKeeper}.
 */
export class LeaseThread implements Leases {
  private readonly held = new Map<string, Map<string, string>>();
  private worker?: Worker;
  private fallback?: LeaseKeeper;
  private pulse?: NodeJS.Timeout;
  private lastPulse = 0;
  private stopped = false;
  private ready?: Promise<void>;
  /** Changes of this turn not yet posted to the thread (see {@link send}). */
  private outbox: LeaseChanges = [];
  private postSoon = false;
  private postLater?: NodeJS.Timeout;

  constructor(
    private readonly settings: LeaseThreadSettings,
    private readonly renew: RenewLeases,
    private readonly logger: CeleriacLogger,
  ) {}

  /**
   * Starts the thread and resolves once it is connected (or renewal fell back to the event loop),
   * so the first delivery's lease is already in its hands when a task blocks the loop at once.
   */
  open(): Promise<void> {
    if (!this.fallback && !this.worker && !this.stopped) this.start();
    return this.ready ?? Promise.resolve();
  }

  hold(queue: string, mid: string, token: string): void {
    this.noticeStall();
    let leases = this.held.get(queue);
    if (!leases) this.held.set(queue, (leases = new Map<string, string>()));
    leases.set(mid, token);
    this.send(true, ['h', queue, mid, token], () => this.fallback?.hold(queue, mid, token));
    this.beat();
  }

  release(queue: string, mid: string): void {
    // A task that blocked the loop settles before the late pulse fires: its release tells first.
    this.noticeStall();
    const leases = this.held.get(queue);
    if (!leases?.delete(mid)) return;
    if (leases.size === 0) this.held.delete(queue);
    this.send(false, ['r', queue, mid], () => this.fallback?.release(queue, mid));
    if (this.held.size === 0) this.rest();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.rest();
    this.held.clear();
    this.fallback?.stop();
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    this.post();
    worker.removeAllListeners('exit');
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ kind: 'stop' } satisfies ToLeaseThread);
    const timer = setTimeout(() => void worker.terminate(), 1_000).unref();
    await exited;
    clearTimeout(timer);
  }

  /**
   * To the thread (started on first use), or to the fallback keeper on the event loop. Changes
   * queue up and leave together (a message to a thread costs a structured clone and a wake-up).
   * A hold leaves in a microtask: a fetch hands out all its deliveries in one synchronous loop,
   * each holding its lease before its task is dispatched, and the batch is posted before any of
   * those tasks runs a line (they start after the executor's first await), so a task that blocks
   * the loop at once still has its lease in the thread's hands. Releases are not urgent — a
   * renewal of a settled message only finds it gone, and {@link lost} knows it was settled — so
   * they ride with the next fetch's holds, or leave after {@link RELEASE_DELAY_MS}.
   */
  private send(hold: boolean, change: LeaseChanges, onLoop: () => void): void {
    if (this.stopped) return;
    if (!this.fallback && !this.worker) this.start();
    if (!this.worker) return onLoop();
    for (const field of change) this.outbox.push(field);
    if (hold) {
      if (this.postSoon) return;
      this.postSoon = true;
      queueMicrotask(() => {
        this.postSoon = false;
        this.post();
      });
    } else this.postLater ??= setTimeout(() => this.post(), RELEASE_DELAY_MS).unref();
  }

  /** Posts the queued changes as one message. */
  private post(): void {
    clearTimeout(this.postLater);
    this.postLater = undefined;
    if (this.outbox.length === 0) return;
    const changes = this.outbox;
    this.outbox = [];
    this.worker?.postMessage(JSON.stringify(changes) satisfies ToLeaseThread);
  }

  private start(): void {
    const boot = threadEntry();
    if (!boot) return this.fallBack();
    const { extra, ...rest } = this.settings;
    const data: LeaseThreadData = { ...rest, extra: withoutFunctions(extra) as RedisExtraOptions };
    let worker: Worker;
    try {
      worker = new Worker(BOOTSTRAP, {
        eval: true,
        workerData: { [LEASE_THREAD_DATA_KEY]: { ...data, boot } },
      });
    } catch (error) {
      this.logger.warn(
        `cannot start the lease thread (${(error as Error).message}); leases renew on the event loop`,
      );
      return this.fallBack();
    }
    // Leases alone must not keep a process alive; its consumers' connections do that.
    worker.unref();
    let isReady!: () => void;
    this.ready = new Promise<void>((resolve) => (isReady = resolve));
    worker.on('message', (message: FromLeaseThread) => {
      if (message.kind === 'ready') isReady();
      this.heard(message);
    });
    worker.on('error', (error) => this.logger.warn(`lease thread failed: ${error.message}`));
    worker.once('exit', (code) => {
      isReady();
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.logger.warn(`lease thread exited (${code}); leases renew on the event loop from now on`);
      this.fallBack();
    });
    this.worker = worker;
  }

  /** Renewal on the event loop, taking over what is held now. */
  private fallBack(): void {
    if (this.stopped) return;
    this.outbox = []; // what it held is in `held`, taken over below
    clearTimeout(this.postLater);
    this.postLater = undefined;
    this.fallback = new LeaseKeeper(this.settings.renewEveryMs, this.renew, this.logger, {
      lost: (queue, mid, token) => this.lost(queue, mid, token),
    });
    for (const [queue, leases] of this.held)
      for (const [mid, token] of leases) this.fallback.hold(queue, mid, token);
  }

  private heard(message: FromLeaseThread): void {
    if (message.kind === 'ready') return;
    if (message.kind === 'warn') return this.logger.warn(message.message);
    this.lost(message.queue, message.mid, message.token);
  }

  /**
   * A renewal found the lease gone. Reported only if this loop still holds that delivery (same
   * token): a release on its way to the thread (the delivery settled meanwhile, perhaps delivered
   * here again since) is no loss.
   */
  private lost(queue: string, mid: string, token: string): void {
    const leases = this.held.get(queue);
    if (leases?.get(mid) !== token) return;
    leases.delete(mid);
    if (leases.size === 0) this.held.delete(queue);
    this.logger.warn(lostLeaseWarning(queue, mid));
  }

  /** While leases are held, the loop says it is alive every renewal period. */
  private beat(): void {
    if (this.pulse || !this.worker) return;
    this.lastPulse = Date.now();
    this.pulse = setInterval(() => {
      this.noticeStall();
      this.lastPulse = Date.now();
      this.worker?.postMessage({ kind: 'alive' } satisfies ToLeaseThread);
    }, this.settings.renewEveryMs).unref();
  }

  /** A pulse late by more than a lease means the loop was blocked: reported once, with what the thread kept. */
  private noticeStall(): void {
    if (!this.pulse) return;
    const now = Date.now();
    const blocked = now - this.lastPulse - this.settings.renewEveryMs;
    if (blocked < this.settings.leaseMs) return;
    this.lastPulse = now;
    const { leaseMs, maxStallMs } = this.settings;
    this.logger.warn(
      `the event loop was blocked for ${formatDelay(blocked)}, longer than the ${formatDelay(leaseMs)} lease; ` +
        `the lease thread kept the leases of ${this.count()} deliveries (it stops after maxStallMs, ${formatDelay(maxStallMs)})`,
    );
  }

  private rest(): void {
    clearInterval(this.pulse);
    this.pulse = undefined;
  }

  private count(): number {
    let count = 0;
    for (const leases of this.held.values()) count += leases.size;
    return count;
  }
}

/**
 * The thread's entry beside this module, and whether tsx must load it; undefined where it cannot
 * be loaded: TypeScript sources run by anything but tsx (a test runner, other module hooks, which
 * Node 20 does not carry into a worker thread).
 */
function threadEntry(): { entry: string; tsx: boolean } | undefined {
  const typescript = /\.ts$/.test(new URL(import.meta.url).pathname);
  const tsx = typescript && process.execArgv.some((arg) => /\btsx\b/.test(arg));
  if (typescript && !tsx) return undefined;
  return { entry: new URL(`./lease-renewal.thread.${typescript ? 'ts' : 'js'}`, import.meta.url).href, tsx };
}

/** Options as a thread can receive them: functions (ioredis callbacks) stay behind. */
function withoutFunctions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutFunctions);
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype)
    return value;
  const entries = Object.entries(value).filter(([, field]) => typeof field !== 'function');
  return Object.fromEntries(entries.map(([key, field]) => [key, withoutFunctions(field)]));
}
