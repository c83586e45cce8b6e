import type { ConsumerLiveness } from '../broker.interface.js';
import type { OutageLog } from '../outage-log.js';
import type { RedisClient } from '../../redis/redis-connection.js';

/** ioredis states of a connection that is not there: it dropped, and may be dialling again. */
const CUT_STATES = new Set(['close', 'reconnecting', 'end']);

/** What a Redis consumer knows of itself. */
export interface RedisConsumerState {
  readonly cancelled: boolean;
  /** Its key in the outage log: down there while its fetches fail or Redis does not answer. */
  readonly owner: object;
  readonly outages: OutageLog;
  /** The connection it blocks on while the queue is empty. */
  readonly blocking: RedisClient;
}

/**
 * A Redis consumer is alive while its fetches succeed and its blocking connection is up. The
 * connection's state changes the moment its socket closes, so a killed server shows at once, not
 * only at the consumer's next fetch.
 */
export function redisConsumerLiveness(state: RedisConsumerState): ConsumerLiveness {
  if (state.cancelled) return { alive: false, reason: 'cancelled' };
  const failing = state.outages.reasonOf(state.owner);
  if (failing) return { alive: false, reason: failing };
  const { status } = state.blocking;
  if (!CUT_STATES.has(status)) return { alive: true };
  const why = state.outages.reasonOf(state.blocking);
  return { alive: false, reason: `its blocking connection to Redis is ${status}${why ? ` (${why})` : ''}` };
}
