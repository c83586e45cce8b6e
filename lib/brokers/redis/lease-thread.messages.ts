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

/**
 * Lease changes queued on the event loop, flat: `'h', queue, mid, token` for a lease taken,
 * `'r', queue, mid` for one given back.
 */
export type LeaseChanges = string[];

/**
 * From the event loop to the lease thread; any message is also a sign that the loop runs. Lease
 * changes travel in batches, as one JSON string (a message to a thread costs a structured clone
 * and a wake-up: a string clones several times faster than objects).
 */
export type ToLeaseThread = string | { kind: 'alive' } | { kind: 'stop' };

/** Calls `hold` and `release` for each change of a batch, in order. */
export function applyLeaseChanges(
  batch: string,
  hold: (queue: string, mid: string, token: string) => void,
  release: (queue: string, mid: string) => void,
): void {
  const changes = JSON.parse(batch) as LeaseChanges;
  for (let at = 0; at < changes.length;) {
    if (changes[at] === 'h') {
      hold(changes[at + 1], changes[at + 2], changes[at + 3]);
      at += 4;
    } else {
      release(changes[at + 1], changes[at + 2]);
      at += 3;
    }
  }
}

/** From the lease thread to the event loop. */
export type FromLeaseThread =
  | { kind: 'ready' }
  | { kind: 'lost'; queue: string; mid: string; token: string }
  | { kind: 'warn'; message: string };
