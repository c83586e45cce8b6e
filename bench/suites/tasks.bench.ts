import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { TaskClient } from '../../lib/index.js';
import type { BenchSuite } from '../bench.types.js';
import { NoopTasks, startNoopWorker } from '../support/noop-worker.js';
import { deleteRedisKeys } from '../support/redis-keys.js';
import { since } from '../support/stats.js';
import { rawSubject, throughput as rawThroughput } from './amqp.bench.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const TASKS = 20_000;
const OUTSTANDING = 1_000;
const CONCURRENCY = 50;

/** Runs `one(n)` for n in 0..TASKS-1 with OUTSTANDING in flight; returns completions per second. */
async function lanes(one: (n: number) => Promise<void>): Promise<number> {
  let next = 0;
  const start = performance.now();
  const lane = async (): Promise<void> => {
    while (next < TASKS) await one(next++);
  };
  await Promise.all(Array.from({ length: OUTSTANDING }, lane));
  return TASKS / (since(start) / 1_000);
}

/** Full stack: send → the worker runs the task → its result is stored → `wait()` is woken. */
async function celeriac(broker: string, backend: string): Promise<number> {
  const prefix = `bench-${randomUUID()}`;
  const app = await startNoopWorker({
    broker,
    backend,
    prefix,
    queues: { work: { pool: 'async', concurrency: CONCURRENCY } },
  });
  try {
    const client = app.get(TaskClient);
    return await lanes(async (n) => {
      await (await client.send(NoopTasks, 'noop', [n])).wait();
    });
  } finally {
    await app.close();
    await deleteRedisKeys(prefix, REDIS_URL);
  }
}

/** BullMQ's full stack: add → a worker runs the job → its return value is stored → `waitUntilFinished`. */
async function bullmq(): Promise<number> {
  const prefix = `bench-bull-${randomUUID()}`;
  const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
  const queue = new Queue('work', { connection, prefix });
  const events = new QueueEvents('work', { connection, prefix });
  const worker = new Worker('work', (job) => Promise.resolve(job.data as number), {
    connection,
    prefix,
    concurrency: CONCURRENCY,
  });
  events.setMaxListeners(OUTSTANDING * 2);
  await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
  try {
    return await lanes(async (n) => {
      await (await queue.add('noop', n)).waitUntilFinished(events);
    });
  } finally {
    await Promise.all([worker.close(), events.close()]);
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

async function raw(): Promise<number> {
  const subject = await rawSubject();
  try {
    return await rawThroughput(subject);
  } finally {
    await subject.close();
  }
}

const suite: BenchSuite = {
  name: 'tasks',
  async run() {
    const note = `${TASKS} no-op tasks, ${OUTSTANDING} outstanding, concurrency ${CONCURRENCY}`;
    const onRedis = await celeriac(REDIS_URL, REDIS_URL);
    const bull = await bullmq();
    const onAmqp = await celeriac(AMQP_URL, REDIS_URL);
    const ceiling = await raw();
    return [
      {
        case: 'Redis, full stack: send → run → result stored → caller woken',
        subject: 'celeriac',
        value: onRedis,
        unit: 'tasks/s',
        note: `${note}; ${(onRedis / bull).toFixed(2)}× BullMQ`,
      },
      {
        case: 'Redis, full stack: send → run → result stored → caller woken',
        subject: 'bullmq add + Worker + waitUntilFinished',
        value: bull,
        unit: 'jobs/s',
        note,
      },
      {
        case: 'RabbitMQ + Redis results, full stack',
        subject: 'celeriac',
        value: onAmqp,
        unit: 'tasks/s',
        note: `${note}; ${((onAmqp / ceiling) * 100).toFixed(0)} % of raw amqplib`,
      },
      {
        case: 'RabbitMQ, publish (confirm) + consume (ack), no results',
        subject: 'raw amqplib (ceiling)',
        value: ceiling,
        unit: 'msgs/s',
        note: 'prefetch 50, 1000 unconfirmed',
      },
    ];
  },
};
export default suite;
