import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CeleriacModule, TaskClient, TaskState } from '../../../lib/index.js';
import { ChildWorker } from '../redis/support/child-process.js';
import { CrashTasks } from './support/crash-tasks.js';
import { AMQP_URL, deleteByPrefix } from './support/rabbit.js';
import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX_ROOT = 'celeriac-amqp-stack-';
/** Stands in for a ten-minute countdown: the mechanism does not depend on the length (see the ladder unit test). */
const COUNTDOWN_MS = 3_000;
const CRASH_WORKER = new URL('./support/crash-worker.main.ts', import.meta.url);

describe('Celeriac on RabbitMQ (results in Redis): a worker process killed with SIGKILL mid-task', () => {
  let prefix: string;
  let producer: INestApplicationContext | undefined;
  const children: ChildWorker[] = [];

  beforeEach(() => {
    prefix = `${PREFIX_ROOT}${randomUUID()}`;
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.kill()));
    await producer?.close();
    await deleteRedisKeys(prefix, REDIS_URL);
  });
  afterAll(() => deleteByPrefix(PREFIX_ROOT));

  async function startWorker(hang: boolean): Promise<ChildWorker> {
    const env = { AMQP_URL, REDIS_URL, PREFIX: prefix, HANG_ON_TASK: hang ? '1' : '0' };
    const child = ChildWorker.start(CRASH_WORKER, env);
    children.push(child);
    await child.next((e) => e.event === 'listening', 30_000);
    return child;
  }

  it('completes the task on another worker, once', async () => {
    producer = await startProducer(prefix);
    const client = producer.get(TaskClient);

    const doomed = await startWorker(true);
    const handle = await client.send(CrashTasks, 'render', ['42']);
    await doomed.next((e) => e.event === 'started');
    const survivor = await startWorker(false);
    await doomed.kill();

    expect(await handle.wait({ timeout: 20_000 })).toBe(`report 42 rendered by ${survivor.pid}`);
    expect(await handle.state()).toBe(TaskState.SUCCESS);
    const runs = (child: ChildWorker, event: string) => child.events.filter((e) => e.event === event).length;
    expect([runs(doomed, 'started'), runs(doomed, 'finished')]).toEqual([1, 0]);
    expect([runs(survivor, 'started'), runs(survivor, 'finished')]).toEqual([1, 1]);
  }, 60_000);

  it('keeps a countdown in RabbitMQ across a worker restart and runs it when due', async () => {
    producer = await startProducer(prefix);
    const client = producer.get(TaskClient);
    const first = await startWorker(false);
    const sentAt = Date.now();
    const handle = await client.send(CrashTasks, 'render', ['7'], { countdown: COUNTDOWN_MS });
    await first.kill();
    const restarted = await startWorker(false);

    expect(await handle.wait({ timeout: 30_000 })).toBe(`report 7 rendered by ${restarted.pid}`);
    const started = await restarted.next((e) => e.event === 'started');
    expect(Number(started.at) - sentAt).toBeGreaterThanOrEqual(COUNTDOWN_MS - 25);
    expect(first.events.filter((e) => e.event === 'started')).toEqual([]);
  }, 60_000);
});

/** An API-side application: sends tasks and reads results, runs none. */
async function startProducer(prefix: string): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CeleriacModule.forRoot({
        broker: AMQP_URL,
        backend: REDIS_URL,
        prefix,
        producerOnly: true,
        queues: { reports: {} },
        backendOptions: { checkConfig: false },
      }),
    ],
  }).compile();
  return moduleRef.init();
}
