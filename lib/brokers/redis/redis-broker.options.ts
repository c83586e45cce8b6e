import type { RedisExtraOptions } from '../../redis/redis-options.js';

export type { RedisExtraOptions };
import { CeleriacError } from '../../errors/celeriac.error.js';

/** Broker-only settings. */
export interface RedisBrokerExtraOptions extends RedisExtraOptions {
  /**
   * How long a delivery stays with its consumer without news from it, in ms (default 30 s). While a
   * delivery is unsettled the broker renews its lease; a worker that dies stops renewing, and the
   * message becomes deliverable again when the lease ends.
   */
  leaseMs?: number;
  /** How often unsettled deliveries' leases are renewed (default a third of the lease). */
  renewEveryMs?: number;
  /**
   * Renew leases from a worker thread with its own connection (default true), so a task that blocks
   * the event loop longer than the lease keeps its delivery. `false`: a timer on the event loop.
   */
  leaseThread?: boolean;
  /**
   * How long the lease thread keeps renewing while the event loop does not answer, in ms (default
   * 5 minutes). Past it the process is taken for wedged: its leases end and its deliveries go to
   * other workers (a late outcome of the blocked run is then refused and reported).
   */
  maxStallMs?: number;
  /**
   * A message whose lease has ended this many times without an outcome is dead-lettered by the
   * broker, with the reason "delivered N times without an outcome (worker died?)". Default 0: off,
   * because the Celeriac worker already dead-letters such a message (and records the task as failed)
   * from `Delivery.deliveryCount`; set it for consumers that do not.
   */
  maxDeliveries?: number;
  /**
   * Longest single blocking read of an idle consumer, in ms (default 60 s). Idle consumers are woken
   * by new work and by their timer for the next due time; this bound only recovers a wake-up lost to
   * a dropped connection or a consumer that died right after taking it.
   */
  maxBlockMs?: number;
  /** Most delayed messages promoted, and expired leases reclaimed, in one step (default 1000). */
  batchLimit?: number;
  /** Dead letters kept per queue; the oldest beyond are dropped (default 10 000). */
  deadLetterLimit?: number;
  /** kombu's layout, used by queues of `protocol: 'celery'`; match the Celery app's transport options. */
  kombu?: KombuOptions;
}

/** Settings of queues shared with Celery, named after Celery's `broker_transport_options`. */
export interface KombuOptions {
  /** kombu's `global_keyprefix` (default none): starts every kombu key of these queues. */
  globalKeyPrefix?: string;
  /**
   * kombu's `visibility_timeout`, in ms (default 1 h, as kombu's): an unacknowledged message is
   * restored to its queue after this long. Keep it equal to the Celery app's; Celeriac marks its own
   * deliveries as delivered again every third of it while their tasks run.
   */
  visibilityTimeoutMs?: number;
}

/** Broker settings after defaults. */
export interface ResolvedRedisBrokerOptions {
  leaseMs: number;
  renewEveryMs: number;
  leaseThread: boolean;
  maxStallMs: number;
  maxDeliveries: number;
  maxBlockMs: number;
  batchLimit: number;
  deadLetterLimit: number;
  kombu: {
    globalPrefix: string;
    visibilityTimeoutMs: number;
    maxBlockMs: number;
    batchLimit: number;
    deadLetterLimit: number;
  };
}

/** kombu's default `visibility_timeout`. */
export const DEFAULT_VISIBILITY_TIMEOUT_MS = 3_600_000;
export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_MAX_STALL_MS = 300_000;
export const DEFAULT_MAX_BLOCK_MS = 60_000;
export const DEFAULT_BATCH_LIMIT = 1000;
export const DEFAULT_DEAD_LETTER_LIMIT = 10_000;

export function resolveBrokerOptions(extra: RedisBrokerExtraOptions): ResolvedRedisBrokerOptions {
  const leaseMs = positive(extra.leaseMs, DEFAULT_LEASE_MS, 'leaseMs');
  const renewEveryMs = positive(extra.renewEveryMs, Math.max(1, Math.floor(leaseMs / 3)), 'renewEveryMs');
  if (renewEveryMs >= leaseMs) {
    throw new CeleriacError(
      'INVALID_OPTION',
      `Redis broker option "renewEveryMs" (${renewEveryMs}) must be below "leaseMs" (${leaseMs})`,
    );
  }
  const maxBlockMs = positive(extra.maxBlockMs, DEFAULT_MAX_BLOCK_MS, 'maxBlockMs');
  const batchLimit = Math.floor(positive(extra.batchLimit, DEFAULT_BATCH_LIMIT, 'batchLimit'));
  const deadLetterLimit = Math.floor(
    positive(extra.deadLetterLimit, DEFAULT_DEAD_LETTER_LIMIT, 'deadLetterLimit'),
  );
  const kombu = {
    globalPrefix: extra.kombu?.globalKeyPrefix ?? '',
    visibilityTimeoutMs: positive(
      extra.kombu?.visibilityTimeoutMs,
      DEFAULT_VISIBILITY_TIMEOUT_MS,
      'kombu.visibilityTimeoutMs',
    ),
    maxBlockMs,
    batchLimit,
    deadLetterLimit,
  };
  return {
    leaseMs,
    renewEveryMs,
    leaseThread: extra.leaseThread ?? true,
    maxStallMs: positive(extra.maxStallMs, DEFAULT_MAX_STALL_MS, 'maxStallMs'),
    kombu,
    maxDeliveries:
      extra.maxDeliveries === undefined ? 0 : Math.floor(positive(extra.maxDeliveries, 0, 'maxDeliveries')),
    maxBlockMs,
    batchLimit,
    deadLetterLimit,
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new CeleriacError(
      'INVALID_OPTION',
      `Redis broker option "${name}" must be a positive number (got ${String(value)})`,
    );
  }
  return value;
}
