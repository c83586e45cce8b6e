import type { RedisExtraOptions } from '../../redis/redis-options.js';

/** Where the lease thread finds its settings, in its `workerData`. */
export const LEASE_THREAD_DATA_KEY = 'celeriacLeaseThread';

/** What the lease thread is started with. */
export interface LeaseThreadData {
  url: string;
  /** The broker's Redis settings, without functions (they cannot cross to a thread). */
  extra: RedisExtraOptions;
  prefix: string;
  leaseMs: number;
  renewEveryMs: number;
  /** Renewal stops once the event loop has not been heard from for this long. */
  maxStallMs: number;
}

/** A lease taken or given back. */
export type LeaseChange =
  | { kind: 'hold'; queue: string; mid: string; token: string }
  | { kind: 'release'; queue: string; mid: string };

/**
 * From the event loop to the lease thread; any message is also a sign that the loop runs. Lease
 * changes travel in batches: one message per event-loop turn, however many deliveries it took or
 * settled (a message to a thread costs a structured clone and a wake-up each).
 */
export type ToLeaseThread =
  { kind: 'changes'; changes: LeaseChange[] } | { kind: 'alive' } | { kind: 'stop' };

/** From the lease thread to the event loop. */
export type FromLeaseThread =
  { kind: 'ready' } | { kind: 'lost'; queue: string; mid: string } | { kind: 'warn'; message: string };
