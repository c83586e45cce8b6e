import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import {
  BatchItemError,
  type CeleriacModuleOptions,
  InvalidArgumentsError,
  PayloadTooLargeError,
  ResultIgnoredError,
  Task,
  TaskState,
} from '../../lib/index.js';
import { startWorkerApp, type WorkerApp } from './worker-app.js';

/** Order in which the serial queue ran its tasks. */
export const batchRuns: number[] = [];

@Injectable()
export class BatchTasks {
  @Task({ queue: 'batch', schema: [z.number().int()] })
  square(n: number): number {
    return n * n;
  }

  @Task({ queue: 'serial' })
  inOrder(n: number): number {
    batchRuns.push(n);
    return n;
  }

  @Task({ queue: 'idle', schema: [z.string()] })
  parked(text: string): string {
    return text;
  }

  @Task({ queue: 'idle', ignoreResult: true })
  parkedQuietly(text: string): string {
    return text;
  }
}

/**
 * `TaskClient.sendMany`, written once and run on every broker/backend combination: `options()`
 * gives the module options of a fresh app (its broker and backend). The worker consumes `batch`
 * and `serial`; `idle` has no consumer, so what a batch left there can be counted.
 */
export function describeSendMany(
  name: string,
  options: () => CeleriacModuleOptions,
  cleanup?: (prefix: string) => Promise<void>,
): void {
  describe(`sendMany on ${name}`, () => {
    let w: WorkerApp;
    beforeEach(async () => {
      batchRuns.length = 0;
      const base = options();
      w = await startWorkerApp(
        [BatchTasks],
        {
          ...base,
          maxPayloadBytes: 4_096,
          queues: { batch: { pool: 'async', concurrency: 50 }, serial: { pool: 'solo' }, idle: {} },
        },
        { queues: ['batch', 'serial'] },
      );
    });
    afterEach(async () => {
      await w.close();
      await cleanup?.(w.prefix);
    });

    it('sends more than one broker batch; handles come back in order and each waits for its own result', async () => {
      const inputs = Array.from({ length: 2_500 }, (_, n) => n);
      const handles = await w.client.sendMany(
        BatchTasks,
        'square',
        inputs.map((n) => [n] as [number]),
      );
      expect(handles).toHaveLength(inputs.length);
      expect(new Set(handles.map((handle) => handle.id)).size).toBe(inputs.length);
      const results = await Promise.all(handles.map((handle) => handle.wait({ timeout: 60_000 })));
      expect(results).toEqual(inputs.map((n) => n * n));
      expect(w.client.pendingReplies).toBe(0);
    }, 90_000);

    it('publishes the batch in order: a solo queue runs it first to last', async () => {
      const handles = await w.client.sendManyByName<number>(
        'BatchTasks.inOrder',
        Array.from({ length: 30 }, (_, n) => [n]),
      );
      await handles[29].wait({ timeout: 30_000 });
      expect(batchRuns).toEqual(Array.from({ length: 30 }, (_, n) => n));
    }, 40_000);

    it('gives every queued task its PENDING record, as send does', async () => {
      const handles = await w.client.sendMany(BatchTasks, 'parked', [['a'], ['b'], ['c']]);
      expect(await w.runtime.broker.size('idle')).toBe(3);
      for (const handle of handles) {
        expect(await w.runtime.backend.get(handle.id)).toMatchObject({
          id: handle.id,
          state: TaskState.PENDING,
          task: 'BatchTasks.parked',
          queue: 'idle',
        });
      }
    });

    it('refuses a batch with an invalid item, naming its index, and sends none of it', async () => {
      const refused = w.client.sendMany(BatchTasks, 'parked', [
        ['a'],
        ['b'],
        [7 as unknown as string],
        ['d'],
      ]);
      await expect(refused).rejects.toBeInstanceOf(BatchItemError);
      const error = (await refused.catch((e: unknown) => e)) as BatchItemError;
      expect(error.index).toBe(2);
      expect(error.code).toBe('INVALID_ARGUMENTS');
      expect(error.cause).toBeInstanceOf(InvalidArgumentsError);
      expect(error.message).toMatch(/^sendMany: item 2 of 4 refused, nothing of the batch was sent: /);
      const oversized = w.client.sendMany(BatchTasks, 'parked', [['a'], ['x'.repeat(5_000)]]);
      const tooLarge = (await oversized.catch((e: unknown) => e)) as BatchItemError;
      expect(tooLarge.index).toBe(1);
      expect(tooLarge.cause).toBeInstanceOf(PayloadTooLargeError);
      expect(await w.runtime.broker.size('idle')).toBe(0);
      expect(w.client.pendingReplies).toBe(0);
    });

    it('refuses options that belong to one task, and sends nothing for an empty list', async () => {
      for (const single of [{ taskId: 'one' }, { dedupKey: 'k' }]) {
        await expect(w.client.sendMany(BatchTasks, 'parked', [['a']], single)).rejects.toMatchObject({
          code: 'INVALID_OPTION',
          message: expect.stringContaining('sendMany cannot take') as string,
        });
      }
      expect(await w.client.sendMany(BatchTasks, 'parked', [])).toEqual([]);
      expect(await w.runtime.broker.size('idle')).toBe(0);
    });

    it('stores nothing for a batch sent with ignoreResult, and its waits answer at once', async () => {
      const handles = await w.client.sendMany(BatchTasks, 'parkedQuietly', [['a'], ['b']]);
      expect(await w.runtime.broker.size('idle')).toBe(2);
      expect(await w.runtime.backend.get(handles[0].id)).toBeUndefined();
      await expect(handles[1].wait({ timeout: 1_000 })).rejects.toBeInstanceOf(ResultIgnoredError);
      expect(w.client.pendingReplies).toBe(0);
    });
  });
}
