import type { ScheduleDefinition } from '../scheduler/schedule-definition.js';
import type { Unsubscribe } from './result-backend.interface.js';

/** Claims still unconfirmed beyond this many per schedule are dropped, oldest first (a safety bound). */
export const MAX_PENDING_FIRES = 32;

/** One tick of a schedule that a beat node claimed. */
export interface ScheduleFire {
  /** The tick's time (epoch ms). */
  at: number;
  /** Id of the task fired for it, derived from the schedule and the tick. */
  taskId: string;
  /** The beat node that claimed it. */
  by: string;
}

/** A claimed tick whose publish is not confirmed yet. */
export interface PendingFire extends ScheduleFire {
  /** When the claim was made or last taken over (the store's clock). */
  claimedAt: number;
}

/** A schedule as the store holds it: its definition and what happened to it. */
export interface StoredSchedule {
  definition: ScheduleDefinition;
  /** Changes with every change of definition or pause; a claim made against another version is refused. */
  version: number;
  paused: boolean;
  createdAt: number;
  /** Ticks after this time are due: set on creation, on a change of definition and on resume. */
  since: number;
  /** The latest tick claimed. */
  last?: ScheduleFire;
  /** Claimed ticks not yet confirmed as published, oldest first (normally none, or one for a moment). */
  pending: PendingFire[];
}

/** A beat node asks for one tick. */
export interface ClaimRequest {
  id: string;
  /** The version the node computed the tick from. */
  version: number;
  fireAt: number;
  taskId: string;
  node: string;
  /** A claim not confirmed within this long may be taken over by another node. */
  leaseMs: number;
  /** The caller's clock; a shared store measures leases on its own clock instead. */
  now: number;
}

/**
 * What a claim got. `claimed`: the caller publishes the tick — and the `orphans`, ticks whose
 * claimer vanished before publishing, now handed to it — then confirms each. `taken`: another node
 * has this tick (or a later one); `retryInMs` is set when that claim is still unconfirmed and may be
 * taken over after that long. `stale`: the schedule changed, was paused or removed: reload it.
 */
export type ClaimOutcome =
  | { status: 'claimed'; orphans: ScheduleFire[] }
  | { status: 'taken'; last: ScheduleFire; retryInMs?: number }
  | { status: 'stale' };

/** A change some node made, as every node watching the store hears of it. */
export type ScheduleChange =
  { kind: 'put' | 'remove'; id: string } | { kind: 'fired'; id: string; at: number; taskId: string };

/**
 * Where schedules and their tick claims live, shared by every node of a namespace: in the result
 * backend's engine (Redis; memory for the embedded backend). Every operation on one schedule is
 * atomic, so concurrent beat nodes agree on who fires each tick.
 */
export interface ScheduleStore {
  /**
   * Stores a definition unless the stored one has the same `digest`; a new or changed definition
   * gets a new version and `since = now`, keeping pause and tick history. Tells every watcher.
   */
  put(definition: ScheduleDefinition, digest: string, now: number): Promise<{ changed: boolean }>;
  /** Removes a schedule; false if there was none. Tells every watcher. */
  remove(id: string): Promise<boolean>;
  /** Pauses or resumes (resuming sets `since = now`); false if there is no such schedule. */
  setPaused(id: string, paused: boolean, now: number): Promise<boolean>;
  get(id: string): Promise<StoredSchedule | undefined>;
  all(): Promise<StoredSchedule[]>;
  /** Claims one tick for a node, atomically (see {@link ClaimOutcome}). */
  claim(request: ClaimRequest): Promise<ClaimOutcome>;
  /** The tick's task was published: the claim is settled, and watchers hear `fired`. */
  confirm(id: string, fireAt: number, taskId: string): Promise<void>;
  /**
   * Calls `listener` on every change made by any node. `onResync` is called when changes may have
   * been missed (a reconnection): reload everything. Resolves once listening.
   */
  watch(listener: (change: ScheduleChange) => void, onResync: () => void): Promise<Unsubscribe>;
}
