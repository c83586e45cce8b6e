import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CeleriacModule,
  CeleriacRuntime,
  CeleriacWorker,
  Task,
  TaskClient,
  type TaskEvent,
  TaskState,
} from '../../../lib/index.js';
import { MemoryBroker } from '../../../lib/brokers/memory/memory.broker.js';
import { gate, reached, startWorkerApp } from '../../support/worker-app.js';

const log: string[] = [];
let inFlight = 0;
let maxInFlight = 0;
let hold = gate<void>();
const starts: number[] = [];

@Injectable()
class QueueTasks {
  @Task({ queue: 'serial' })
  async step(n: number): Promise<number> {
    log.push(`start ${n}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
    log.push(`end ${n}`);
    return n;
  }

  @Task({ queue: 'io' })
  async wide(n: number): Promise<number> {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await hold.promise;
    inFlight--;
    return n;
  }

  @Task({ queue: 'io', rateLimit: '20/s' })
  limited(): number {
    starts.push(Date.now());
    return starts.length;
  }

  @Task({ queue: 'io' })
  async lingering(): Promise<string> {
    await hold.promise;
    return 'finished';
  }
}

/** Reads a queue's size through a separate client of the same embedded broker. */
async function queueSize(prefix: string, queue: string): Promise<number> {
  const broker = new MemoryBroker({ url: 'memory://', prefix });
  await broker.connect();
  try {
    return await broker.size(queue);
  } finally {
    await broker.close();
  }
}

const queues = { serial: { pool: 'solo' as const }, io: { pool: 'async' as const, concurrency: 3 } };

describe('CeleriacWorker', () => {
  beforeEach(() => {
    log.length = 0;
    starts.length = 0;
    inFlight = maxInFlight = 0;
    hold = gate();
  });

  it('a solo queue runs one task at a time, in publish order', async () => {
    const w = await startWorkerApp([QueueTasks], { queues });
    try {
      const handles = [];
      for (let n = 1; n <= 5; n++) handles.push(await w.client.send(QueueTasks, 'step', [n]));
      expect(await Promise.all(handles.map((h) => h.wait({ timeout: 5_000 })))).toEqual([1, 2, 3, 4, 5]);
      expect(log).toEqual([1, 2, 3, 4, 5].flatMap((n) => [`start ${n}`, `end ${n}`]));
    } finally {
      await w.close();
    }
  });

  it('an async queue runs up to its concurrency at once, never more', async () => {
    const w = await startWorkerApp([QueueTasks], { queues });
    try {
      const handles = await Promise.all(
        [1, 2, 3, 4, 5, 6].map((n) => w.client.send(QueueTasks, 'wide', [n])),
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(maxInFlight).toBe(3);
      hold.open();
      expect(await Promise.all(handles.map((h) => h.wait({ timeout: 5_000 })))).toEqual([1, 2, 3, 4, 5, 6]);
      expect(maxInFlight).toBe(3);
    } finally {
      hold.open();
      await w.close();
    }
  });

  it('a rate limit spaces task starts on the worker', async () => {
    const w = await startWorkerApp([QueueTasks], { queues });
    try {
      const sentAt = Date.now();
      const handles = await Promise.all([1, 2, 3, 4].map(() => w.client.send(QueueTasks, 'limited', [])));
      await Promise.all(handles.map((h) => h.wait({ timeout: 5_000 })));
      // 20/s books one start every 50 ms from the first reservation, which comes after `sentAt`. A
      // busy machine only makes a start later than its slot, never earlier (timers may fire a
      // millisecond early), so the k-th start is at least k × 50 ms after the sends began.
      starts.sort((a, b) => a - b);
      starts.forEach((at, k) => expect(at - sentAt).toBeGreaterThanOrEqual(k * 50 - 2));
    } finally {
      await w.close();
    }
  });

  it('graceful shutdown requeues what did not finish within the grace period', async () => {
    const w = await startWorkerApp([QueueTasks], { queues, trackStarted: true }, { shutdownGraceMs: 50 });
    const handle = await w.client.send(QueueTasks, 'lingering', []);
    await reached(handle, TaskState.STARTED);
    await w.close();
    expect(await queueSize(w.prefix, 'io')).toBe(1);
    // Another worker on the same embedded broker picks it up and finishes it.
    const next = await startWorkerApp([QueueTasks], { queues, prefix: w.prefix });
    try {
      hold.open();
      expect(await next.client.handle(handle.id).wait({ timeout: 5_000 })).toBe('finished');
    } finally {
      await next.close();
    }
  });

  it('a redelivered task is announced with task-received again, with its delivery count', async () => {
    const w = await startWorkerApp([QueueTasks], { queues, trackStarted: true }, { shutdownGraceMs: 50 });
    const first: TaskEvent[] = [];
    w.runtime.events.on('task', (event) => first.push(event));
    const handle = await w.client.send(QueueTasks, 'lingering', []);
    await reached(handle, TaskState.STARTED);
    await w.close();
    // Listening starts the redelivery at once, so the listener goes on before listen().
    const moduleRef = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({ queues, prefix: w.prefix })],
      providers: [QueueTasks],
    }).compile();
    const next = moduleRef.createNestMicroservice({ strategy: new CeleriacWorker(), logger: false });
    const again: TaskEvent[] = [];
    next.get(CeleriacRuntime).events.on('task', (event) => again.push(event));
    await next.listen();
    try {
      hold.open();
      expect(await next.get(TaskClient).handle(handle.id).wait({ timeout: 5_000 })).toBe('finished');
      const types = (events: TaskEvent[]) => events.filter((e) => e.id === handle.id).map((e) => e.type);
      // task-sent is the sender's (here the same process), confirmed once the broker took it.
      expect(types(first).filter((type) => type !== 'task-sent')).toEqual(['task-received', 'task-started']);
      expect(types(again)).toEqual(['task-received', 'task-started', 'task-succeeded']);
    } finally {
      await next.close();
    }
  });

  it('graceful shutdown lets running tasks finish within the grace period', async () => {
    const w = await startWorkerApp([QueueTasks], { queues, trackStarted: true }, { shutdownGraceMs: 5_000 });
    const handle = await w.client.send(QueueTasks, 'lingering', []);
    await reached(handle, TaskState.STARTED);
    const closed = w.close();
    setTimeout(() => hold.open(), 30);
    await closed;
    expect(await queueSize(w.prefix, 'io')).toBe(0);
    const reader = await startWorkerApp([], { queues, prefix: w.prefix });
    try {
      expect(await reader.client.handle(handle.id).info()).toMatchObject({
        state: TaskState.SUCCESS,
        result: 'finished',
      });
    } finally {
      await reader.close();
    }
  });

  it('a worker consumes only the queues it is given', async () => {
    const w = await startWorkerApp([QueueTasks], { queues }, { queues: ['serial'] });
    try {
      const io = await w.client.send(QueueTasks, 'limited', []);
      const serial = await w.client.send(QueueTasks, 'step', [7]);
      expect(await serial.wait({ timeout: 5_000 })).toBe(7);
      expect(await io.state()).toBe(TaskState.PENDING);
      expect(await w.runtime.broker.size('io')).toBe(1);
    } finally {
      await w.close();
    }
  });

  it('tells a health check its phase and whether each queue it consumes has a live consumer', async () => {
    expect(new CeleriacWorker().consumers()).toEqual({ phase: 'starting', queues: [] });
    const w = await startWorkerApp([QueueTasks], { queues }, { queues: ['serial'] });
    expect(w.worker.consumers()).toEqual({
      phase: 'consuming',
      queues: [{ queue: 'serial', liveness: { alive: true } }],
    });
    await w.close();
    expect(w.worker.consumers()).toEqual({ phase: 'closing', queues: [] });
  });

  it('refuses to start on an unknown queue', async () => {
    await expect(startWorkerApp([QueueTasks], { queues }, { queues: ['nope'] })).rejects.toThrow(
      'CeleriacWorker: unknown queue(s) nope (configured: serial, io)',
    );
  });

  it('producer-only nodes send; a worker app on the same broker runs the task', async () => {
    const prefix = `test-${randomUUID()}`;
    const producer = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({ prefix, queues, producerOnly: true })],
    }).compile();
    await producer.init();
    const w = await startWorkerApp([QueueTasks], { queues, prefix });
    try {
      const handle = await producer
        .get(TaskClient)
        .sendByName<number>('QueueTasks.step', [9], { queue: 'serial' });
      expect(await handle.wait({ timeout: 5_000 })).toBe(9);
    } finally {
      await w.close();
      await producer.close();
    }
  });

  it('a producer-only module refuses to run a worker, saying why', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({ prefix: `test-${randomUUID()}`, producerOnly: true })],
    }).compile();
    const app = moduleRef.createNestMicroservice({ strategy: new CeleriacWorker(), logger: false });
    await expect(app.listen()).rejects.toThrow(/producer-only/);
    await app.close();
  });
});
