import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { RedisBackend } from '../../../lib/backends/redis/redis.backend.js';
import { ResultIgnoredError, Task, TaskState } from '../../../lib/index.js';
import { reached, startWorkerApp, type WorkerApp } from '../../support/worker-app.js';
import { deleteKeys, inspector, REDIS_URL } from './support/redis-env.js';

@Injectable()
class PathTasks {
  @Task({ queue: 'work' })
  echo(n: number): number {
    return n;
  }

  @Task({ queue: 'work', ignoreResult: true })
  ignored(n: number): number {
    return n;
  }

  @Task({ queue: 'work', trackStarted: true })
  async tracked(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return 'tracked';
  }
}

/** The task path on Redis: the shared reply path, ignoreResult and trackStarted, end to end. */
describe('Celeriac on Redis: the task path', () => {
  let w: WorkerApp;
  let redis: Redis;

  beforeEach(async () => {
    redis = inspector();
    w = await startWorkerApp([PathTasks], {
      broker: REDIS_URL,
      prefix: `celeriac-test-${randomUUID()}`,
      queues: { work: { pool: 'async', concurrency: 50 } },
      brokerOptions: { checkConfig: false },
      backendOptions: { checkConfig: false },
    });
  });

  afterEach(async () => {
    await w.close();
    await deleteKeys(redis, w.prefix);
    redis.disconnect();
  });

  const backend = (): RedisBackend => w.runtime.backend as RedisBackend;

  it('waiters share one reply subscription: 3000 waits leave no slot and no channel behind', async () => {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < 3_000) {
        const n = next++;
        if ((await (await w.client.send(PathTasks, 'echo', [n])).wait({ timeout: 30_000 })) !== n)
          throw new Error(`wrong result for ${n}`);
      }
    };
    await Promise.all(Array.from({ length: 100 }, lane));
    expect(w.client.pendingReplies).toBe(0);
    // The worker's revocation channel, and the one reply channel of this process.
    const channels = (await backend().subscribedChannels()).filter((c) => !c.endsWith(':revocations'));
    expect(channels).toHaveLength(1);
    expect(channels[0]).toMatch(new RegExp(`^${w.prefix}:reply:`));
    expect(await redis.pubsub('CHANNELS', `${w.prefix}:task:*`)).toEqual([]);
  }, 60_000);

  it('a result stored before anybody waits is seen by the wait', async () => {
    const succeeded = new Promise<void>((resolve) =>
      w.runtime.events.on('task', (event) => event.type === 'task-succeeded' && resolve()),
    );
    const handle = await w.client.send(PathTasks, 'echo', [42]);
    await succeeded;
    expect(await redis.exists(`${w.prefix}:task:${handle.id}`)).toBe(1);
    expect(await handle.wait({ timeout: 5_000 })).toBe(42);
    expect(w.client.pendingReplies).toBe(0);
    // A handle made from the id alone (another process, an HTTP client) reads and watches the task.
    expect(await w.client.handle(handle.id).wait({ timeout: 5_000 })).toBe(42);
  });

  it('ignoreResult stores nothing for the task, and wait() says so at once', async () => {
    const succeeded = new Promise<string | undefined>((resolve) =>
      w.runtime.events.on('task', (event) => event.type === 'task-succeeded' && resolve(event.id)),
    );
    const handle = await w.client.send(PathTasks, 'ignored', [1]);
    await expect(handle.wait()).rejects.toBeInstanceOf(ResultIgnoredError);
    expect(await succeeded).toBe(handle.id);
    expect(await redis.exists(`${w.prefix}:task:${handle.id}`)).toBe(0);
    expect(await handle.info()).toBeUndefined();
  });

  it('trackStarted records STARTED; without it the record goes from PENDING to SUCCESS', async () => {
    const tracked = await w.client.send(PathTasks, 'tracked', []);
    await reached(tracked, TaskState.STARTED);
    expect(await tracked.wait({ timeout: 5_000 })).toBe('tracked');

    const id = randomUUID();
    const states: TaskState[] = [];
    const stop = await w.client.handle(id).watch((record) => states.push(record.state));
    expect(await (await w.client.send(PathTasks, 'echo', [5], { taskId: id })).wait()).toBe(5);
    await stop();
    expect(states).toEqual([TaskState.SUCCESS]);
  });
});
