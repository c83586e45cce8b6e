import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisBackend } from '../../../lib/backends/redis/redis.backend.js';
import type { TaskRecord } from '../../../lib/backends/task-record.js';
import { TaskState } from '../../../lib/backends/task-state.js';
import { TaskHandle } from '../../../lib/client/task.handle.js';
import { WaitTimeoutError } from '../../../lib/errors/wait-timeout.error.js';
import { deleteKeys, inspector, REDIS_URL } from './support/redis-env.js';
import { eventually } from './support/wait.js';

const ANSWERED_WAITS = 100_000;
/** Waits in flight at once: each batch shares the connection's pipeline, so the 100 000 take seconds. */
const WAITS_AT_ONCE = 500;

function record(id: string, state: TaskState, result?: string): TaskRecord {
  return { id, state, task: 'Reports.render', queue: 'default', retries: 0, updatedAt: Date.now(), result };
}

describe('Redis result backend', () => {
  let prefix: string;
  let name: string;
  let backend: RedisBackend;
  let redis: Redis;

  beforeEach(async () => {
    prefix = `celeriac-test-${randomUUID()}`;
    name = `celeriac-test-${randomUUID()}`;
    backend = new RedisBackend({ url: REDIS_URL, prefix, extra: { redisOptions: { connectionName: name } } });
    await backend.connect();
    redis = inspector();
  });

  afterEach(async () => {
    await backend.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  /** This backend's connections, as Redis sees them. */
  async function connections(): Promise<string[]> {
    const list = (await redis.client('LIST')) as string;
    return list.split('\n').filter((line) => line.includes(` name=${name}:`));
  }

  it('keeps records for the configured TTL by default', async () => {
    const short = new RedisBackend({ url: REDIS_URL, prefix, resultTtlMs: 60_000 });
    await short.connect();
    try {
      await short.write(record('ttl-1', TaskState.SUCCESS));
      const ttl = await redis.pttl(`${prefix}:task:ttl-1`);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      await backend.write(record('ttl-2', TaskState.SUCCESS));
      expect(await redis.pttl(`${prefix}:task:ttl-2`)).toBeGreaterThan(23 * 3_600_000);
    } finally {
      await short.close();
    }
  });

  it(`leaves no subscription behind after ${ANSWERED_WAITS} waits answered at once, and waits woken or timed out`, async () => {
    // One finished task per slot of a batch: every wait of a batch watches a task of its own, so the
    // 100 000 waits open and release 100 000 watches, as many sequential waits would.
    const finished = Array.from({ length: WAITS_AT_ONCE }, (_, slot) =>
      record(randomUUID(), TaskState.SUCCESS, `ready before the wait ${slot}`),
    );
    for (const done of finished) await backend.write(done);
    for (let started = 0; started < ANSWERED_WAITS; started += WAITS_AT_ONCE) {
      const results = await Promise.all(finished.map((done) => new TaskHandle(done.id, backend).wait()));
      expect(results).toEqual(finished.map((done) => done.result));
    }
    const done = finished[0];
    for (let i = 0; i < 200; i++) {
      const id = randomUUID();
      const waiting = new TaskHandle(id, backend).wait();
      // Written only once the wait is subscribed: the notification is what wakes it.
      await new Promise((resolve) => setImmediate(resolve));
      await backend.write(record(id, TaskState.SUCCESS, `woken ${i}`));
      expect(await waiting).toBe(`woken ${i}`);
    }
    for (let i = 0; i < 200; i++) {
      await expect(new TaskHandle(randomUUID(), backend).wait({ timeout: 1 })).rejects.toBeInstanceOf(
        WaitTimeoutError,
      );
    }

    expect(await backend.subscribedChannels()).toEqual([]);
    expect(await redis.pubsub('CHANNELS', `${prefix}:*`)).toEqual([]);
    expect(await redis.pubsub('NUMSUB', `${prefix}:task:${done.id}`)).toEqual([
      `${prefix}:task:${done.id}`,
      0,
    ]);
    const open = await connections();
    expect(open).toHaveLength(2);
    for (const line of open) expect(line).toMatch(/ sub=0 /);
  }, 120_000);

  it('serves concurrent waiters of one task on one subscription and releases it after', async () => {
    const id = randomUUID();
    const waits = Array.from({ length: 50 }, () => new TaskHandle(id, backend).waitForRecord());
    const channel = `${prefix}:task:${id}`;
    const subscribers = async (): Promise<unknown> =>
      ((await redis.pubsub('NUMSUB', channel)) as [string, number])[1];
    await eventually('the waiters to subscribe', async () =>
      (await subscribers()) === 1 ? true : undefined,
    );
    await backend.write(record(id, TaskState.FAILURE));
    const records = await Promise.all(waits);
    expect(records.every((r) => r.state === TaskState.FAILURE)).toBe(true);
    expect(await subscribers()).toBe(0);
  });
});
