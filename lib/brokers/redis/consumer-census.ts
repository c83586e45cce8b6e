import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import type { RedisClient } from '../../redis/redis-connection.js';

/**
 * Counts a queue's consumers without any bookkeeping of its own: each consumer's blocking
 * connection carries the queue in its name (`…:blocking:<prefix>/<queue>/<consumer id>`), and
 * Redis drops a connection the moment its process dies, so CLIENT LIST is always current and an
 * idle consumer costs nothing to count. A cluster client holds a connection per node under one
 * name; counting distinct consumer ids across the masters counts each consumer once.
 */
export class ConsumerCensus {
  private readonly tag: string;

  constructor(prefix: string, queue: string) {
    this.tag = `${encodeURIComponent(prefix)}/${encodeURIComponent(queue)}`;
  }

  /** The connection-name label of a new consumer of the queue. */
  newLabel(): string {
    return `${this.tag}/${randomUUID()}`;
  }

  /** Consumers connected now; undefined when CLIENT LIST is not allowed (some managed services). */
  async count(client: RedisClient): Promise<number | undefined> {
    const servers = client instanceof Cluster ? client.nodes('master') : [client];
    const marker = `:blocking:${this.tag}/`;
    const consumers = new Set<string>();
    try {
      for (const server of servers) {
        const list = (await server.client('LIST')) as string;
        for (const match of list.matchAll(/ name=(\S+)/g)) {
          const at = match[1].indexOf(marker);
          if (at >= 0) consumers.add(match[1].slice(at + marker.length));
        }
      }
    } catch {
      return undefined;
    }
    return consumers.size;
  }
}
