import { Cluster } from 'ioredis';
import type { RedisClient } from './redis-connection.js';

/**
 * PUBLISH so that one sender's messages arrive in the order sent. A cluster forwards classic
 * pub/sub to every node, but ioredis sends a keyless command to any node, and two nodes forward
 * independently: two broadcasts sent one after the other could overtake each other. On a cluster
 * every publish therefore goes through the same master (the first by address); a standalone
 * server keeps order by itself.
 */
export function publishInOrder(client: RedisClient, channel: string, message: string): Promise<number> {
  if (!(client instanceof Cluster)) return client.publish(channel, message);
  const masters = client.nodes('master');
  if (masters.length === 0) return client.publish(channel, message);
  const address = (node: (typeof masters)[number]): string => `${node.options.host}:${node.options.port}`;
  const first = masters.reduce((a, b) => (address(a) <= address(b) ? a : b));
  return first.publish(channel, message);
}
