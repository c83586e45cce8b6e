import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CeleriacControl,
  CeleriacEvents,
  CeleriacModule,
  ControlTimeoutError,
  TaskClient,
  TaskState,
  type CeleriacEvent,
  type CeleriacTaskEvent,
  type TaskHandle,
} from '../../../lib/index.js';
import { ChildWorker } from '../redis/support/child-process.js';
import { REDIS_URL } from '../redis/support/redis-env.js';
import { ControlTasks } from '../../fixtures/control/control-tasks.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';

const NAMES = ['w1', 'w2', 'w3'];
const HEARTBEAT_MS = 500;
// Three processes (and their thread children) boot at once on a machine that may be busy.
const BOOT_MS = 120_000;

/** Every event the test process heard, and waiters for what it has not heard yet. */
class EventLog {
  readonly events: CeleriacEvent[] = [];
  private readonly waiters = new Set<() => void>();

  push = (event: CeleriacEvent): void => {
    this.events.push(event);
    for (const waiter of [...this.waiters]) waiter();
  };

  taskEvents(id: string): CeleriacTaskEvent[] {
    return this.events.filter(
      (e): e is CeleriacTaskEvent => !e.type.startsWith('worker-') && 'id' in e && e.id === id,
    );
  }

  until(what: string, condition: () => boolean, ms = 30_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${what}: not within ${ms} ms`));
      }, ms);
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }
}

/**
 * Three worker processes on one broker, steered from this process through `CeleriacControl` and
 * watched through `CeleriacEvents`. The scenarios run in order on the same workers: the last ones
 * shut one down and kill another.
 */
export function describeControlPlane(
  name: string,
  brokerUrl: string,
  cleanup: (prefix: string) => Promise<void>,
) {
  describe(`control plane with three worker processes: ${name}`, () => {
    const prefix = `celeriac-control-${randomUUID()}`;
    const workers = new Map<string, ChildWorker>();
    const log = new EventLog();
    let app: INestApplicationContext;
    let control: CeleriacControl;
    let client: TaskClient;
    let stopEvents: () => Promise<void>;

    beforeAll(async () => {
      const moduleRef = await Test.createTestingModule({
        imports: [
          CeleriacModule.forRoot({
            broker: brokerUrl,
            backend: REDIS_URL,
            prefix,
            producerOnly: true,
            events: true,
            queues: { io: {}, cpu: { pool: 'threads', concurrency: 1 } },
            brokerOptions: brokerUrl.startsWith('redis') ? { checkConfig: false } : {},
            backendOptions: { checkConfig: false },
          }),
        ],
        providers: [ControlTasks],
      }).compile();
      app = await moduleRef.init();
      control = app.get(CeleriacControl);
      client = app.get(TaskClient);
      const events = app.get(CeleriacEvents);
      stopEvents = await events.subscribe(log.push);
      const env = {
        BROKER_URL: brokerUrl,
        REDIS_URL,
        PREFIX: prefix,
        HEARTBEAT_MS: String(HEARTBEAT_MS),
      };
      // Compiled: the worker's thread children re-enter its entry, and they load JavaScript only.
      const entry = pathToFileURL(await compiledEntry('test/fixtures/control/control-worker.main.ts'));
      // The children start from a jest process: name their entry, which the runner's argv[1] is not.
      Object.assign(env, { CELERIAC_POOL_ENTRY: fileURLToPath(entry) });
      for (const worker of NAMES)
        workers.set(worker, ChildWorker.start(entry, { ...env, WORKER_NAME: worker }));
      await Promise.all(
        [...workers.values()].map((child) => child.next((e) => e.event === 'listening', BOOT_MS)),
      );
    }, BOOT_MS + 10_000);

    afterAll(async () => {
      await Promise.allSettled([...workers.values()].map((child) => child.kill()));
      await stopEvents?.();
      await app?.close();
      await cleanup(prefix);
    }, 60_000);

    const started = (handle: TaskHandle) =>
      log.until(`task ${handle.id} started`, () =>
        log.taskEvents(handle.id).some((e) => e.type === 'task-started'),
      );

    it('ping gets three replies, one per worker', async () => {
      const replies = await control.ping({ destination: NAMES, timeoutMs: 5_000 });
      expect(replies.map((reply) => reply.worker).sort()).toEqual(NAMES);
      expect(replies.every((reply) => reply.ok && reply.value === 'pong')).toBe(true);
    });

    it('inspect active lists exactly the running task ids', async () => {
      const handles = await Promise.all([1, 2, 3, 4].map(() => client.send(ControlTasks, 'hold', [60_000])));
      await Promise.all(handles.map(started));
      const replies = await control.active({ destination: NAMES, timeoutMs: 5_000 });
      const running = replies.flatMap((reply) => (reply.ok ? reply.value.map((task) => task.id) : []));
      expect(running.sort()).toEqual(handles.map((handle) => handle.id).sort());
      await control.revoke(
        handles.map((handle) => handle.id),
        { destination: NAMES, timeoutMs: 5_000 },
      );
      for (const handle of handles)
        expect((await handle.waitForRecord({ timeout: 10_000 })).state).toBe(TaskState.REVOKED);
    });

    it('rateLimit at run time spaces the starts of a task on each worker', async () => {
      const spacing = 400;
      const replies = await control.rateLimit('ControlTasks.tick', `${1_000 / spacing}/s`, {
        destination: NAMES,
        timeoutMs: 5_000,
      });
      expect(replies.every((reply) => reply.ok)).toBe(true);
      const sendsBegan = Date.now();
      const handles = await Promise.all(
        Array.from({ length: 9 }, (_, n) => client.send(ControlTasks, 'tick', [n])),
      );
      await Promise.all(handles.map((handle) => handle.wait({ timeout: 30_000 })));
      // Events travel apart from results: a result can be read before its task's events arrive.
      await Promise.all(handles.map(started));
      const starts = handles.map((handle) =>
        log.taskEvents(handle.id).find((e) => e.type === 'task-started')!,
      );
      for (const worker of NAMES) {
        // A busy machine only delays starts: the k-th start on a worker comes at least k slots after
        // the sends began (its first slot is free at once).
        const times = starts
          .filter((e) => e.worker === worker)
          .map((e) => e.at)
          .sort((a, b) => a - b);
        times.forEach((at, k) => expect(at - sendsBegan).toBeGreaterThanOrEqual(k * spacing - 5));
      }
      await control.rateLimit('ControlTasks.tick', null, { destination: NAMES, timeoutMs: 5_000 });
    });

    it('poolResize changes concurrency: one worker then runs five tasks of the queue at once', async () => {
      const [w1, ...others] = NAMES;
      for (const worker of others)
        await control.cancelConsumer('io', { destination: worker, timeoutMs: 5_000 });
      const [resized] = await control.poolResize('io', 5, { destination: w1, timeoutMs: 5_000 });
      expect(resized).toMatchObject({
        worker: w1,
        ok: true,
        value: { queue: 'io', pool: 'async', concurrency: 5 },
      });
      const handles = await Promise.all(
        [1, 2, 3, 4, 5].map(() => client.send(ControlTasks, 'hold', [60_000])),
      );
      await Promise.all(handles.map(started));
      const [active] = await control.active({ destination: w1, timeoutMs: 5_000 });
      expect(active.ok && active.value.length).toBe(5);
      await control.revoke(
        handles.map((handle) => handle.id),
        { destination: NAMES, timeoutMs: 5_000 },
      );
      await Promise.all(handles.map((handle) => handle.waitForRecord({ timeout: 10_000 })));
      for (const worker of others) await control.addConsumer('io', { destination: worker, timeoutMs: 5_000 });
    });

    it('revoke with terminate kills a threads task that never yields', async () => {
      const handle = await client.send(ControlTasks, 'spin', []);
      await started(handle);
      const replies = await control.revoke(handle.id, {
        terminate: true,
        destination: NAMES,
        timeoutMs: 5_000,
      });
      expect(replies.filter((reply) => reply.ok && reply.value.held.includes(handle.id))).toHaveLength(1);
      const record = await handle.waitForRecord({ timeout: 20_000 });
      expect(record.state).toBe(TaskState.REVOKED);
    });

    it('a subscriber sees every task’s events in order per task for 1 000 tasks', async () => {
      const handles: TaskHandle[] = [];
      for (let n = 0; n < 1_000; n += 100) {
        handles.push(
          ...(await Promise.all(
            Array.from({ length: 100 }, (_, i) => client.send(ControlTasks, 'quick', [n + i])),
          )),
        );
      }
      const ids = new Set(handles.map((handle) => handle.id));
      const done = (): number =>
        log.events.filter((e) => e.type === 'task-succeeded' && 'id' in e && ids.has(e.id!)).length;
      await log.until('1 000 task-succeeded events', () => done() === 1_000, 120_000);
      await log.until(
        '1 000 task-sent events',
        () => log.events.filter((e) => e.type === 'task-sent' && ids.has(e.id!)).length === 1_000,
      );
      for (const handle of handles) {
        const own = log.taskEvents(handle.id);
        // The worker's events of a task arrive in the order they happened; task-sent comes from this process.
        expect(own.filter((e) => e.type !== 'task-sent').map((e) => e.type)).toEqual([
          'task-received',
          'task-started',
          'task-succeeded',
        ]);
        expect(own.filter((e) => e.type === 'task-sent')).toHaveLength(1);
        const [received, startedEvent, succeeded] = own.filter((e) => e.type !== 'task-sent');
        expect(startedEvent.seq).toBeGreaterThan(received.seq);
        expect(succeeded.seq).toBeGreaterThan(startedEvent.seq);
        expect(succeeded).toMatchObject({
          task: 'ControlTasks.quick',
          queue: 'io',
          worker: startedEvent.worker,
        });
      }
    }, 180_000);

    it('shutdown of one worker leaves the other two serving', async () => {
      const [replied] = await control.shutdown({ destination: 'w3', timeoutMs: 5_000 });
      expect(replied).toMatchObject({ worker: 'w3', ok: true });
      await workers.get('w3')!.exit();
      const replies = await control.ping({ timeoutMs: 1_500 });
      expect(replies.map((reply) => reply.worker).sort()).toEqual(['w1', 'w2']);
      const handle = await client.send(ControlTasks, 'quick', [7]);
      expect(await handle.wait({ timeout: 10_000 })).toBe(7);
      const [info] = (await control.workers({ waitMs: 0 })).filter((worker) => worker.worker === 'w3');
      expect(info.state).toBe('offline');
    });

    it('kill -9 of a worker: it drops out of the registry after missed heartbeats; calls to it time out', async () => {
      await control.workers({ waitMs: HEARTBEAT_MS * 2 });
      const events = app.get(CeleriacEvents);
      const lost = new Promise<number>((resolve) =>
        events.registry.onChange(
          (info) => info.worker === 'w2' && info.state === 'lost' && resolve(Date.now()),
        ),
      );
      await workers.get('w2')!.kill();
      const killedAt = Date.now();
      const lostAt = await lost;
      expect(lostAt - killedAt).toBeLessThan(HEARTBEAT_MS * 3 + 5_000);
      expect(
        (await control.workers()).filter((info) => info.state === 'online').map((info) => info.worker),
      ).toEqual(['w1']);
      await expect(control.ping({ destination: 'w2', timeoutMs: 500 })).rejects.toThrow(ControlTimeoutError);
      await expect(control.ping({ destination: 'w2', timeoutMs: 500 })).rejects.toThrow(/"w2"/);
    });
  });
}
