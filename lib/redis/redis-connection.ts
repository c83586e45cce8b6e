import { redactUrl } from '../brokers/broker-url.js';
import { outageLogOf, type OutageLog } from '../brokers/outage-log.js';
import type { CeleriacLoggerOption } from '../logging/celeriac-logger.js';
import type { RedisExtraOptions } from './redis-options.js';
import type { ReadDeadline } from './redis-deadlines.js';
import {
  createBareRedisClient,
  parseRedisUrl,
  type ConnectionRole,
  type RedisClient,
} from './redis-client.js';

export {
  connectClient,
  connectionNameOf,
  parseRedisUrl,
  toBrokerError,
  whenReady,
  type ConnectionRole,
  type RedisClient,
} from './redis-client.js';

/**
 * Creates (without connecting) a client for `redis://` / `rediss://` URLs, or a cluster client,
 * watched by the process's outage log of its server. `label` (no spaces) is appended to the
 * connection name, e.g. to tell consumers apart; `readDeadline` says who ends a blocking read Redis
 * leaves unanswered (ioredis unless told otherwise).
 */
export function createRedisClient(
  url: string,
  extra: RedisExtraOptions,
  role: ConnectionRole,
  label?: string,
  sink?: CeleriacLoggerOption,
  readDeadline?: ReadDeadline,
): RedisClient {
  const client = createBareRedisClient(url, extra, role, label, readDeadline);
  watchOutages(client, redisOutageLog(url, extra, sink));
  return client;
}

/** The process's outage log of the Redis (or Redis Cluster) a URL points at. */
export function redisOutageLog(
  url: string,
  extra: RedisExtraOptions,
  sink?: CeleriacLoggerOption,
): OutageLog {
  const { host, port } = parseRedisUrl(url);
  const server = `${extra.cluster ? 'Redis Cluster' : 'Redis'} at ${host}:${port}`;
  return outageLogOf(server, 'CeleriacRedis', sink);
}

/**
 * Every client gets an `error` listener (without one ioredis prints "Unhandled error event" at each
 * retry). Failures before the first `ready` are the connect call's to report; after it, an outage
 * is one WARN line for the whole process, and its end one line more.
 */
function watchOutages(client: RedisClient, outages: OutageLog): void {
  let opened = false;
  client.on('error', (error: Error) => {
    if (opened) outages.down(client, redactUrl(error.message));
  });
  client.on('ready', () => {
    if (opened) outages.up(client);
    opened = true;
  });
  client.on('end', () => outages.forget(client));
}
