import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import { threadId } from 'node:worker_threads';
import { TaskState } from '../../../lib/index.js';
import type { Where } from '../../fixtures/pools/pool-fixture.tasks.js';
import { reached, type WorkerApp } from '../../support/worker-app.js';
import {
  BROKERS,
  type ChildPoolKind,
  greetingChild,
  runTask,
  startPoolWorker,
  stopPoolWorker,
} from './pool-support.js';

jest.setTimeout(120_000);

const POOLS: ChildPoolKind[] = ['threads', 'processes'];

describe.each(BROKERS)('child pools on the $name', ({ options }) => {
  describe.each(POOLS)('%s pool', (pool) => {
    let worker: WorkerApp | undefined;

    beforeAll(async () => {
      worker = await startPoolWorker(pool, { hardTimeLimitGraceMs: 300, maxHeapPerChild: 128 }, options);
    });

    afterAll(() => stopPoolWorker(worker, options));

    it('runs the task on the real provider, with its injected dependency, in a child', async () => {
      const record = await runTask(worker!, 'greet', ['Ada']);
      expect(record.state).toBe(TaskState.SUCCESS);
      const result = record.result as unknown as Where & { text: string };
      expect(result.text).toBe('Hello, Ada');
      if (pool === 'threads') {
        expect(result.pid).toBe(process.pid);
        expect(result.threadId).not.toBe(threadId);
      } else {
        expect(result.pid).not.toBe(process.pid);
      }
    });

    it('a busy loop past its time limit is terminated; the slot is refilled with a new child', async () => {
      const before = await greetingChild(worker!, pool);
      const record = await runTask(worker!, 'spin');
      expect(record).toMatchObject({
        state: TaskState.FAILURE,
        error: { name: 'TimeLimitExceededError', message: expect.stringMatching(/time limit of 300 ms/) },
      });
      const after = await greetingChild(worker!, pool);
      expect(after).not.toBe(before);
    });

    it('a task that honours its signal stops at the soft limit and keeps its child', async () => {
      const before = await greetingChild(worker!, pool);
      const record = await runTask(worker!, 'cooperate');
      expect(record).toMatchObject({ state: TaskState.FAILURE, error: { name: 'TimeLimitExceededError' } });
      expect(await greetingChild(worker!, pool)).toBe(before);
    });

    it('process.exit in a task fails that task; the worker keeps serving', async () => {
      const record = await runTask(worker!, 'exit', [3]);
      expect(record).toMatchObject({
        state: TaskState.FAILURE,
        error: {
          name: 'PoolChildError',
          message: expect.stringMatching(/running task "PoolTasks.exit" exited with code 3/),
        },
      });
      await greetingChild(worker!, pool);
    });

    it('an error thrown outside the task promise fails that task with the error', async () => {
      const record = await runTask(worker!, 'throwOutside');
      expect(record).toMatchObject({
        state: TaskState.FAILURE,
        error: {
          name: 'PoolChildError',
          message: expect.stringMatching(/uncaught TypeError: thrown outside the task/),
        },
      });
      await greetingChild(worker!, pool);
    });

    it('running out of memory fails that task; the worker keeps serving', async () => {
      const before = await greetingChild(worker!, pool);
      const record = await runTask(worker!, 'exhaustMemory');
      expect(record).toMatchObject({
        state: TaskState.FAILURE,
        error: { name: 'PoolChildError', message: expect.stringMatching(/ran out of memory/) },
      });
      expect(await greetingChild(worker!, pool)).not.toBe(before);
    });

    it('revoking a running task terminates its child', async () => {
      const before = await greetingChild(worker!, pool);
      const handle = await worker!.client.sendByName('PoolTasks.spin', [], { timeLimit: 60_000 });
      await reached(handle, TaskState.STARTED);
      await handle.revoke();
      const record = await handle.waitForRecord({ timeout: 30_000 });
      expect(record.state).toBe(TaskState.REVOKED);
      expect(await greetingChild(worker!, pool)).not.toBe(before);
    });

    it('errors cross with name, message and stack; retry requests and non-retryable errors keep their meaning', async () => {
      const failed = await runTask(worker!, 'fail');
      expect(failed).toMatchObject({
        state: TaskState.FAILURE,
        error: { name: 'InventoryError', message: 'out of stock' },
      });
      expect(failed.error?.stack).toMatch(/pool-fixture\.tasks\.js/);
      expect(await runTask(worker!, 'refuse')).toMatchObject({
        state: TaskState.FAILURE,
        retries: 0,
        error: { name: 'NonRetryableError', message: 'this can never work' },
      });
      expect(await runTask(worker!, 'retryOnce')).toMatchObject({
        state: TaskState.SUCCESS,
        result: 1,
        retries: 1,
      });
    });

    it('a result that is not JSON is a clear task error', async () => {
      expect(await runTask(worker!, 'unserializable')).toMatchObject({
        state: TaskState.FAILURE,
        error: {
          name: 'TypeError',
          message: expect.stringMatching(
            /result of task "PoolTasks.unserializable" is not JSON-serializable/,
          ),
        },
      });
    });

    it('progress reported in the child reaches the result backend', async () => {
      const taskId = randomUUID();
      const seen: unknown[] = [];
      const unsubscribe = await worker!.client
        .handle(taskId)
        .watch((record) => record.progress !== undefined && seen.push(record.progress));
      const handle = await worker!.client.sendByName('PoolTasks.report', [3], { taskId });
      expect(await handle.wait({ timeout: 30_000 })).toBe(3);
      await unsubscribe();
      expect(seen).toContainEqual({ step: 3, of: 3 });
    });
  });
});
