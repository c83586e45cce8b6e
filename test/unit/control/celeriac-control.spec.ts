import { jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import {
  CeleriacControl,
  CeleriacEvents,
  ControlTimeoutError,
  currentTask,
  Task,
  TaskEvents,
  TaskState,
  type CeleriacEvent,
  type TaskEvent,
} from '../../../lib/index.js';
import { ControlPlaneConnection } from '../../../lib/control/control-plane.connection.js';
import { gate, reached, startWorkerApp, type WorkerApp } from '../../support/worker-app.js';

let running = gate();
let release = gate();

@Injectable()
class ControlledTasks {
  @Task()
  async hold(): Promise<string> {
    running.open();
    const { signal } = currentTask();
    await Promise.race([
      release.promise,
      new Promise((resolve) => signal.addEventListener('abort', resolve)),
    ]);
    return 'released';
  }

  @Task({ rateLimit: '1/h' })
  limited(): string {
    return 'ran';
  }

  @Task()
  async reports(): Promise<string> {
    await currentTask().progress({ done: 1 });
    return 'reported';
  }
}

describe('CeleriacControl and CeleriacEvents on the embedded broker', () => {
  let w: WorkerApp;
  let control: CeleriacControl;
  let events: CeleriacEvents;
  let shutdowns = 0;

  beforeEach(async () => {
    running = gate();
    release = gate();
    w = await startWorkerApp(
      [ControlledTasks],
      { events: true, queues: { default: { pool: 'async', concurrency: 4 } } },
      { name: 'alpha', heartbeatMs: 200, onShutdownRequest: () => void shutdowns++ },
    );
    control = w.app.get(CeleriacControl);
    events = w.app.get(CeleriacEvents);
  });

  afterEach(async () => {
    release.open();
    await w.close();
  });

  it('ping: each worker answers with its id; a call to a worker that is gone times out naming it', async () => {
    expect(await control.ping({ limit: 1 })).toEqual([{ worker: 'alpha', ok: true, value: 'pong' }]);
    expect(await control.ping({ destination: 'alpha' })).toHaveLength(1);
    const gone = control.ping({ destination: ['alpha', 'ghost'], timeoutMs: 200 });
    await expect(gone).rejects.toThrow(ControlTimeoutError);
    await expect(gone).rejects.toThrow(/no reply from "ghost" within 200 ms/);
  });

  it('inspect: active, reserved, scheduled, registered, stats, queues, conf', async () => {
    const handle = await w.client.send(ControlledTasks, 'hold', []);
    const limitedFirst = await w.client.send(ControlledTasks, 'limited', []);
    await limitedFirst.wait({ timeout: 5_000 });
    const limitedSecond = await w.client.send(ControlledTasks, 'limited', []);
    await running.promise;
    await reached(limitedSecond, TaskState.RECEIVED);

    const [active] = await control.active({ limit: 1 });
    expect(active).toMatchObject({ worker: 'alpha', ok: true });
    expect(active.ok && active.value.map((task) => task.id)).toEqual([handle.id]);
    expect(active.ok && active.value[0]).toMatchObject({ task: 'ControlledTasks.hold', phase: 'active' });
    const [scheduled] = await control.scheduled({ limit: 1 });
    expect(scheduled.ok && scheduled.value.map((task) => task.id)).toEqual([limitedSecond.id]);
    expect(scheduled.ok && scheduled.value[0].eta).toBeGreaterThan(Date.now());
    const [reserved] = await control.reserved({ limit: 1 });
    expect(reserved.ok && reserved.value).toEqual([]);

    const [registered] = await control.registered({ limit: 1 });
    expect(registered.ok && registered.value).toEqual(
      expect.arrayContaining([
        { name: 'ControlledTasks.limited', queue: 'default', retries: 0, rateLimit: '1/h' },
      ]),
    );
    const [stats] = await control.stats({ limit: 1 });
    expect(stats.ok && stats.value).toMatchObject({
      worker: 'alpha',
      pid: process.pid,
      active: 2,
      queues: [{ queue: 'default', pool: 'async', concurrency: 4, held: 2 }],
    });
    expect(stats.ok && stats.value.processed).toBeGreaterThanOrEqual(1);
    const [conf] = await control.conf({ limit: 1 });
    expect(conf.ok && conf.value).toMatchObject({ events: true, heartbeatMs: 200, prefix: w.prefix });
    expect(conf.ok && conf.value.queues.default).toEqual({ pool: 'async', concurrency: 4, consuming: true });
  });

  it('rateLimit and timeLimit change at run time; bad arguments get an error reply, not a crash', async () => {
    const [changed] = await control.rateLimit('ControlledTasks.limited', null, { limit: 1 });
    expect(changed).toEqual({
      worker: 'alpha',
      ok: true,
      value: { task: 'ControlledTasks.limited', rate: null },
    });
    const runs = await Promise.all([1, 2, 3].map(() => w.client.send(ControlledTasks, 'limited', [])));
    for (const run of runs) expect(await run.wait({ timeout: 5_000 })).toBe('ran');

    const [unknown] = await control.rateLimit('Nope.task', '1/s', { limit: 1 });
    expect(unknown).toEqual({ worker: 'alpha', ok: false, error: 'unknown task "Nope.task" on this worker' });
    const [bad] = await control.rateLimit('ControlledTasks.limited', 'fast', { limit: 1 });
    expect(bad.ok === false && bad.error).toMatch(/is not a rate limit/);

    await control.timeLimit('ControlledTasks.hold', 50, { limit: 1 });
    const timed = await w.client.send(ControlledTasks, 'hold', []);
    await expect(timed.wait({ timeout: 5_000 })).rejects.toThrow(/time limit/i);
    const [registered] = await control.registered({ limit: 1 });
    expect(
      registered.ok && registered.value.find((task) => task.name === 'ControlledTasks.hold'),
    ).toMatchObject({
      timeLimit: 50,
    });
  });

  it('poolResize changes the concurrency; a bad size or queue is an error reply', async () => {
    const [resized] = await control.poolResize('default', 9, { limit: 1 });
    expect(resized).toEqual({
      worker: 'alpha',
      ok: true,
      value: { queue: 'default', pool: 'async', concurrency: 9, held: 0 },
    });
    const [zero] = await control.poolResize('default', 0, { limit: 1 });
    expect(zero.ok === false && zero.error).toMatch(/at least 1/);
    const [unknown] = await control.cancelConsumer('', { limit: 1 });
    expect(unknown.ok).toBe(false);
  });

  it('cancelConsumer stops taking tasks from a queue and addConsumer starts again', async () => {
    await control.cancelConsumer('default', { limit: 1 });
    const [conf] = await control.conf({ limit: 1 });
    expect(conf.ok && conf.value.queues.default.consuming).toBe(false);
    const handle = await w.client.send(ControlledTasks, 'limited', []);
    expect(await w.runtime.broker.size('default')).toBe(1);
    await control.addConsumer('default', { limit: 1 });
    expect(await handle.wait({ timeout: 5_000 })).toBe('ran');
  });

  it('revoke aborts a running task; the worker records REVOKED and says it held it', async () => {
    const handle = await w.client.send(ControlledTasks, 'hold', []);
    await running.promise;
    const [reply] = await control.revoke(handle.id, { limit: 1 });
    expect(reply).toEqual({ worker: 'alpha', ok: true, value: { held: [handle.id] } });
    expect((await handle.waitForRecord({ timeout: 5_000 })).state).toBe(TaskState.REVOKED);
  });

  it('a malformed control message is logged and dropped; the worker keeps answering', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const plane = await w.app.get(ControlPlaneConnection).get();
      await plane.control.broadcast('not json {');
      await plane.control.broadcast(JSON.stringify({ v: 1, id: 'x', command: 'ping', destination: 'alpha' }));
      expect(await control.ping({ limit: 1 })).toEqual([{ worker: 'alpha', ok: true, value: 'pong' }]);
      const warned = warn.mock.calls.map((call) => String(call[0]));
      expect(warned).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/ignored a control message: malformed control message: not JSON/),
          expect.stringMatching(/"destination" must be an array/),
        ]),
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('an unknown command is an error reply', async () => {
    expect(await control.call('frobnicate', {}, { limit: 1 })).toEqual([
      { worker: 'alpha', ok: false, error: 'unknown control command "frobnicate"' },
    ]);
  });

  it('events: each task’s events in order, with id, name, queue, worker and time; an Observable too', async () => {
    const seen: CeleriacEvent[] = [];
    const stop = await events.subscribe({ types: ['task-*'] }, (event) => seen.push(event));
    const observed: CeleriacEvent[] = [];
    const subscription = events
      .observe({ types: ['task-succeeded'] })
      .subscribe((event) => observed.push(event));
    try {
      const handle = await w.client.send(ControlledTasks, 'reports', []);
      expect(await handle.wait({ timeout: 5_000 })).toBe('reported');
      await until(() => observed.length === 1 && seen.some((e) => e.type === 'task-succeeded'));
      const ofTask = seen.filter((event) => 'id' in event && event.id === handle.id);
      // task-sent comes from the sender (this process), in its own order beside the worker's.
      expect(ofTask.filter((event) => event.type === 'task-sent')).toHaveLength(1);
      const mine = ofTask.filter((event) => event.type !== 'task-sent');
      expect(mine.map((event) => event.type)).toEqual([
        'task-received',
        'task-started',
        'task-progress',
        'task-succeeded',
      ]);
      expect(mine[1]).toMatchObject({
        task: 'ControlledTasks.reports',
        queue: 'default',
        worker: 'alpha',
        pid: process.pid,
      });
      expect(mine[2]).toMatchObject({ progress: { done: 1 } });
      expect(typeof mine[3].at).toBe('number');
      expect(observed[0]).toMatchObject({ id: handle.id, type: 'task-succeeded' });
    } finally {
      subscription.unsubscribe();
      await stop();
    }
  });

  it('the in-process TaskEvents listeners get the event the bus carries, with its origin and sequence', async () => {
    const local: TaskEvent[] = [];
    const listener = (event: TaskEvent): void => void local.push(event);
    w.app.get(TaskEvents).on('task', listener);
    const seen: CeleriacEvent[] = [];
    const stop = await events.subscribe({ types: ['task-succeeded'] }, (event) => seen.push(event));
    try {
      const handle = await w.client.send(ControlledTasks, 'limited', []);
      await handle.wait({ timeout: 5_000 });
      await until(() => seen.some((e) => 'id' in e && e.id === handle.id));
      const onBus = seen.find((e) => 'id' in e && e.id === handle.id)!;
      const inProcess = local.find((e) => e.id === handle.id && e.type === 'task-succeeded')!;
      expect(inProcess).toEqual({ ...onBus });
      expect(inProcess).toMatchObject({ pid: process.pid, worker: 'alpha' });
    } finally {
      w.app.get(TaskEvents).off('task', listener);
      await stop();
    }
  });

  it('workers(): the registry knows the worker from its heartbeats, and offline after it closed', async () => {
    const workers = await control.workers({ waitMs: 300 });
    expect(workers).toEqual([expect.objectContaining({ worker: 'alpha', state: 'online', freq: 200 })]);
    const offline = new Promise<void>((resolve) =>
      events.registry.onChange((info) => info.state === 'offline' && resolve()),
    );
    await w.worker.close();
    await offline;
    expect(events.registry.get('alpha')?.state).toBe('offline');
  });

  it('shutdown: the worker replies, drains, then runs its shutdown request', async () => {
    const before = shutdowns;
    expect(await control.shutdown({ limit: 1 })).toEqual([
      { worker: 'alpha', ok: true, value: { shuttingDown: true } },
    ]);
    await until(() => shutdowns === before + 1);
    expect(await control.ping({ timeoutMs: 200 })).toEqual([]);
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
