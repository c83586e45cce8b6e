import { Redis } from 'ioredis';
import type { CeleriacModuleOptions, PoolKind, QueueOptions, TaskRecord } from '../../../lib/index.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import { Greeter, PoolTasks, type Where } from '../../fixtures/pools/pool-fixture.tasks.js';
import { startWorkerApp, type WorkerApp } from '../../support/worker-app.js';
import { deleteKeys, REDIS_URL } from '../redis/support/redis-env.js';

export type ChildPoolKind = Extract<PoolKind, 'threads' | 'processes'>;

/** The brokers the pool tests run on: the embedded one, and Redis (results in the same Redis). */
export const BROKERS: { name: string; options: CeleriacModuleOptions }[] = [
  { name: 'embedded broker', options: {} },
  { name: 'Redis', options: { broker: REDIS_URL } },
];

export const FIXTURE_ENTRY = 'test/fixtures/pools/pool-fixture.main.ts';

/** A worker whose `work` queue runs on a child pool re-entering the compiled fixture entry. */
export async function startPoolWorker(
  pool: ChildPoolKind,
  queue: Omit<QueueOptions, 'pool'> = {},
  celeriac: CeleriacModuleOptions = {},
): Promise<WorkerApp> {
  const entry = await compiledEntry(FIXTURE_ENTRY);
  return startWorkerApp([Greeter, PoolTasks], {
    // Tests wait for a task to have started before revoking or killing it.
    trackStarted: true,
    ...celeriac,
    queues: { work: { pool, concurrency: 1, entry, ...queue } },
  });
}

/** Stops the worker and, on Redis, removes the test's keys. */
export async function stopPoolWorker(
  worker: WorkerApp | undefined,
  celeriac: CeleriacModuleOptions,
): Promise<void> {
  await worker?.close();
  if (worker && celeriac.broker?.startsWith('redis')) {
    const client = new Redis(REDIS_URL);
    await deleteKeys(client, worker.prefix);
    client.disconnect();
  }
}

/** Sends a fixture task by method name and waits for its final record. */
export async function runTask(
  worker: WorkerApp,
  method: keyof PoolTasks,
  args: unknown[] = [],
  options = {},
): Promise<TaskRecord> {
  const handle = await worker.client.sendByName(`PoolTasks.${method}`, args, options);
  return handle.waitForRecord({ timeout: 60_000 });
}

/** Which child a task ran in: a pid for processes, a thread id for threads. */
export function childOf(pool: ChildPoolKind, where: Where): number {
  return pool === 'threads' ? where.threadId : where.pid;
}

/** Runs `greet` and says which child answered. */
export async function greetingChild(worker: WorkerApp, pool: ChildPoolKind): Promise<number> {
  const record = await runTask(worker, 'greet', ['Ada']);
  expect(record).toMatchObject({ state: 'SUCCESS', result: { text: 'Hello, Ada' } });
  return childOf(pool, record.result as unknown as Where);
}
