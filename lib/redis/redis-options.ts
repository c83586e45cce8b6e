import type { ClusterOptions, RedisOptions } from 'ioredis';
import type { ConnectionOptions } from '../brokers/broker-connection.options.js';
import { tlsFor } from '../brokers/tls-options.js';

/**
 * Redis settings, given as `extra` of the connection options (`brokerOptions` / `backendOptions`
 * of `CeleriacModule.forRoot`). Every field is optional.
 */
export interface RedisExtraOptions {
  /** Connect to a Redis Cluster; the URL names one seed node. */
  cluster?: boolean;
  /** More cluster seed nodes, as `host:port`. */
  clusterNodes?: string[];
  /** Passed to ioredis (`tls`, timeouts, …); Celeriac's connection settings win where they clash. */
  redisOptions?: RedisOptions;
  /** Passed to the ioredis `Cluster`. */
  clusterOptions?: ClusterOptions;
  /**
   * How long a Redis command may wait for its reply, in ms (default 2000). Past it the call fails
   * with `BrokerUnavailableError` (a send answers 503 through `@Accepted()`) instead of hanging on a
   * frozen or unreachable server. Blocking reads of idle consumers keep their own deadline: the time
   * they block plus this margin.
   */
  commandTimeoutMs?: number;
  /**
   * Warn at start-up about server settings that can lose or expose data (default true):
   * `maxmemory-policy` other than `noeviction`, `appendonly no`, no password towards a host that is
   * not loopback.
   */
  checkConfig?: boolean;
}

/**
 * The Redis settings of a connection: its `extra`, with the module's `tls` under
 * `redisOptions.tls` for a `rediss://` URL (fields set in `redisOptions.tls` win).
 */
export function redisExtraOf<T extends RedisExtraOptions>(options: ConnectionOptions): T {
  const extra = (options.extra ?? {}) as T;
  const tls = tlsFor(options.url, options.tls);
  if (!tls || !options.tls) return extra;
  const own = typeof extra.redisOptions?.tls === 'object' ? extra.redisOptions.tls : {};
  return { ...extra, redisOptions: { ...extra.redisOptions, tls: { ...tls, ...own } } };
}
