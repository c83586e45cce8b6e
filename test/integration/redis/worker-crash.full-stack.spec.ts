import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { CeleriacModule, TaskClient, TaskState } from '../../../lib/index.js';
import { ChildWorker } from './support/child-process.js';
import { CrashTasks } from './support/crash-tasks.js';
import { deleteKeys, inspector, REDIS_URL } from './support/redis-env.js';
import { sleep } from './support/wait.js';

const LEASE_MS = 1_000;
const MAX_DELIVERIES = 2;
const CRASH_WORKER = new URL('./support/crash-worker.main.ts', import.meta.url);

describe('Celeriac on Redis: a worker process killed with SIGKILL mid-task', () => {
  let prefix: string;
  let redis: Redis;
  let producer: INestApplicationContext | undefined;
  const children: ChildWorker[] = [];

  beforeEach(() => {
    prefix = `celeriac-test-${randomUUID()}`;
    redis = inspector();
  });

  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.kill()));
    await producer?.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  /** A `die` worker may take the task and die before it reports listening: it is awaited by its exit. */
  async function startWorker(mode: 'hang' | 'die' | 'run'): Promise<ChildWorker> {
    const env = {
      REDIS_URL,
      PREFIX: prefix,
      LEASE_MS: String(LEASE_MS),
      RUNS_KEY: `${prefix}:runs`,
      TASK_MODE: mode,
      MAX_DELIVERIES: String(MAX_DELIVERIES),
    };
    const child = ChildWorker.start(CRASH_WORKER, env);
    children.push(child);
    if (mode !== 'die') await child.next((e) => e.event === 'listening', 30_000);
    return child;
  }

  async function startProducer(): Promise<TaskClient> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CeleriacModule.forRoot({
          broker: REDIS_URL,
          prefix,
          producerOnly: true,
          queues: { reports: {} },
          brokerOptions: { checkConfig: false },
          backendOptions: { checkConfig: false },
        }),
      ],
    }).compile();
    producer = await moduleRef.init();
    return producer.get(TaskClient);
  }

  it('completes the task on another worker, once, after the lease', async () => {
    const client = await startProducer();

    const doomed = await startWorker('hang');
    const handle = await client.send(CrashTasks, 'render', ['42']);
    await doomed.next((e) => e.event === 'started');
    const survivor = await startWorker('run');
    await doomed.kill();

    expect(await handle.wait({ timeout: 20_000 })).toBe(`report 42 rendered by ${survivor.pid}`);
    await sleep(LEASE_MS * 2);
    expect(await redis.lrange(`${prefix}:runs`, 0, -1)).toEqual([String(doomed.pid), String(survivor.pid)]);
    expect(await handle.state()).toBe(TaskState.SUCCESS);
  }, 60_000);

  it('fails and dead-letters a task that kills every worker it runs on, after maxDeliveries', async () => {
    const client = await startProducer();
    const handle = await client.send(CrashTasks, 'render', ['poison']);
    for (let delivery = 1; delivery <= MAX_DELIVERIES; delivery++) {
      const victim = await startWorker('die');
      await victim.exit();
    }
    await startWorker('run');

    const record = await handle.waitForRecord({ timeout: 20_000 });
    expect(record.state).toBe(TaskState.FAILURE);
    expect(record.error?.message).toBe(
      `delivered ${MAX_DELIVERIES + 1} times without an outcome (the worker running it died or hung)`,
    );
    expect(await redis.llen(`${prefix}:runs`)).toBe(MAX_DELIVERIES);
    // The FAILURE is stored first, then the message is dead-lettered: give the second step its moment.
    let letters: string[] = [];
    for (let attempt = 0; attempt < 100 && letters.length === 0; attempt++) {
      letters = await redis.lrange(`{${prefix}:reports}:dead`, 0, -1);
      if (letters.length === 0) await sleep(20);
    }
    const [letter] = letters.map((raw) => JSON.parse(raw) as { reason: string });
    expect(letter.reason).toBe(record.error?.message);
  }, 60_000);
});
