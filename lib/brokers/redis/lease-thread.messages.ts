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

/** From the event loop to the lease thread; any message is also a sign that the loop runs. */
export type ToLeaseThread =
  | { kind: 'hold'; queue: string; mid: string; token: string }
  | { kind: 'release'; queue: string; mid: string }
  | { kind: 'alive' }
  | { kind: 'stop' };

/** From the lease thread to the event loop. */
export type FromLeaseThread =
  { kind: 'ready' } | { kind: 'lost'; queue: string; mid: string } | { kind: 'warn'; message: string };
