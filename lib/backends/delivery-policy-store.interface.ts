import type { RateLimit } from '../decorators/rate-limit.js';

/** What the store says about one start under a shared rate limit. */
export interface RateDecision {
  /** 0: start now (the start is counted). Otherwise wait this long, then ask again with `booked`. */
  waitMs: number;
}

/** A message kept by a concurrency limit until a place frees, so the worker freeing it can publish it. */
export interface ParkedTask {
  taskId: string;
  queue: string;
  body: string;
}

/** What the store says about a place under a concurrency limit. */
export type SlotDecision =
  /** The caller holds a place until it releases it or its lease ends. */
  | { kind: 'acquired' }
  /** A place is already held under this holder id: the same task is running elsewhere. */
  | { kind: 'held'; retryMs: number }
  /** Every place is taken: the task was parked (when given) and is published again when one frees. */
  | { kind: 'full'; retryMs: number };

/**
 * Shared state of delivery policies: rate limits, concurrency limits and deduplication keys, kept
 * beside the results so every worker and producer of an application sees the same. Every operation
 * is atomic (one Lua script on Redis, synchronous in memory). Keys are names chosen by the caller.
 */
export interface DeliveryPolicyStore {
  /**
   * Counts a start under `limit` (at most `tokens` in any window of `periodMs`) or says how long to
   * wait. A caller told to wait books a place in line (`booked: false`), so waiting callers are spread
   * over later windows instead of all coming back at once; when it comes back it asks with `booked`.
   */
  takeRate(key: string, limit: RateLimit, booked: boolean): Promise<RateDecision>;
  /**
   * Takes one of `limit` places for `holder` for `leaseMs`. When every place is taken and `parked` is
   * given, keeps it (once per task id, in arrival order) to be handed to a releasing worker.
   */
  acquireSlot(
    key: string,
    limit: number,
    holder: string,
    leaseMs: number,
    parked?: ParkedTask,
  ): Promise<SlotDecision>;
  /** Extends the leases of places still held; resolves with the holders that had lost theirs. */
  renewSlots(key: string, holders: readonly string[], leaseMs: number): Promise<string[]>;
  /** Frees `holder`'s place; resolves with parked tasks to publish now that places are free. */
  releaseSlot(key: string, limit: number, holder: string): Promise<ParkedTask[]>;
  /**
   * Claims a deduplication key for `taskId` for `holdMs`; resolves with the id of the task that
   * already holds it, or undefined when this one now does.
   */
  claimDedup(key: string, taskId: string, holdMs: number): Promise<string | undefined>;
  /**
   * Once `taskId` is finished (or was never sent): keeps its claim until `until` (epoch ms), or drops
   * it at once when that has passed. A key held by another task is left alone.
   */
  settleDedup(key: string, taskId: string, until: number): Promise<void>;
}
