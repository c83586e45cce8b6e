import type { LoggerService } from '@nestjs/common';
import { Cluster, type Redis } from 'ioredis';
import { isLoopbackHost } from '../brokers/loopback-host.js';
import type { RedisClient } from './redis-connection.js';

/** Settings already warned about, per server: a broker and a backend on one Redis say each once. */
const warned = new Set<string>();

/**
 * Warns at start-up, naming each setting, when the Redis behind `client` can lose or expose what
 * Celeriac keeps there: `maxmemory-policy` other than `noeviction` (keys evicted under memory
 * pressure), `appendonly no` (a crash loses every write since the last snapshot, acknowledged sends
 * included), and no password towards a host that is not loopback. `CONFIG` may be disabled (managed
 * services); then only the password is checked.
 */
export async function checkRedisPosture(
  client: RedisClient,
  logger: LoggerService,
  what: string,
): Promise<void> {
  const servers = client instanceof Cluster ? client.nodes('master') : [client];
  for (const server of servers) {
    const where = `Redis at ${server.options.host ?? '?'}:${server.options.port ?? '?'}`;
    const [policy, appendonly] = await Promise.all([
      configOf(server, 'maxmemory-policy'),
      configOf(server, 'appendonly'),
    ]);
    if (policy && policy !== 'noeviction') {
      logger.warn(
        `${where} has maxmemory-policy "${policy}": it may evict ${what}. Set maxmemory-policy to "noeviction".`,
      );
    }
    if (appendonly === 'no' && once(where, 'appendonly')) {
      logger.warn(
        `${where} has appendonly "no": a crash loses every write since its last snapshot, acknowledged ` +
          'sends and stored results included. Set appendonly to "yes" (appendfsync everysec, or always to lose none).',
      );
    }
    if (!server.options.password && !isLoopbackHost(server.options.host ?? '') && once(where, 'password')) {
      logger.warn(
        `${where} is used without a password over the network: whoever reaches it can read results and ` +
          'inject tasks your workers run. Set requirepass (or an ACL user) on the server and the password in the URL ' +
          '(redis://:password@host:port).',
      );
    }
  }
}

async function configOf(server: Redis, name: string): Promise<string | undefined> {
  try {
    return ((await server.config('GET', name)) as string[])[1];
  } catch {
    return undefined;
  }
}

function once(where: string, setting: string): boolean {
  const key = `${where}\n${setting}`;
  if (warned.has(key)) return false;
  warned.add(key);
  return true;
}
