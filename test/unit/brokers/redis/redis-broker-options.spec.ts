import {
  DEFAULT_LEASE_MS,
  resolveBrokerOptions,
} from '../../../../lib/brokers/redis/redis-broker.options.js';
import { redactUrl } from '../../../../lib/brokers/broker-url.js';
import { parseRedisUrl } from '../../../../lib/redis/redis-connection.js';

describe('resolveBrokerOptions', () => {
  it('defaults to a 30 s lease renewed every 10 s by the lease thread (for up to 5 min of a blocked loop), no broker-side delivery limit and a 60 s block bound', () => {
    expect(resolveBrokerOptions({})).toEqual({
      leaseMs: DEFAULT_LEASE_MS,
      renewEveryMs: 10_000,
      leaseThread: true,
      maxStallMs: 300_000,
      maxDeliveries: 0,
      maxBlockMs: 60_000,
      batchLimit: 1000,
      deadLetterLimit: 10_000,
      // Queues shared with Celery: kombu's defaults (no key prefix, a one-hour visibility timeout).
      kombu: {
        globalPrefix: '',
        visibilityTimeoutMs: 3_600_000,
        maxBlockMs: 60_000,
        batchLimit: 1000,
        deadLetterLimit: 10_000,
      },
    });
    expect(DEFAULT_LEASE_MS).toBe(30_000);
  });

  it('renews a third of the lease unless told otherwise', () => {
    expect(resolveBrokerOptions({ leaseMs: 1_500 }).renewEveryMs).toBe(500);
    expect(resolveBrokerOptions({ leaseMs: 1_500, renewEveryMs: 200 }).renewEveryMs).toBe(200);
  });

  it('refuses settings that would lose leases or make no sense, naming the setting', () => {
    expect(() => resolveBrokerOptions({ leaseMs: 1_000, renewEveryMs: 1_000 })).toThrow(
      /"renewEveryMs" \(1000\) must be below "leaseMs"/,
    );
    expect(() => resolveBrokerOptions({ leaseMs: 0 })).toThrow(/"leaseMs" must be a positive number/);
    expect(() => resolveBrokerOptions({ maxDeliveries: -1 })).toThrow(/"maxDeliveries"/);
    expect(() => resolveBrokerOptions({ maxStallMs: 0 })).toThrow(/"maxStallMs" must be a positive number/);
  });
});

describe('parseRedisUrl', () => {
  it('reads host, port, credentials, database and TLS', () => {
    expect(parseRedisUrl('rediss://worker:s%40cret@cache.internal:6380/2')).toEqual({
      host: 'cache.internal',
      port: 6380,
      db: 2,
      username: 'worker',
      password: 's@cret',
      tls: {},
    });
    expect(parseRedisUrl('redis://127.0.0.1')).toEqual({
      host: '127.0.0.1',
      port: 6379,
      db: 0,
      username: undefined,
      password: undefined,
      tls: undefined,
    });
  });

  it('explains a bad URL without showing the password', () => {
    expect(() => parseRedisUrl('redis://u:pw@host/x')).toThrow(
      'bad database number in "redis://u:***@host/x"',
    );
    expect(redactUrl('redis://:hunter2@h:1')).toBe('redis://:***@h:1');
  });
});

describe('RedisBroker and foreign wire modes', () => {
  it("accepts a protocol 'celery' queue on a single Redis server", async () => {
    const { RedisBroker } = await import('../../../../lib/brokers/redis/redis.broker.js');
    expect(
      () => new RedisBroker({ url: 'redis://127.0.0.1:6379', prefix: 'p', protocols: { legacy: 'celery' } }),
    ).not.toThrow();
  });

  it("refuses a protocol 'celery' queue on Redis Cluster, naming it and saying why", async () => {
    const { RedisBroker } = await import('../../../../lib/brokers/redis/redis.broker.js');
    expect(
      () =>
        new RedisBroker({
          url: 'redis://127.0.0.1:7000',
          prefix: 'p',
          protocols: { legacy: 'celery' },
          extra: { cluster: true },
        }),
    ).toThrow(
      /queues "legacy": protocol 'celery' needs a single Redis server .*does not run on Redis Cluster/,
    );
  });

  it('checks the kombu visibility timeout', async () => {
    const { RedisBroker } = await import('../../../../lib/brokers/redis/redis.broker.js');
    expect(
      () =>
        new RedisBroker({
          url: 'redis://127.0.0.1:6379',
          prefix: 'p',
          extra: { kombu: { visibilityTimeoutMs: 0 } },
        }),
    ).toThrow(/"kombu.visibilityTimeoutMs" must be a positive number/);
  });
});
