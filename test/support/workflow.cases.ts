import type { CeleriacModuleOptions } from '../../lib/index.js';
import {
  chain,
  chord,
  group,
  sig,
  si,
  sigByName,
  TaskState,
  GroupHandle,
  TaskHandle,
} from '../../lib/index.js';
import { encodeEnvelope } from '../../lib/protocol/envelope.codec.js';
import type { TaskEnvelope } from '../../lib/protocol/task-envelope.js';
import { startWorkerApp, type WorkerApp } from './worker-app.js';
import { MathTasks, workflowCalls } from './workflow-tasks.js';

/**
 * Workflow behaviour, written once and run on every broker/backend combination:
 * `options()` gives the module options (broker and backend URLs) for a fresh app.
 */
export function describeWorkflows(
  name: string,
  options: () => CeleriacModuleOptions,
  cleanup?: (prefix: string) => Promise<void>,
): void {
  describe(`workflows on ${name}`, () => {
    let w: WorkerApp;
    beforeEach(async () => {
      workflowCalls.clear();
      w = await startWorkerApp([MathTasks], options());
    });
    afterEach(async () => {
      await w.close();
      await cleanup?.(w.prefix);
    });

    it('chain: each result feeds the next; the handle follows the last and walks back to its parents', async () => {
      const handle = (await w.client.apply(
        chain(sig(MathTasks, 'add', 2, 3), sig(MathTasks, 'double'), sig(MathTasks, 'add', 10)),
      )) as TaskHandle<number>;
      expect(await handle.wait({ timeout: 10_000 })).toBe(20);
      const parent = handle.parent as TaskHandle<number>;
      expect(await parent.wait({ timeout: 1_000 })).toBe(10);
      expect(await (parent.parent as TaskHandle<number>).wait({ timeout: 1_000 })).toBe(5);
      expect((parent.parent as TaskHandle).parent).toBeUndefined();
    });

    it('immutable signatures ignore the parent result', async () => {
      const handle = (await w.client.apply(
        chain(sig(MathTasks, 'add', 1, 1), si(MathTasks, 'constant', 'fresh')),
      )) as TaskHandle<string>;
      expect(await handle.wait({ timeout: 10_000 })).toBe('fresh');
    });

    it('group: results come back in member order', async () => {
      const handle = await w.client.apply(group([5, 1, 4, 2, 3].map((n) => sig(MathTasks, 'double', n))));
      expect(await handle.wait({ timeout: 10_000 })).toEqual([10, 2, 8, 4, 6]);
      expect(await handle.completed()).toBe(5);
      expect(await handle.info()).toMatchObject({
        state: TaskState.SUCCESS,
        progress: { completed: 5, total: 5 },
      });
    });

    it('groups of one and of zero members', async () => {
      expect(
        await (await w.client.apply(group([sig(MathTasks, 'double', 4)]))).wait({ timeout: 10_000 }),
      ).toEqual([8]);
      expect(await (await w.client.apply(group([]))).wait({ timeout: 10_000 })).toEqual([]);
      const emptyChord = await w.client.apply(chord([], sig(MathTasks, 'sum', 'empty')));
      expect(await emptyChord.wait({ timeout: 10_000 })).toBe('empty=0');
    });

    it('chord: the callback runs once with the ordered results', async () => {
      const handle = await w.client.apply(
        chord(
          [1, 2, 3, 4].map((n) => sig(MathTasks, 'double', n)),
          sig(MathTasks, 'sum', 'c1'),
        ),
      );
      expect(await handle.wait({ timeout: 10_000 })).toBe('c1=20');
      expect(workflowCalls.get('sum:c1')).toBe(1);
    });

    it('chord callback runs exactly once when a member is delivered again', async () => {
      const handle = await w.client.apply(
        chord(
          [1, 2, 3].map((n) => sig(MathTasks, 'double', n)),
          sig(MathTasks, 'sum', 'redelivered'),
        ),
      );
      expect(await handle.wait({ timeout: 10_000 })).toBe('redelivered=12');
      // Every member is delivered a second time, as after a worker died before acking.
      // The callback's parent is the group that fired it.
      const groupId = (await w.client.handle(handle.id).info())!.parentId!;
      const members = await w.runtime.backend.workflows!.groupMembers(groupId);
      expect(members).toHaveLength(3);
      for (const member of members) {
        const record = (await w.client.handle(member.taskId).info())!;
        const envelope: TaskEnvelope = {
          v: 1,
          id: member.taskId,
          task: record.task,
          queue: record.queue,
          args: [member.index + 1],
          kwargs: {},
          retries: 0,
          createdAt: Date.now(),
          rootId: record.rootId ?? member.taskId,
          group: record.group,
          groupIndex: member.index,
          groupSize: 3,
          chord: handle.id,
        };
        await w.runtime.broker.publish(record.queue, encodeEnvelope(envelope));
      }
      // A marker task behind the duplicates on the same queue: once it ran, the duplicates were handled.
      await (await w.client.send(MathTasks, 'noop', [])).wait({ timeout: 10_000 });
      expect(workflowCalls.get('sum:redelivered')).toBe(1);
    });

    it('a failed member fails the chord with an error naming it, and error callbacks run', async () => {
      const body = sig(MathTasks, 'sum', 'never').set({
        linkError: sig(MathTasks, 'recordFailure', 'chord'),
      });
      const handle = await w.client.apply(
        chord(
          [1, 2, 3].map((n) => sig(MathTasks, 'failIf', n, 2)),
          body,
        ),
      );
      const record = await handle.waitForRecord({ timeout: 10_000 });
      expect(record.state).toBe(TaskState.FAILURE);
      expect(record.error?.name).toBe('ChordError');
      expect(record.error?.message).toMatch(
        /^group member 1 \(task [\w-]+, MathTasks.failIf\) failed: member 2 is bad$/,
      );
      await waitFor(() => workflowCalls.get('errback:chord') === 1);
      expect(workflowCalls.get('sum:never')).toBeUndefined();
    });

    it('a failed chain link fails what follows it, naming the parent', async () => {
      const handle = (await w.client.apply(
        chain(sig(MathTasks, 'failIf', 2, 2), sig(MathTasks, 'double')),
      )) as TaskHandle<number>;
      const record = await handle.waitForRecord({ timeout: 10_000 });
      expect(record.state).toBe(TaskState.FAILURE);
      expect(record.error).toMatchObject({ name: 'ParentFailedError' });
      expect(record.error?.message).toMatch(
        /^parent task [\w-]+ \(MathTasks.failIf\) failed: member 2 is bad$/,
      );
    });

    it('link and linkError on a plain send', async () => {
      const ok = await w.client.send(MathTasks, 'add', [1, 2], {
        link: sig(MathTasks, 'sum', 'x'),
        linkError: sig(MathTasks, 'recordFailure', 'not-called'),
      });
      expect(await ok.wait({ timeout: 10_000 })).toBe(3);
      const failed = await w.client.send(MathTasks, 'failIf', [7, 7], {
        linkError: sigByName('MathTasks.recordFailure', ['send']),
      });
      await expect(failed.wait({ timeout: 10_000 })).rejects.toThrow(/member 7 is bad/);
      await waitFor(() => workflowCalls.get('errback:send') === 1);
      expect(workflowCalls.get('errback:not-called')).toBeUndefined();
    });

    it('a chain ending in a group returns a group handle', async () => {
      const handle = await w.client.apply(
        chain(sig(MathTasks, 'add', 1, 2), group([sig(MathTasks, 'add', 10), sig(MathTasks, 'add', 20)])),
      );
      expect(handle).toBeInstanceOf(GroupHandle);
      expect(await (handle as GroupHandle<number>).wait({ timeout: 10_000 })).toEqual([13, 23]);
    });
  });
}

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition()).toBe(true);
}
