import type { RedisClient } from './redis-connection.js';

/** A broker or backend that talks to Redis over a command connection it can show. */
interface OnRedis {
  readonly commandClient: RedisClient;
}

/**
 * Whether `a` and `b` use the same standalone Redis connection, so one script may touch both their
 * keys (a result record and a queue). Never on Redis Cluster: their keys hash to different slots.
 * False until both are connected.
 */
export function shareStandaloneRedis(a: unknown, b: unknown): boolean {
  const left = commandClientOf(a);
  return left !== undefined && left === commandClientOf(b) && !left.isCluster;
}

function commandClientOf(subject: unknown): RedisClient | undefined {
  if (typeof subject !== 'object' || subject === null || !('commandClient' in subject)) return undefined;
  try {
    return (subject as OnRedis).commandClient;
  } catch {
    return undefined; // not connected (yet, or any more)
  }
}
