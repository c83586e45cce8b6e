import { Cluster, Redis, ReplyError, type ClusterNode, type RedisOptions } from 'ioredis';
import { BrokerUnavailableError } from '../errors/broker-unavailable.error.js';
import { CeleriacError } from '../errors/celeriac.error.js';
import { redactUrl } from '../brokers/broker-url.js';
import type { RedisExtraOptions } from './redis-options.js';
import { connectDeadlineOf, deadlineOptions, type ReadDeadline } from './redis-deadlines.js';

/** A standalone connection or a cluster client: both run the same commands and scripts. */
export type RedisClient = Redis | Cluster;

/**
 * What a connection is for. `command` connections are shared and auto-pipelined; a `blocking` one
 * belongs to one consumer; a `subscriber` one carries every pub/sub subscription of a backend.
 */
export type ConnectionRole = 'command' | 'blocking' | 'subscriber';

/**
 * No offline queue on any role: while Redis is down a command fails at once instead of waiting in
 * memory, so a publish only succeeds once Redis has accepted it. A command already sent when the
 * connection drops gets one reconnect attempt (`maxRetriesPerRequest`) before it fails; a blocking
 * read fails at once, so its consumer notices the drop and resumes from a fresh read.
 */
const ROLE_OPTIONS: Record<ConnectionRole, RedisOptions> = {
  command: { enableAutoPipelining: true, maxRetriesPerRequest: 1 },
  blocking: { enableAutoPipelining: false, maxRetriesPerRequest: 0 },
  subscriber: { enableAutoPipelining: false, maxRetriesPerRequest: 1, autoResubscribe: false },
};

/**
 * Creates (without connecting) a client for `redis://` / `rediss://` URLs, or a cluster client,
 * with no listener of its own: `createRedisClient` (redis-connection.ts) adds the outage log. This
 * module loads nothing of Nest, so the lease thread (a worker thread of its own) stays small.
 * `label` (no spaces) is appended to the connection name, e.g. to tell consumers apart;
 * `readDeadline` says who ends a blocking read Redis leaves unanswered (see {@link ReadDeadline}).
 */
export function createBareRedisClient(
  url: string,
  extra: RedisExtraOptions,
  role: ConnectionRole,
  label?: string,
  readDeadline?: ReadDeadline,
): RedisClient {
  const options: RedisOptions = {
    ...extra.redisOptions,
    ...ROLE_OPTIONS[role],
    ...deadlineOptions(extra, role === 'blocking', readDeadline),
    enableOfflineQueue: false,
    lazyConnect: true,
    // CLIENT LIST shows what each connection is for: `<connectionName or celeriac>:<role>[:<label>]`.
    connectionName: connectionNameOf(extra, role, label),
  };
  return extra.cluster ? createCluster(url, extra, options) : new Redis(url, options);
}

function createCluster(url: string, extra: RedisExtraOptions, options: RedisOptions): Cluster {
  const seed = parseRedisUrl(url);
  if (seed.db !== 0)
    throw new CeleriacError('INVALID_OPTION', `Redis Cluster has only database 0: "${redactUrl(url)}"`);
  const nodes: ClusterNode[] = [
    { host: seed.host, port: seed.port },
    ...(extra.clusterNodes ?? []).map(parseHostPort),
  ];
  const nodeOptions: RedisOptions = { ...options };
  delete nodeOptions.enableOfflineQueue;
  delete nodeOptions.lazyConnect;
  return new Cluster(nodes, {
    ...extra.clusterOptions,
    enableOfflineQueue: false,
    lazyConnect: true,
    enableAutoPipelining: options.enableAutoPipelining,
    redisOptions: {
      ...nodeOptions,
      username: seed.username,
      password: seed.password,
      // The module's `tls` (or redisOptions.tls) for a rediss:// seed; plain TLS otherwise.
      tls: nodeOptions.tls ?? seed.tls,
    },
  });
}

/** The name a connection of `role` gives itself (CLIENT SETNAME). */
export function connectionNameOf(extra: RedisExtraOptions, role: ConnectionRole, label?: string): string {
  const base = `${extra.redisOptions?.connectionName ?? 'celeriac'}:${role}`;
  return label ? `${base}:${label}` : base;
}

interface ParsedRedisUrl {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls?: RedisOptions['tls'];
}

/** Splits a `redis://user:password@host:port/db` (or `rediss://`) URL. */
export function parseRedisUrl(url: string): ParsedRedisUrl {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CeleriacError('INVALID_OPTION', `"${redactUrl(url)}" is not a Redis URL`);
  }
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0)
    throw new CeleriacError('INVALID_OPTION', `bad database number in "${redactUrl(url)}"`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port ? Number(parsed.port) : 6379,
    db,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
  };
}

function parseHostPort(node: string): ClusterNode {
  const at = node.lastIndexOf(':');
  const port = Number(node.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port))
    throw new CeleriacError('INVALID_OPTION', `cluster node "${node}" is not host:port`);
  return { host: node.slice(0, at), port };
}

/** Connects and waits until the client is ready; a failure is a {@link BrokerUnavailableError}. */
export async function connectClient(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return;
  // connect() itself only says "Connection is closed"; the socket's error says why (refused, DNS).
  let lastError: Error | undefined;
  const remember = (error: Error): void => void (lastError = error);
  client.on('error', remember);
  const options = client instanceof Cluster ? (client.options.redisOptions ?? {}) : client.options;
  const deadlineMs = connectDeadlineOf(options);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${deadlineMs} ms (Redis frozen, overloaded or unreachable)`)),
      deadlineMs,
    );
  });
  try {
    await Promise.race([client.connect(), deadline]);
  } catch (error) {
    client.disconnect();
    throw new BrokerUnavailableError('redis', lastError ?? error);
  } finally {
    clearTimeout(timer);
    client.off('error', remember);
  }
}

/** Resolves when the client is ready again, or after `maxMs` at the latest. */
export function whenReady(client: RedisClient, maxMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, maxMs);
    client.once('ready', done);
  });
}

/**
 * Replies by which a Redis Cluster refuses a command it did not run because the cluster is
 * changing hands (a failover, a resharding): the slot moved, or has no master yet.
 */
const CLUSTER_IN_TRANSITION = /^(MOVED|ASK|CLUSTERDOWN|TRYAGAIN)\b/;

/**
 * A command that failed without a reply from Redis (connection down, refused, timed out), or that a
 * Redis Cluster refused unrun while a slot changes hands (ioredis gives up following a redirection
 * inside a pipeline during a failover), becomes a {@link BrokerUnavailableError}: nothing was
 * applied, and the caller may retry under the same task id. Any other error Redis replied with is
 * a bug to report as it is.
 */
export function toBrokerError(error: unknown): Error {
  if (error instanceof ReplyError) {
    const reply = error as Error;
    if (!CLUSTER_IN_TRANSITION.test(reply.message)) return reply;
    const cause = new Error(
      `Redis Cluster refused the command during a failover (${reply.message}); nothing was applied`,
      { cause: reply },
    );
    return new BrokerUnavailableError('redis', cause);
  }
  if (error instanceof CeleriacError) return error;
  if (error instanceof Error && /enableOfflineQueue/.test(error.message)) {
    // ioredis' wording names an option; say what it means for the caller.
    const cause = new Error('no connection to Redis (down or reconnecting); nothing was sent', {
      cause: error,
    });
    return new BrokerUnavailableError('redis', cause);
  }
  if (error instanceof Error && error.message === 'Command timed out') {
    // Sent, but not answered within commandTimeoutMs: Redis may still run it once it recovers.
    const cause = new Error(
      'no reply from Redis within commandTimeoutMs (frozen, overloaded or unreachable); ' +
        'the command was not confirmed',
      { cause: error },
    );
    return new BrokerUnavailableError('redis', cause);
  }
  return new BrokerUnavailableError('redis', error);
}
