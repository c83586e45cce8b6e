import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { findLuaDir, preloadScripts, ScriptSet } from '../../../lib/redis/redis-scripts.js';
import { RedisBackend } from '../../../lib/backends/redis/redis.backend.js';
import { TaskState } from '../../../lib/backends/task-state.js';
import type { RedisBroker } from '../../../lib/brokers/redis/redis.broker.js';
import type { RedisBrokerExtraOptions } from '../../../lib/brokers/redis/redis-broker.options.js';
import { Inbox } from '../../conformance/conformance-helpers.js';
import { StaleAttemptError } from '../../../lib/errors/stale-attempt.error.js';
import { deleteKeys, inspector, REDIS_URL, redisBroker } from './support/redis-env.js';
import { RedisServer } from './support/redis-server.js';
import { sleep } from './support/wait.js';

describe('Redis broker', () => {
  let prefix: string;
  let brokers: RedisBroker[];
  let redis: Redis;

  beforeEach(() => {
    prefix = `celeriac-test-${randomUUID()}`;
    brokers = [];
    redis = inspector();
  });

  afterEach(async () => {
    await Promise.allSettled(brokers.map((broker) => broker.close()));
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  async function open(extra: RedisBrokerExtraOptions = {}, url?: string): Promise<RedisBroker> {
    const broker = redisBroker(prefix, { checkConfig: false, ...extra }, url);
    brokers.push(broker);
    await broker.connect();
    return broker;
  }

  it('runs a task whose ETA is later than the lease exactly once', async () => {
    const broker = await open({ leaseMs: 400, renewEveryMs: 100 });
    const inbox = Inbox.acking();
    await broker.consume('eta', inbox.handler(), { prefetch: 1 });
    const publishedAt = Date.now();
    await broker.publish('eta', 'in 1.5 s', { delayMs: 1_500, messageId: 'eta-1' });

    const [delivery] = await inbox.waitFor(1);
    await inbox.settled();
    expect(inbox.received[0].at - publishedAt).toBeGreaterThanOrEqual(1_500 - 25);
    expect([delivery.messageId, delivery.deliveryCount]).toEqual(['eta-1', 1]);
    await sleep(1_200);
    expect(inbox.received).toHaveLength(1);
  });

  it('stores no message id beside a body that names the same id at its head, and reads every form back', async () => {
    const broker = await open();
    const body = (id: string): string => `{"v":1,"id":"${id}","task":"T.run"}`;
    await broker.publish('ids', body('task-1'), { messageId: 'task-1' });
    await broker.publish('ids', body('task-2'), { messageId: 'other-2' });
    await broker.publish('ids', body('task-3'));
    await broker.publish('ids', body('task-4'), { messageId: 'task-4' });
    await broker.publish('ids', '{"v":1,"id":"quo\\"te"}', { messageId: 'quo"te' });
    const msgKey = `{${prefix}:ids}:msg`;
    const fields = await redis.hgetall(msgKey);
    const stored = Object.entries(fields).filter(([field]) => field.startsWith('i:'));
    expect(stored.map(([, id]) => id).sort()).toEqual(['', 'other-2', 'quo"te']);
    // An older producer kept every message id beside its body: that form is read as it was.
    const [bodyField] = Object.entries(fields).find(([, value]) => value === body('task-4'))!;
    await redis.hset(msgKey, `i:${bodyField.slice(2)}`, 'task-4');

    const inbox = Inbox.acking();
    await broker.consume('ids', inbox.handler(), { prefetch: 5 });
    const ids = (await inbox.waitFor(5)).map((delivery) => delivery.messageId);
    expect(ids).toEqual(['task-1', 'other-2', expect.stringMatching(/^\d+$/), 'task-4', 'quo"te']);
  });

  it('wakes a sleeping consumer for a delayed message due before the one it was waiting for', async () => {
    const broker = await open();
    const inbox = Inbox.acking();
    await broker.consume('timers', inbox.handler(), { prefetch: 1 });
    await broker.publish('timers', 'later', { delayMs: 60_000 });
    await sleep(50); // the consumer now sleeps until 'later' is due
    await broker.publish('timers', 'soon', { delayMs: 200 });

    await inbox.waitFor(1);
    await inbox.settled();
    expect(inbox.bodies).toEqual(['soon']);
    expect(await broker.size('timers')).toBe(1);
  });

  it('honours ten priority levels, 9 first', async () => {
    const broker = await open();
    const priorities = [3, 9, 0, 7, 1, 8, 2, 6, 4, 5];
    for (const priority of priorities) await broker.publish('prio', `p${priority}`, { priority });
    const inbox = Inbox.acking();
    await broker.consume('prio', inbox.handler(), { prefetch: 1 });
    await inbox.waitFor(10);
    await inbox.settled();
    expect(inbox.bodies).toEqual(['p9', 'p8', 'p7', 'p6', 'p5', 'p4', 'p3', 'p2', 'p1', 'p0']);
  });

  it('rejects a priority outside 0-9 and a queue name that would break the hash tag', async () => {
    const broker = await open();
    await expect(broker.publish('q', 'x', { priority: 10 })).rejects.toThrow(
      /priority must be an integer from 0 to 9/,
    );
    await expect(broker.publish('q{1}', 'x')).rejects.toThrow(/must be non-empty and contain no/);
  });

  it('ignores a settlement from a delivery whose lease ended and went to another consumer', async () => {
    const [slow, fast] = [await open(), await open()];
    await slow.publish('fence', 'work', { messageId: 'm-1' });
    const first = new Inbox();
    await slow.consume('fence', first.handler(), { prefetch: 1 });
    const [stale] = await first.waitFor(1);

    // As if the slow worker had stalled past its lease: end the lease now.
    const active = `{${prefix}:fence}:active`;
    const [mid] = await redis.zrange(active, 0, 0);
    await redis.zadd(active, 0, mid);
    const second = new Inbox();
    await fast.consume('fence', second.handler(), { prefetch: 1 });
    const [current] = await second.waitFor(1);
    expect(current.deliveryCount).toBe(2);

    const warn = jest.spyOn(slow.logger, 'warn').mockImplementation(() => undefined);
    await stale.ack();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('settled after its lease ended'));
    expect(await redis.zscore(active, mid)).not.toBeNull();
    await current.ack();
    expect(await redis.zcard(active)).toBe(0);
    expect(await fast.size('fence')).toBe(0);
  });

  it('a stale delivery acked with a record stores nothing and says so; the current one stores it', async () => {
    const [slow, fast] = [await open(), await open()];
    await slow.publish('fence-write', 'work', { messageId: 'm-2' });
    const first = new Inbox();
    await slow.consume('fence-write', first.handler(), { prefetch: 1 });
    const [stale] = await first.waitFor(1);
    const active = `{${prefix}:fence-write}:active`;
    const [mid] = await redis.zrange(active, 0, 0);
    await redis.zadd(active, 0, mid);
    const second = new Inbox();
    await fast.consume('fence-write', second.handler(), { prefetch: 1 });
    const [current] = await second.waitFor(1);

    const key = `${prefix}:record:m-2`;
    const write = (value: string) => ({ key, value, ttlMs: 60_000, publish: [] });
    await expect(stale.ackWith!(write('stale'))).rejects.toBeInstanceOf(StaleAttemptError);
    expect(await redis.get(key)).toBeNull();
    await current.ackWith!(write('current'));
    expect(await redis.get(key)).toBe('current');
    expect(await redis.zcard(active)).toBe(0);
  });

  it('shares one command connection between a broker and a result backend; each consumer blocks on its own', async () => {
    const name = `celeriac-test-${randomUUID()}`;
    const extra = { checkConfig: false, redisOptions: { connectionName: name } };
    const broker = await open(extra);
    const backend = new RedisBackend({ url: REDIS_URL, prefix, extra });
    await backend.connect();
    try {
      await broker.consume('a', () => undefined, { prefetch: 1 });
      await broker.consume('b', () => undefined, { prefetch: 1 });
      await backend.write({
        id: 't',
        state: TaskState.SUCCESS,
        task: 't',
        queue: 'a',
        retries: 0,
        updatedAt: Date.now(),
      });
      const roles = ((await redis.client('LIST')) as string)
        .split('\n')
        .map((line) => / name=(\S+)/.exec(line)?.[1])
        .filter((connection) => connection?.startsWith(`${name}:`))
        .sort();
      // A consumer's connection also names its queue (its `stats().consumers` counts them).
      expect(roles).toEqual([
        expect.stringMatching(new RegExp(`^${name}:blocking:${prefix}/a/[0-9a-f-]{36}$`)),
        expect.stringMatching(new RegExp(`^${name}:blocking:${prefix}/b/[0-9a-f-]{36}$`)),
        `${name}:command`,
      ]);
    } finally {
      await backend.close();
    }
  });

  describe('on a Redis of its own', () => {
    let server: RedisServer;

    beforeAll(async () => {
      server = await RedisServer.start();
    });

    afterAll(async () => {
      await server.stop();
    });

    it('costs close to zero commands per second while a consumer idles on an empty queue', async () => {
      const broker = await open({}, server.url);
      await broker.consume('idle', () => undefined, { prefetch: 10 });
      await broker.publish('idle', 'far future', { delayMs: 600_000 });
      const counter = inspector(server.url);
      try {
        await sleep(200);
        const before = await commandsProcessed(counter);
        await sleep(3_000);
        // The second INFO counts the first one.
        const idleCommands = (await commandsProcessed(counter)) - before - 1;
        expect(idleCommands).toBeLessThanOrEqual(1);
      } finally {
        counter.disconnect();
      }
    });

    it('runs scripts by EVALSHA in order among pipelined commands, and again after Redis lost its script cache', async () => {
      const client = new Redis(server.url, { enableAutoPipelining: true });
      const luaDir = findLuaDir(new URL('../../../lib/brokers/redis/redis.broker.ts', import.meta.url).href);
      const scripts = new ScriptSet(luaDir, ['size-2.lua']);
      const keys = [`{${prefix}:s}:ready`, `{${prefix}:s}:delayed`];
      try {
        await preloadScripts(client);
        // Same tick: one auto-pipeline carries the plain commands and the scripts, in call order.
        const replies = await Promise.all([
          client.zadd(keys[0], 1, 'a'),
          scripts.run(client, 'size', keys, []),
          client.zadd(keys[1], 1, 'b'),
          scripts.run(client, 'size', keys, []),
        ]);
        expect(replies).toEqual([1, 1, 1, 2]);
        await client.script('FLUSH');
        expect(await scripts.run(client, 'size', keys, [])).toBe(2);
      } finally {
        client.disconnect();
      }
    });

    it('warns at start-up, naming the setting, when Redis may evict keys', async () => {
      const admin = inspector(server.url);
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
      try {
        const broker = redisBroker(prefix, {}, server.url);
        brokers.push(broker);
        const warn = jest.spyOn(broker.logger, 'warn').mockImplementation(() => undefined);
        await broker.connect();
        expect(warn).toHaveBeenCalledWith(
          expect.stringMatching(/maxmemory-policy "allkeys-lru".*noeviction/),
        );
      } finally {
        await admin.config('SET', 'maxmemory-policy', 'noeviction');
        admin.disconnect();
      }
    });
  });
});

async function commandsProcessed(client: Redis): Promise<number> {
  const info = await client.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)![1]);
}
