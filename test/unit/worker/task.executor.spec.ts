import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  currentTask,
  NonRetryableError,
  PayloadTooLargeError,
  Task,
  TaskFailedError,
  TaskState,
  InvalidArgumentsError,
  ResultIgnoredError,
  type TaskEvent,
} from '../../../lib/index.js';
import { encodeEnvelope } from '../../../lib/protocol/envelope.codec.js';
import { PROTOCOL_VERSION } from '../../../lib/protocol/task-envelope.js';
import { gate, startWorkerApp, type WorkerApp } from '../../support/worker-app.js';

const calls: Record<string, number> = {};
const count = (key: string): number => (calls[key] = (calls[key] ?? 0) + 1);
let running = gate<void>();
let release = gate<void>();

@Injectable()
class ExampleTasks {
  @Task()
  add(a: number, b: number): number {
    count('add');
    return a + b;
  }

  @Task({ retries: 3, backoff: { type: 'fixed', delay: 5, jitter: false } })
  alwaysFails(key: string): never {
    count(key);
    throw new Error(`boom ${calls[key]}`);
  }

  @Task({ retries: 8, backoff: { type: 'fixed', delay: 1, jitter: false } })
  manyRetries(key: string): never {
    count(key);
    throw new Error(`attempt ${calls[key]}`);
  }

  @Task({ retries: 3, backoff: 5 })
  refuses(key: string): never {
    count(key);
    throw new NonRetryableError('this input can never work');
  }

  @Task({ retries: 2 })
  asksForRetry(key: string): string {
    const n = count(key);
    if (n === 1) currentTask().retry({ countdown: 10 });
    return `attempt ${n} after ${currentTask().retries} retries`;
  }

  @Task({ timeLimit: 30 })
  async slow(): Promise<string> {
    const { signal } = currentTask();
    await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    return 'never';
  }

  @Task()
  async blocking(key: string): Promise<string> {
    count(key);
    running.open();
    const { signal } = currentTask();
    await Promise.race([
      release.promise,
      new Promise((resolve) => signal.addEventListener('abort', resolve)),
    ]);
    return 'released';
  }

  @Task()
  async reportsProgress(): Promise<string> {
    await currentTask().progress({ done: 1, total: 2 });
    running.open();
    await release.promise;
    return 'done';
  }

  @Task()
  nonJson(): unknown {
    return { big: 10n };
  }

  @Task({ ignoreResult: true })
  fireAndForget(key: string): string {
    count(key);
    return 'ignored';
  }

  @Task()
  counted(key: string): string {
    count(key);
    return key;
  }

  @Task({ rateLimit: '20/s' })
  limited(n: number): number {
    return n;
  }

  @Task({ trackStarted: false })
  untracked(a: number): number {
    return a;
  }
}

/** The worker's events of one task, in order (task-sent is the sender's, here the same process). */
function workerEvents(events: TaskEvent[], id: string): string[] {
  return events.filter((event) => event.id === id && event.type !== 'task-sent').map((event) => event.type);
}

describe('task executor (embedded broker)', () => {
  let w: WorkerApp;

  beforeEach(async () => {
    running = gate();
    release = gate();
    w = await startWorkerApp([ExampleTasks], { maxPayloadBytes: 10_000, trackStarted: true });
  });
  afterEach(async () => {
    release.open();
    await w.close();
  });

  it('goes PENDING → STARTED → SUCCESS and returns the result', async () => {
    // Watch before sending (with a chosen id), so no state change can slip past.
    const taskId = randomUUID();
    const states: string[] = [];
    await w.client.handle(taskId).watch((record) => states.push(record.state));
    const handle = await w.client.send(ExampleTasks, 'add', [2, 3], { taskId });
    expect(await handle.wait({ timeout: 5_000 })).toBe(5);
    const info = await handle.info();
    expect(info).toMatchObject({ state: TaskState.SUCCESS, result: 5, task: 'ExampleTasks.add', retries: 0 });
    expect(states).toEqual([TaskState.STARTED, TaskState.SUCCESS]);
  });

  it('without trackStarted a task goes from PENDING straight to SUCCESS', async () => {
    const taskId = randomUUID();
    const states: string[] = [];
    await w.client.handle(taskId).watch((record) => states.push(record.state));
    // The module tracks STARTED here; the task's own option turns it off.
    const handle = await w.client.send(ExampleTasks, 'untracked', [7], { taskId });
    expect(await handle.wait({ timeout: 5_000 })).toBe(7);
    expect(states).toEqual([TaskState.SUCCESS]);
    const untracked = await startWorkerApp([ExampleTasks]);
    try {
      const id = randomUUID();
      const seen: string[] = [];
      await untracked.client.handle(id).watch((record) => seen.push(record.state));
      expect(await (await untracked.client.send(ExampleTasks, 'add', [1, 2], { taskId: id })).wait()).toBe(3);
      expect(seen).toEqual([TaskState.SUCCESS]);
    } finally {
      await untracked.close();
    }
  });

  it('a task with retries: 3 that always throws runs exactly 4 times, then FAILURE', async () => {
    const taskId = randomUUID();
    const states: string[] = [];
    await w.client.handle(taskId).watch((record) => states.push(record.state));
    const handle = await w.client.send(ExampleTasks, 'alwaysFails', ['r4'], { taskId });
    const record = await handle.waitForRecord({ timeout: 5_000 });
    expect(calls.r4).toBe(4);
    expect(record).toMatchObject({
      state: TaskState.FAILURE,
      retries: 3,
      error: { name: 'Error', message: 'boom 4' },
    });
    expect(states.filter((state) => state === TaskState.RETRY)).toHaveLength(3);
    await expect(handle.wait()).rejects.toThrow(TaskFailedError);
    expect(await w.runtime.broker.size('default')).toBe(0);
  });

  it('every attempt is announced with task-received before it starts, retries included', async () => {
    const events: TaskEvent[] = [];
    w.runtime.events.on('task', (event) => events.push(event));
    const handle = await w.client.send(ExampleTasks, 'alwaysFails', ['announced']);
    await handle.waitForRecord({ timeout: 5_000 });
    const own = workerEvents(events, handle.id);
    const retried = ['task-received', 'task-started', 'task-retried'];
    expect(own).toEqual([...retried, ...retried, ...retried, 'task-received', 'task-started', 'task-failed']);
    const received = events.filter((event) => event.id === handle.id && event.type === 'task-received');
    expect(received.map((event) => event.retries)).toEqual([0, 1, 2, 3]);
    expect(received[0]).toMatchObject({
      task: 'ExampleTasks.alwaysFails',
      queue: 'default',
      worker: expect.any(String),
    });
  });

  it('a task waiting for its rate limit is announced with task-rate-limited and when it comes back', async () => {
    const events: TaskEvent[] = [];
    w.runtime.events.on('task', (event) => events.push(event));
    const handles = await Promise.all([1, 2, 3].map((n) => w.client.send(ExampleTasks, 'limited', [n])));
    expect(await Promise.all(handles.map((handle) => handle.wait({ timeout: 5_000 })))).toEqual([1, 2, 3]);
    const limited = events.filter((event) => event.type === 'task-rate-limited');
    expect(limited.length).toBeGreaterThanOrEqual(1);
    for (const event of limited) {
      const own = workerEvents(events, event.id!);
      expect(own).toEqual(['task-received', 'task-rate-limited', 'task-started', 'task-succeeded']);
      expect(event.eta).toBeGreaterThan(event.at);
    }
  });

  it('retries are not mistaken for lost deliveries: more retries than maxDeliveries still all run', async () => {
    const lenient = await startWorkerApp([ExampleTasks], { maxDeliveries: 2 });
    try {
      const handle = await lenient.client.send(ExampleTasks, 'manyRetries', ['many']);
      const record = await handle.waitForRecord({ timeout: 5_000 });
      expect(calls.many).toBe(9);
      expect(record).toMatchObject({ state: TaskState.FAILURE, retries: 8, error: { message: 'attempt 9' } });
      expect(await lenient.runtime.broker.deadLetters('default')).toEqual([]);
    } finally {
      await lenient.close();
    }
  });

  it('a NonRetryableError fails at once whatever retries remain', async () => {
    const record = await (
      await w.client.send(ExampleTasks, 'refuses', ['nr'])
    ).waitForRecord({ timeout: 5_000 });
    expect(calls.nr).toBe(1);
    expect(record).toMatchObject({
      state: TaskState.FAILURE,
      error: { name: 'NonRetryableError', message: 'this input can never work' },
    });
  });

  it('a task can ask for its own retry with a countdown', async () => {
    const handle = await w.client.send(ExampleTasks, 'asksForRetry', ['ask']);
    expect(await handle.wait({ timeout: 5_000 })).toBe('attempt 2 after 1 retries');
  });

  it('the soft time limit aborts the signal and fails the attempt with a time-limit error', async () => {
    const record = await (await w.client.send(ExampleTasks, 'slow', [])).waitForRecord({ timeout: 5_000 });
    expect(record.state).toBe(TaskState.FAILURE);
    expect(record.error).toMatchObject({
      name: 'TimeLimitExceededError',
      message: 'task "ExampleTasks.slow" exceeded its time limit of 30 ms',
    });
  });

  it('an expired task becomes REVOKED without running', async () => {
    const handle = await w.client.send(ExampleTasks, 'counted', ['expired'], {
      expires: new Date(Date.now() - 1),
    });
    const record = await handle.waitForRecord({ timeout: 5_000 });
    expect(record.state).toBe(TaskState.REVOKED);
    expect(record.error?.message).toMatch(/expired/);
    expect(calls.expired).toBeUndefined();
  });

  it('a task revoked before it starts never runs', async () => {
    const handle = await w.client.send(ExampleTasks, 'counted', ['revoked-early'], { countdown: 100 });
    await handle.revoke();
    expect(await handle.state()).toBe(TaskState.REVOKED);
    // Wait for the delayed delivery to be consumed and settled.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(calls['revoked-early']).toBeUndefined();
    expect(await w.runtime.broker.size('default')).toBe(0);
  });

  it('revoking a running task aborts its signal and records REVOKED', async () => {
    const handle = await w.client.send(ExampleTasks, 'blocking', ['revoked-running']);
    await running.promise;
    await handle.revoke();
    const record = await handle.waitForRecord({ timeout: 5_000 });
    expect(record.state).toBe(TaskState.REVOKED);
    await expect(handle.wait()).rejects.toThrow(/ended REVOKED/);
  });

  it('a run whose task a later attempt claimed meanwhile is reported, and its outcome refused', async () => {
    const events: TaskEvent[] = [];
    w.runtime.events.on('task', (event) => events.push(event));
    const handle = await w.client.send(ExampleTasks, 'blocking', ['overtaken']);
    await running.promise;
    // Another worker took the delivery over (its lease ended) and finished first.
    const { backend } = w.runtime;
    const newer = { ...(await handle.info())!, state: TaskState.STARTED, updatedAt: Date.now() };
    const { fence } = await backend.claimAttempt!(newer, { start: true });
    await backend.write({ ...newer, state: TaskState.SUCCESS, result: 'newer' }, { fence });
    const lost = new Promise<TaskEvent>((resolve) =>
      w.runtime.events.on('task', (event) => event.type === 'task-lease-lost' && resolve(event)),
    );
    release.open();
    expect(await lost).toMatchObject({ id: handle.id, error: expect.stringContaining('later attempt') });
    expect(await handle.wait({ timeout: 5_000 })).toBe('newer');
    expect(events.map((event) => event.type)).not.toContain('task-succeeded');
  });

  it('progress reported by the task is visible through the handle while it runs', async () => {
    const handle = await w.client.send(ExampleTasks, 'reportsProgress', []);
    await running.promise;
    expect(await handle.info()).toMatchObject({ state: TaskState.STARTED, progress: { done: 1, total: 2 } });
    release.open();
    expect(await handle.wait({ timeout: 5_000 })).toBe('done');
  });

  it('a result that is not JSON fails the task with a clear error', async () => {
    const record = await (await w.client.send(ExampleTasks, 'nonJson', [])).waitForRecord({ timeout: 5_000 });
    expect(record.state).toBe(TaskState.FAILURE);
    expect(record.error?.message).toMatch(/result of task "ExampleTasks.nonJson" is not JSON-serializable/);
  });

  it('ignoreResult runs the task, stores nothing, and wait() says so at once', async () => {
    const succeeded = new Promise<string | undefined>((resolve) =>
      w.runtime.events.on('task', (event) => event.type === 'task-succeeded' && resolve(event.id)),
    );
    const handle = await w.client.send(ExampleTasks, 'fireAndForget', ['ignored']);
    await expect(handle.wait()).rejects.toThrow(ResultIgnoredError);
    await expect(handle.wait()).rejects.toThrow(
      /was sent with ignoreResult: its state and result are not stored/,
    );
    expect(await succeeded).toBe(handle.id);
    expect(calls.ignored).toBe(1);
    expect(await handle.info()).toBeUndefined();
  });

  it('an unknown task sent by name fails with a message naming it, is dead-lettered, and others keep running', async () => {
    const unknown = await w.client.sendByName('Nope.missing', [1]);
    const record = await unknown.waitForRecord({ timeout: 5_000 });
    expect(record.state).toBe(TaskState.FAILURE);
    expect(record.error?.message).toBe(
      'unknown task "Nope.missing": no @Task method is registered under that name',
    );
    const letters = await waitForDeadLetters(w, 1);
    expect(letters.map((letter) => letter.reason)).toContain(record.error?.message);
    expect(await (await w.client.send(ExampleTasks, 'add', [1, 1])).wait({ timeout: 5_000 })).toBe(2);
  });

  it('a malformed message is dead-lettered with its reason', async () => {
    await w.runtime.broker.publish('default', '{"not":"an envelope"}');
    await w.runtime.broker.publish('default', 'garbage');
    const letters = await waitForDeadLetters(w, 2);
    expect(letters.map((letter) => letter.reason).sort()).toEqual([
      'invalid task envelope: body is not JSON (Unexpected token \'g\', "garbage" is not valid JSON)',
      'invalid task envelope: unsupported protocol version undefined (this worker speaks 1)',
    ]);
    expect(await (await w.client.send(ExampleTasks, 'add', [2, 2])).wait({ timeout: 5_000 })).toBe(4);
  });

  it('wrong arguments are refused at send time, and by the worker if they arrive anyway', async () => {
    await expect(w.client.sendByName('ExampleTasks.add', ['two', 3])).rejects.toThrow(InvalidArgumentsError);
    await expect(w.client.sendByName('ExampleTasks.add', [1])).rejects.toThrow(
      /expected at least 2 argument\(s\), got 1/,
    );
    const envelope = {
      v: PROTOCOL_VERSION,
      id: 'wrong-args',
      task: 'ExampleTasks.add',
      queue: 'default',
      args: ['x', 'y'],
      kwargs: {},
      retries: 0,
      createdAt: Date.now(),
      rootId: 'wrong-args',
    };
    await w.runtime.broker.publish('default', encodeEnvelope(envelope));
    const record = await w.client.handle('wrong-args').waitForRecord({ timeout: 5_000 });
    expect(record).toMatchObject({ state: TaskState.FAILURE, error: { name: 'InvalidArgumentsError' } });
    expect(record.error?.message).toMatch(/argument 1 must be a number, got string/);
  });

  it('an oversized payload is refused before anything is published', async () => {
    await expect(w.client.send(ExampleTasks, 'refuses', ['x'.repeat(20_000)])).rejects.toThrow(
      PayloadTooLargeError,
    );
    await expect(w.client.send(ExampleTasks, 'refuses', ['x'.repeat(20_000)])).rejects.toThrow(
      /over the 10000-byte limit/,
    );
    expect(await w.runtime.broker.size('default')).toBe(0);
  });

  it("a bad send option is the caller's error", async () => {
    await expect(w.client.send(ExampleTasks, 'add', [1, 2], { priority: 12 })).rejects.toThrow(/priority/);
    await expect(w.client.send(ExampleTasks, 'add', [1, 2], { queue: 'nowhere' })).rejects.toThrow(
      /unknown queue "nowhere"/,
    );
  });

  it('a task id chosen by the caller is kept', async () => {
    const handle = await w.client.send(ExampleTasks, 'add', [4, 4], { taskId: 'order-42' });
    expect(handle.id).toBe('order-42');
    expect(await w.client.handle('order-42').wait({ timeout: 5_000 })).toBe(8);
  });

  it('wait({ timeout }) gives up with a clear error while the task goes on', async () => {
    const handle = await w.client.send(ExampleTasks, 'blocking', ['waited']);
    await expect(handle.wait({ timeout: 50 })).rejects.toThrow(
      `task ${handle.id} was not ready within 50 ms`,
    );
    release.open();
    expect(await handle.wait({ timeout: 5_000 })).toBe('released');
  });
});

async function waitForDeadLetters(
  w: WorkerApp,
  n: number,
): Promise<Awaited<ReturnType<WorkerApp['runtime']['broker']['deadLetters']>>> {
  // Dead letters have no change notification; each check is one call, bounded in number.
  for (let attempt = 0; attempt < 100; attempt++) {
    const letters = await w.runtime.broker.deadLetters('default');
    if (letters.length >= n) return letters;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`expected ${n} dead letters`);
}
