import type {
  ReplyListener,
  ReplySubscription,
  ResultBackend,
} from '../../../lib/backends/result-backend.interface.js';
import type { TaskRecord } from '../../../lib/backends/task-record.js';
import { ReplyRegistry } from '../../../lib/client/reply-registry.js';
import { TaskState, WaitTimeoutError } from '../../../lib/index.js';

/** A backend with only what the registry uses: stored records and one reply subscription. */
class ReplyBackend {
  readonly stored = new Map<string, TaskRecord>();
  listener?: ReplyListener;
  onGap?: () => void;
  opened = 0;
  reads = 0;

  get(taskId: string): Promise<TaskRecord | undefined> {
    this.reads++;
    return Promise.resolve(this.stored.get(taskId));
  }

  openReplies(listener: ReplyListener, onGap: () => void): Promise<ReplySubscription> {
    this.opened++;
    this.listener = listener;
    this.onGap = onGap;
    return Promise.resolve({ address: 'here', close: () => Promise.resolve() });
  }

  /** What a worker's final write does: store, then send to the reply address. */
  finish(id: string, result: unknown, state: TaskRecord['state'] = TaskState.SUCCESS): void {
    const record = { id, state, task: 'T.t', queue: 'q', retries: 0, updatedAt: 0, result } as TaskRecord;
    this.stored.set(id, record);
    const json = JSON.stringify(record);
    this.listener?.(id, () => JSON.parse(json) as TaskRecord);
  }
}

function registryOn(backend: ReplyBackend): ReplyRegistry {
  return new ReplyRegistry(backend as unknown as ResultBackend);
}

describe('ReplyRegistry (the shared reply path)', () => {
  it('100 000 waits leave no slot behind and open one subscription, reading nothing', async () => {
    const backend = new ReplyBackend();
    const registry = registryOn(backend);
    let wrong = 0;
    for (let i = 0; i < 100_000; i++) {
      const id = `t${i}`;
      const reply = (await registry.prepare(id))!;
      // Half the results land before the wait, half after it began.
      if (i % 2 === 0) backend.finish(id, i);
      const waiting = reply.wait();
      if (i % 2 === 1) backend.finish(id, i);
      if ((await waiting).result !== i) wrong++;
    }
    expect(wrong).toBe(0);
    expect(registry.size).toBe(0);
    expect(backend.opened).toBe(1);
    expect(backend.reads).toBe(0);
  });

  it('keeps a result that arrived before anybody waited', async () => {
    const backend = new ReplyBackend();
    const registry = registryOn(backend);
    const reply = (await registry.prepare('early'))!;
    backend.finish('early', 'was first');
    expect(registry.size).toBe(1);
    expect((await reply.wait()).result).toBe('was first');
    expect(registry.size).toBe(0);
  });

  it('ignores records that are not final and replies for tasks it does not hold', async () => {
    const backend = new ReplyBackend();
    const registry = registryOn(backend);
    const reply = (await registry.prepare('x'))!;
    backend.finish('x', null, TaskState.RETRY);
    backend.finish('stranger', 1);
    const waiting = reply.wait();
    backend.finish('x', 'final');
    expect((await waiting).result).toBe('final');
  });

  it('a wait that times out leaves the slot, and a later wait gets the result', async () => {
    const backend = new ReplyBackend();
    const registry = registryOn(backend);
    const reply = (await registry.prepare('slow'))!;
    await expect(reply.wait(5)).rejects.toBeInstanceOf(WaitTimeoutError);
    expect(registry.size).toBe(1);
    backend.finish('slow', 'late');
    expect((await reply.wait(1_000)).result).toBe('late');
    expect(registry.size).toBe(0);
  });

  it('after a gap in the subscription it reads the stored record instead of waiting forever', async () => {
    const backend = new ReplyBackend();
    const registry = registryOn(backend);
    const idle = (await registry.prepare('idle'))!;
    const waited = (await registry.prepare('waited'))!;
    const waiting = waited.wait();
    // Both finish while the subscription is down: nothing arrives.
    const listener = backend.listener;
    backend.listener = undefined;
    backend.finish('idle', 'stored 1');
    backend.finish('waited', 'stored 2');
    backend.listener = listener;
    backend.onGap!();
    expect((await waiting).result).toBe('stored 2');
    expect((await idle.wait()).result).toBe('stored 1');
    expect(registry.size).toBe(0);
  });

  it('settle hands a locally known final record to waiters (a revoke from this process)', async () => {
    const backend = new ReplyBackend();
    const registry = registryOn(backend);
    const reply = (await registry.prepare('r'))!;
    const waiting = reply.wait();
    reply.settle({ id: 'r', state: TaskState.REVOKED, task: 'T.t', queue: 'q', retries: 0, updatedAt: 0 });
    expect((await waiting).state).toBe(TaskState.REVOKED);
  });

  it('cancel drops the slot of a task whose publish failed', async () => {
    const registry = registryOn(new ReplyBackend());
    registry.cancel((await registry.prepare('failed'))!);
    expect(registry.size).toBe(0);
  });

  it('gives no slot where the backend has no reply path', async () => {
    const backend = { get: () => Promise.resolve(undefined) } as unknown as ResultBackend;
    expect(await new ReplyRegistry(backend).prepare('x')).toBeUndefined();
  });
});
