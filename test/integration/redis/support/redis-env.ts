import { Redis } from 'ioredis';
import { RedisBroker } from '../../../../lib/brokers/redis/redis.broker.js';
import type { RedisBrokerExtraOptions } from '../../../../lib/brokers/redis/redis-broker.options.js';

/** The shared Redis of the integration tests; every test works under its own random prefix. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A broker on the shared Redis (unconnected). */
export function redisBroker(
  prefix: string,
  extra: RedisBrokerExtraOptions = {},
  url = REDIS_URL,
): RedisBroker {
  return new RedisBroker({ url, prefix, extra: { ...extra } });
}

/** A plain client for inspecting Redis from a test; disconnect it when done. */
export function inspector(url = REDIS_URL): Redis {
  return new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

export { deleteKeys } from '../../../../bench/support/redis-keys.js';
