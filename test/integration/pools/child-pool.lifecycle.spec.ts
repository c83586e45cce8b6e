import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import type { JsonValue } from '../../../lib/index.js';
import type { ChildPool } from '../../../lib/worker/pools/child.pool.js';
import { createPool } from '../../../lib/worker/pools/create-pool.js';
import type { TaskInvocation } from '../../../lib/worker/pools/pool.interface.js';
import type { QueueOptions } from '../../../lib/celeriac-options.interface.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import type { Where } from '../../fixtures/pools/pool-fixture.tasks.js';
import { childOf, type ChildPoolKind, FIXTURE_ENTRY } from './pool-support.js';

jest.setTimeout(180_000);

function invocation(method: string, args: JsonValue[] = []): TaskInvocation {
  const id = randomUUID();
  return {
    id,
    task: `PoolTasks.${method}`,
    queue: 'work',
    args,
    retries: 0,
    rootId: id,
    signal: new AbortController().signal,
    progress: () => Promise.resolve(),
  };
}

async function startPool(
  pool: ChildPoolKind,
  options: Omit<QueueOptions, 'pool'> = {},
  source = FIXTURE_ENTRY,
): Promise<ChildPool> {
  const entry = await compiledEntry(source);
  const created = createPool('work', { pool, concurrency: 2, entry, ...options }, () => {
    throw new Error('child pools never run tasks in the parent');
  }) as ChildPool;
  await created.start();
  return created;
}

/** Threads, processes and pipes this process holds (timers and the like come and go). */
function childHandles(): string[] {
  return process
    .getActiveResourcesInfo()
    .filter((kind) => !/Timeout|Immediate|TTYWrap|FSReqCallback|GetAddrInfo/.test(kind))
    .sort();
}

const DEATHS = 30;

// Every death makes a warning; the assertions say what matters.
beforeAll(() => {
  Logger.overrideLogger(false);
});

describe.each<ChildPoolKind>(['threads', 'processes'])('%s pool lifecycle', (kind) => {
  let pool: ChildPool | undefined;

  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('runs tasks on two children at once', async () => {
    pool = await startPool(kind);
    const [a, b] = (await Promise.all([
      pool.run(invocation('sleep', [300])),
      pool.run(invocation('sleep', [300])),
    ])) as (Where & { startedAt: number; endedAt: number })[];
    expect(childOf(kind, a)).not.toBe(childOf(kind, b));
    expect(a.startedAt).toBeLessThan(b.endedAt);
    expect(b.startedAt).toBeLessThan(a.endedAt);
  });

  it('maxTasksPerChild: 1 gives every task a fresh child', async () => {
    pool = await startPool(kind, { concurrency: 1, maxTasksPerChild: 1 });
    const children: number[] = [];
    for (let i = 0; i < 4; i++)
      children.push(childOf(kind, (await pool.run(invocation('greet', ['Ada']))) as Where));
    expect(new Set(children).size).toBe(4);
  });

  it('maxMemoryPerChild replaces a child whose task left it too big, after that task succeeds', async () => {
    pool = await startPool(kind, { concurrency: 1, maxMemoryPerChild: 200 });
    const first = childOf(kind, (await pool.run(invocation('greet', ['Ada']))) as Where);
    const small = childOf(kind, (await pool.run(invocation('greet', ['Bea']))) as Where);
    expect(small).toBe(first);
    const leaky = childOf(kind, (await pool.run(invocation('leak', [256]))) as Where);
    expect(leaky).toBe(first);
    const next = childOf(kind, (await pool.run(invocation('greet', ['Cy']))) as Where);
    expect(next).not.toBe(first);
  });

  // Every death boots a replacement child (a second or so each on two cores); the handle list is
  // compared exactly, so a single leaked handle or slot per death fails at any count this size.
  it(`${DEATHS} consecutive child deaths leak no slots and no handles`, async () => {
    pool = await startPool(kind);
    const baseline = childHandles();
    const deaths = await Promise.allSettled(
      Array.from({ length: DEATHS }, () => pool!.run(invocation('exit', [1]))),
    );
    for (const death of deaths) {
      expect(death).toMatchObject({ status: 'rejected', reason: { code: 'CHILD_EXITED' } });
    }
    await bothReady(pool);
    const [a, b] = (await Promise.all([
      pool.run(invocation('sleep', [200])),
      pool.run(invocation('sleep', [200])),
    ])) as Where[];
    expect(childOf(kind, a)).not.toBe(childOf(kind, b));
    expect(pool.stats()).toEqual({
      booting: 0,
      idle: 2,
      busy: 0,
      backoff: 0,
      waiting: 0,
      exiting: 0,
      spawned: DEATHS + 2,
    });
    expect(childHandles()).toEqual(baseline);
  });

  it('a child that cannot boot is reported with its error, and the pool does not start', async () => {
    const entry = await compiledEntry('test/fixtures/pools/boot-failure.main.ts');
    const broken = createPool('work', { pool: kind, concurrency: 2, entry }, () =>
      Promise.resolve(),
    ) as ChildPool;
    await expect(broken.start()).rejects.toMatchObject({
      code: 'CHILD_BOOT_FAILED',
      message: expect.stringMatching(/child failed to boot: .*database unreachable/s),
    });
    expect(broken.stats()).toMatchObject({ booting: 0, idle: 0, busy: 0, spawned: 2 });
  });

  it('an API entry re-entered in a child serves tasks and never binds its HTTP port', async () => {
    const port = await freePort();
    process.env.POOL_FIXTURE_PORT = String(port);
    try {
      pool = await startPool(kind, {}, 'test/fixtures/pools/http-fixture.main.ts');
      expect(await pool.run(invocation('greet', ['Ada']))).toMatchObject({ text: 'Hello, Ada' });
      await expect(tryConnect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      delete process.env.POOL_FIXTURE_PORT;
    }
  });

  it('close ends every child', async () => {
    pool = await startPool(kind);
    const children = (await Promise.all([
      pool.run(invocation('sleep', [50])),
      pool.run(invocation('sleep', [50])),
    ])) as Where[];
    const running = expect(pool.run(invocation('spin'))).rejects.toMatchObject({ code: 'POOL_CLOSED' });
    await pool.close();
    await running;
    expect(pool.stats()).toMatchObject({ booting: 0, idle: 0, busy: 0, exiting: 0 });
    if (kind === 'processes') {
      for (const child of children) expect(() => process.kill(child.pid, 0)).toThrow(/ESRCH/);
    }
  });
});

/** Waits (a bounded number of looks) until both slots have a ready child. */
async function bothReady(pool: ChildPool): Promise<void> {
  for (let look = 0; look < 1_200 && pool.stats().idle < 2; look++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function tryConnect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve();
    });
    socket.on('error', reject);
  });
}
