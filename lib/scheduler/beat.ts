import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Unsubscribe } from '../backends/result-backend.interface.js';
import type { ScheduleChange, ScheduleStore, StoredSchedule } from '../backends/schedule-store.interface.js';
import { BeatTimer } from './beat-timer.js';
import { type Clock, systemClock } from './clock.js';
import { nextTick, type PlannedTick } from './next-tick.js';
import { cadenceOf, type Cadence } from './schedule-cadence.js';
import type { ScheduleDefinition } from './schedule-definition.js';
import { scheduleTaskId } from './schedule-task-id.js';

/** A claimed tick unconfirmed this long may be taken over by another node (its claimer died). */
export const DEFAULT_CLAIM_LEASE_MS = 5_000;
/** After a failed store or broker call, the schedule tries again this much later. */
export const BEAT_RETRY_MS = 1_000;

/** Publishes the task of one tick; resolves once the broker accepted it. */
export type FireTick = (definition: ScheduleDefinition, fireAt: number, taskId: string) => Promise<void>;

export interface BeatOptions {
  store: ScheduleStore;
  fire: FireTick;
  logger: { log(message: string): void; warn(message: string): void; error(message: string): void };
  clock?: Clock;
  /** This node's name in claims (default: host, pid and a random suffix). */
  node?: string;
  leaseMs?: number;
}

/** What this node knows of one schedule. */
interface Entry {
  stored: StoredSchedule;
  cadence: Cadence;
  /** The latest tick known to be claimed, by any node. */
  lastAt?: number;
  /** The next tick, computed once per change rather than at every wake-up. */
  plan?: PlannedTick;
  /** Another node's unconfirmed claim, to take over if it is still unconfirmed then. */
  recheck?: PlannedTick;
  /** After a failure, nothing is tried before this. */
  retryAt?: number;
}

/**
 * Fires the schedules of a namespace from this node; any number of nodes may run one. There is no
 * polling: one timer is armed for the earliest due tick across schedules and moved when schedules
 * change, which every node hears through the store's notifications. Each due tick is claimed in the
 * store, atomically, and published only by the node that got it, under a task id derived from the
 * schedule and the tick. A claimer that dies before confirming its publish loses the tick to the
 * next node once its lease lapses, so a tick is neither lost nor fired twice.
 */
export class Beat {
  readonly node: string;
  private readonly clock: Clock;
  private readonly leaseMs: number;
  private readonly entries = new Map<string, Entry>();
  private readonly firing = new Set<string>();
  private readonly work = new Set<Promise<void>>();
  private readonly timer: BeatTimer;
  private resyncAt?: number;
  private unwatch?: Unsubscribe;
  private stopped = false;

  constructor(private readonly options: BeatOptions) {
    this.clock = options.clock ?? systemClock;
    this.leaseMs = options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS;
    this.node = options.node ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.timer = new BeatTimer(this.clock, () => this.wake());
  }

  /** Ids of the schedules this node currently knows. */
  get scheduleIds(): string[] {
    return [...this.entries.keys()];
  }

  /** When this node's timer fires next (epoch ms), or Infinity. */
  get nextWakeAt(): number {
    return this.timer.dueAt;
  }

  /** Listens for changes first, then loads every schedule, so no change falls in between. */
  async start(): Promise<void> {
    this.unwatch = await this.options.store.watch(
      (change) => this.onChange(change),
      () => this.track(this.reloadAll()),
    );
    await this.reloadAll();
    this.options.logger.log(`beat ${this.node}: ${this.entries.size} schedule(s)`);
  }

  /** Stops the timer and listening, and waits for claims and publishes under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer.cancel();
    await this.unwatch?.();
    await this.settled();
  }

  /** Resolves once no claim, publish or reload started so far is still under way. */
  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  private onChange(change: ScheduleChange): void {
    if (this.stopped) return;
    if (change.kind === 'fired') {
      this.learn(change.id, change.at);
      const entry = this.entries.get(change.id);
      if (entry?.recheck?.fireAt === change.at) entry.recheck = undefined;
      return this.arm();
    }
    if (change.kind === 'remove') {
      this.entries.delete(change.id);
      return this.arm();
    }
    this.track(this.reload(change.id));
  }

  private async reloadAll(): Promise<void> {
    try {
      const all = await this.options.store.all();
      this.resyncAt = undefined;
      const ids = new Set(all.map((stored) => stored.definition.id));
      for (const id of this.entries.keys()) if (!ids.has(id)) this.entries.delete(id);
      for (const stored of all) this.put(stored);
    } catch (error) {
      this.options.logger.warn(`beat: loading schedules failed (${(error as Error).message}); retrying`);
      this.resyncAt = this.clock.now() + BEAT_RETRY_MS;
    }
    this.arm();
  }

  private async reload(id: string): Promise<void> {
    try {
      const stored = await this.options.store.get(id);
      if (stored) this.put(stored);
      else this.entries.delete(id);
    } catch (error) {
      this.options.logger.warn(`beat: loading schedule ${id} failed (${(error as Error).message}); retrying`);
      this.resyncAt = this.clock.now() + BEAT_RETRY_MS;
    }
    this.arm();
  }

  private put(stored: StoredSchedule): void {
    const id = stored.definition.id;
    const known = this.entries.get(id);
    let cadence: Cadence;
    try {
      cadence =
        known && known.stored.version === stored.version ? known.cadence : cadenceOf(stored.definition);
    } catch (error) {
      this.options.logger.error(`beat: schedule ${id} cannot be fired: ${(error as Error).message}`);
      this.entries.delete(id);
      return;
    }
    const lastAt = Math.max(known?.lastAt ?? -Infinity, stored.last?.at ?? -Infinity);
    const orphan = stored.pending.find((fire) => fire.by !== this.node);
    this.entries.set(id, {
      stored,
      cadence,
      lastAt: lastAt === -Infinity ? undefined : lastAt,
      recheck: orphan && { fireAt: orphan.at, dueAt: orphan.claimedAt + this.leaseMs },
      retryAt: known?.retryAt,
    });
  }

  private learn(id: string, at: number): void {
    const entry = this.entries.get(id);
    if (!entry || (entry.lastAt !== undefined && entry.lastAt >= at)) return;
    entry.lastAt = at;
    entry.plan = undefined;
  }

  private wake(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    if (this.resyncAt !== undefined && this.resyncAt <= now) this.track(this.reloadAll());
    for (const [id, entry] of this.entries) {
      if (this.firing.has(id) || entry.stored.paused) continue;
      if (entry.retryAt !== undefined && entry.retryAt > now) continue;
      entry.retryAt = undefined;
      if (entry.recheck && entry.recheck.dueAt <= now) {
        const { fireAt } = entry.recheck;
        entry.recheck = undefined;
        this.track(this.fire(id, fireAt));
        continue;
      }
      // Planned earlier, perhaps long ago: plan again from now, so a late wake-up follows the
      // missed-tick rule instead of firing a stale tick.
      const tick = nextTick(entry.cadence, this.base(entry), entry.stored.definition.catchUp, now);
      if (tick && tick.dueAt <= now) this.track(this.fire(id, tick.fireAt));
      else entry.plan = tick;
    }
    this.arm();
  }

  /** Claims one tick and, if this node got it, publishes it and the orphaned ticks handed over with it. */
  private async fire(id: string, fireAt: number): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    const { definition, version } = entry.stored;
    this.firing.add(id);
    try {
      const outcome = await this.options.store.claim({
        id,
        version,
        fireAt,
        taskId: scheduleTaskId(id, fireAt),
        node: this.node,
        leaseMs: this.leaseMs,
        now: this.clock.now(),
      });
      if (outcome.status === 'stale') return await this.reload(id);
      if (outcome.status === 'taken') {
        this.learn(id, outcome.last.at);
        const current = this.entries.get(id);
        if (current && outcome.retryInMs !== undefined) {
          current.recheck = { fireAt, dueAt: this.clock.now() + outcome.retryInMs + 1 };
        }
        return;
      }
      this.learn(id, fireAt);
      const ticks = [fireAt, ...outcome.orphans.map((orphan) => orphan.at)];
      await Promise.all(ticks.map((at) => this.publish(id, definition, at)));
    } catch (error) {
      this.options.logger.warn(`beat: claiming ${id} at ${iso(fireAt)} failed (${(error as Error).message})`);
      this.retryLater(id);
    } finally {
      this.firing.delete(id);
      this.arm();
    }
  }

  private async publish(id: string, definition: ScheduleDefinition, fireAt: number): Promise<void> {
    const taskId = scheduleTaskId(id, fireAt);
    try {
      await this.options.fire(definition, fireAt, taskId);
      await this.options.store.confirm(id, fireAt, taskId);
    } catch (error) {
      this.options.logger.error(
        `beat: firing ${id} at ${iso(fireAt)} (task ${taskId}) failed (${(error as Error).message}); retrying`,
      );
      const entry = this.retryLater(id);
      // The claim is still this node's: retrying the same tick re-claims it under the same task id.
      if (entry) entry.recheck = { fireAt, dueAt: entry.retryAt! };
    }
  }

  private retryLater(id: string): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry) entry.retryAt = this.clock.now() + BEAT_RETRY_MS;
    return entry;
  }

  /** Ticks after this are due: the latest claimed tick, or when the schedule started counting. */
  private base(entry: Entry): number {
    return Math.max(entry.lastAt ?? -Infinity, entry.stored.since);
  }

  private arm(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    let earliest = this.resyncAt ?? Infinity;
    for (const [id, entry] of this.entries) {
      if (this.firing.has(id) || entry.stored.paused) continue;
      entry.plan ??= nextTick(entry.cadence, this.base(entry), entry.stored.definition.catchUp, now);
      let due = Math.min(entry.plan?.dueAt ?? Infinity, entry.recheck?.dueAt ?? Infinity);
      if (entry.retryAt !== undefined) due = Math.max(due, entry.retryAt);
      earliest = Math.min(earliest, due);
    }
    this.timer.set(earliest);
  }

  private track(work: Promise<void>): void {
    this.work.add(work);
    void work.finally(() => this.work.delete(work)).catch(() => undefined);
  }
}

function iso(at: number): string {
  return new Date(at).toISOString();
}
