import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { TimeLimitExceededError } from '../../../../lib/errors/time-limit-exceeded.error.js';
import { TaskRevokedError } from '../../../../lib/errors/task-revoked.error.js';
import type { ChildPoolSettings } from '../../../../lib/worker/pools/child-pool-options.js';
import { ChildPool } from '../../../../lib/worker/pools/child.pool.js';
import type { TaskInvocation } from '../../../../lib/worker/pools/pool.interface.js';
import { fakeSpawner } from './fake-child.js';

const settings: ChildPoolSettings = {
  entry: '/app/dist/main.js',
  maxTasksPerChild: 0,
  maxMemoryBytes: 0,
  hardTimeLimitGraceMs: 1_000,
  bootTimeoutMs: 30_000,
  closeGraceMs: 2_000,
  backoffInitialMs: 1_000,
  backoffMaxMs: 30_000,
};

function invocation(
  controller = new AbortController(),
  progress = jest.fn(() => Promise.resolve()),
): TaskInvocation {
  const id = randomUUID();
  return {
    id,
    task: 'Reports.render',
    queue: 'cpu',
    args: [1],
    retries: 0,
    rootId: id,
    signal: controller.signal,
    progress,
  };
}

function makePool(overrides: Partial<ChildPoolSettings> = {}, concurrency = 2) {
  const spawner = fakeSpawner();
  const pool = new ChildPool('processes', concurrency, 'cpu', { ...settings, ...overrides }, spawner.spawn);
  return { pool, children: spawner.children };
}

async function started(overrides: Partial<ChildPoolSettings> = {}, concurrency = 2) {
  const made = makePool(overrides, concurrency);
  const starting = made.pool.start();
  for (const child of made.children) child.ready();
  await starting;
  return made;
}

beforeAll(() => {
  Logger.overrideLogger(false);
});
beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
afterEach(() => jest.useRealTimers());

describe('ChildPool', () => {
  it('starts every child at once, each told its pool, queue and slot, and is ready when they are', async () => {
    const { pool, children } = makePool({}, 3);
    let ready = false;
    const starting = pool.start().then(() => (ready = true));
    expect(children.map((child) => child.spec)).toEqual(
      [0, 1, 2].map((slot) => ({ entry: settings.entry, marker: { pool: 'processes', queue: 'cpu', slot } })),
    );
    children[0].ready();
    children[1].ready();
    await Promise.resolve();
    expect(ready).toBe(false);
    children[2].ready();
    await starting;
    expect(pool.stats()).toMatchObject({ idle: 3, spawned: 3 });
  });

  it('gives each child one task at a time and queues the rest', async () => {
    const { pool, children } = await started();
    const runs = [invocation(), invocation(), invocation()].map((inv) => ({ inv, result: pool.run(inv) }));
    expect(children.map((child) => child.running)).toEqual([runs[0].inv.id, runs[1].inv.id]);
    expect(pool.stats()).toMatchObject({ busy: 2, waiting: 1 });
    children[1].succeed('b');
    await expect(runs[1].result).resolves.toBe('b');
    expect(children[1].running).toBe(runs[2].inv.id);
    children[1].succeed('c');
    children[0].succeed('a');
    await expect(Promise.all(runs.map((run) => run.result))).resolves.toEqual(['a', 'b', 'c']);
  });

  it('stores progress before the result resolves', async () => {
    const { pool, children } = await started();
    const order: string[] = [];
    let finishWrite!: () => void;
    const progress = jest.fn(() =>
      new Promise<void>((resolve) => (finishWrite = resolve)).then(() => void order.push('progress')),
    );
    const result = pool.run(invocation(undefined, progress)).then(() => order.push('result'));
    children[0].say({ type: 'progress', id: children[0].running!, json: '{"step":1}' });
    children[0].succeed(1);
    await Promise.resolve();
    expect(progress).toHaveBeenCalledWith({ step: 1 });
    finishWrite();
    await result;
    expect(order).toEqual(['progress', 'result']);
  });

  it('at the soft limit the child sees the abort; after the grace period it is terminated and replaced', async () => {
    const { pool, children } = await started();
    const controller = new AbortController();
    const result = pool.run(invocation(controller));
    const limit = new TimeLimitExceededError('Reports.render', 500);
    controller.abort(limit);
    expect(children[0].sent.at(-1)).toMatchObject({
      type: 'abort',
      reason: { name: 'TimeLimitExceededError' },
    });
    jest.advanceTimersByTime(999);
    expect(children[0].killed).toBe(false);
    jest.advanceTimersByTime(1);
    expect(children[0].killed).toBe(true);
    await expect(result).rejects.toBe(limit);
    expect(children).toHaveLength(3);
    expect(pool.stats()).toMatchObject({ booting: 1, idle: 1 });
  });

  it('a task that stops within the grace period keeps its child', async () => {
    const { pool, children } = await started();
    const controller = new AbortController();
    const result = pool.run(invocation(controller));
    controller.abort(new TimeLimitExceededError('Reports.render', 500));
    children[0].say({
      type: 'result',
      id: children[0].running!,
      ok: false,
      error: { name: 'AbortError', message: 'stopped' },
      memory: 0,
    });
    await expect(result).rejects.toMatchObject({ name: 'AbortError' });
    jest.advanceTimersByTime(5_000);
    expect(children[0].killed).toBe(false);
  });

  it('terminate kills a running task at once and fails a waiting one; unknown ids are left alone', async () => {
    const { pool, children } = await started({}, 1);
    const running = invocation();
    const waiting = invocation();
    const first = pool.run(running);
    const second = pool.run(waiting);
    await expect(pool.terminate(waiting.id)).resolves.toBe(true);
    await expect(second).rejects.toBeInstanceOf(TaskRevokedError);
    await expect(pool.terminate(running.id)).resolves.toBe(true);
    expect(children[0].killed).toBe(true);
    await expect(first).rejects.toBeInstanceOf(TaskRevokedError);
    await expect(pool.terminate('nobody')).resolves.toBe(false);
  });

  it('a child that dies mid-task fails only that task and is replaced at once', async () => {
    const { pool, children } = await started();
    const result = pool.run(invocation());
    children[0].exit({ code: 3 });
    await expect(result).rejects.toMatchObject({
      code: 'CHILD_EXITED',
      message: expect.stringMatching(/the process 1 running task "Reports.render" exited with code 3/),
    });
    expect(children).toHaveLength(3);
  });

  it('a child that fails to boot is retried after 1 s, 2 s, 4 s …, and reported with its output', async () => {
    const { pool, children } = makePool({}, 2);
    const starting = pool.start();
    children[1].ready();
    children[0].exit({ code: 1, output: 'Error: database unreachable' });
    await starting;
    const spawnsAfter = (ms: number): number => {
      jest.advanceTimersByTime(ms);
      return children.length;
    };
    expect(spawnsAfter(999)).toBe(2);
    expect(spawnsAfter(1)).toBe(3);
    children[2].exit({ code: 1 });
    expect(spawnsAfter(1_999)).toBe(3);
    expect(spawnsAfter(1)).toBe(4);
    children[3].exit({ code: 1 });
    expect(spawnsAfter(3_999)).toBe(4);
    expect(spawnsAfter(1)).toBe(5);
    children[4].ready();
    expect(pool.stats()).toMatchObject({ idle: 2 });
  });

  it('a failed first boot is not retried while the other children still boot; only once the pool started', async () => {
    const { pool, children } = makePool({}, 2);
    const starting = pool.start();
    children[0].exit({ code: 1, output: 'Error: database unreachable' });
    jest.advanceTimersByTime(5_000);
    expect(children).toHaveLength(2);
    children[1].ready();
    await starting;
    jest.advanceTimersByTime(999);
    expect(children).toHaveLength(2);
    jest.advanceTimersByTime(1);
    expect(children).toHaveLength(3);
    children[2].ready();
    expect(pool.stats()).toMatchObject({ idle: 2, spawned: 3 });
  });

  it('a pool whose children all fail to boot, one after another, spawned each child once', async () => {
    const { pool, children } = makePool({}, 2);
    const starting = pool.start();
    children[0].exit({ code: 1 });
    jest.advanceTimersByTime(5_000);
    children[1].exit({ code: 1 });
    await expect(starting).rejects.toMatchObject({ code: 'CHILD_BOOT_FAILED' });
    expect(pool.stats()).toMatchObject({ booting: 0, spawned: 2 });
  });

  it('fails to start, with the boot error, when no child boots; and then stops trying', async () => {
    const { pool, children } = makePool({}, 2);
    const starting = pool.start();
    children[0].exit({ code: 1, output: 'Error: database unreachable' });
    children[1].exit({ code: 1, output: 'Error: database unreachable' });
    await expect(starting).rejects.toMatchObject({
      code: 'CHILD_BOOT_FAILED',
      message: expect.stringMatching(
        /processes pool for queue "cpu": child failed to boot: process 1 exited with code 1\nError: database unreachable/,
      ),
    });
    jest.advanceTimersByTime(120_000);
    expect(children).toHaveLength(2);
  });

  it('a child that does not boot in time is killed and reported', async () => {
    const { pool, children } = makePool({ bootTimeoutMs: 5_000 }, 1);
    const starting = pool.start();
    jest.advanceTimersByTime(5_000);
    expect(children[0].killed).toBe(true);
    await expect(starting).rejects.toThrow(/did not boot within 5000 ms/);
  });

  it('recycles a child after maxTasksPerChild tasks, or when a task leaves it over maxMemoryPerChild', async () => {
    const { pool, children } = await started({ maxTasksPerChild: 2, maxMemoryBytes: 100 }, 1);
    const run = async (memory: number): Promise<void> => {
      const result = pool.run(invocation());
      children.at(-1)!.succeed(null, memory);
      await result;
    };
    await run(10);
    expect(children).toHaveLength(1);
    await run(10);
    expect(children[0].sent.at(-1)).toEqual({ type: 'close' });
    expect(children).toHaveLength(2);
    children[1].ready();
    await run(101);
    expect(children[1].sent.at(-1)).toEqual({ type: 'close' });
    expect(children).toHaveLength(3);
    jest.advanceTimersByTime(settings.closeGraceMs);
    expect(children[0].killed).toBe(true);
  });

  it('close fails what is queued or running and waits for every child to exit', async () => {
    const { pool, children } = await started({}, 1);
    const running = pool.run(invocation());
    const waiting = pool.run(invocation());
    let closed = false;
    const closing = pool.close().then(() => (closed = true));
    await expect(running).rejects.toMatchObject({ code: 'POOL_CLOSED' });
    await expect(waiting).rejects.toMatchObject({ code: 'POOL_CLOSED' });
    expect(children[0].killed).toBe(true);
    await closing;
    expect(closed).toBe(true);
    await expect(pool.run(invocation())).rejects.toMatchObject({ code: 'POOL_CLOSED' });
  });
});
