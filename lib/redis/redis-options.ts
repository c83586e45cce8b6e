import type { ClusterOptions, RedisOptions } from 'ioredis';

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
  /** Warn at start-up when `maxmemory-policy` may evict keys (default true). */
  checkConfig?: boolean;
}
