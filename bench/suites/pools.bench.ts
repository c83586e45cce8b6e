import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { NestFactory } from '@nestjs/core';
import { Queue, Worker, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { CeleriacWorker, TaskClient, type PoolKind } from '../../lib/index.js';
import type { BenchRow, BenchSuite } from '../bench.types.js';
import { percentile, since } from '../support/stats.js';
import { burn, calibrate } from './pools/cpu-work.js';
import { PoolBenchTasks, PoolsBenchModule } from './pools/pools-bench.module.js';

const CPU_TASKS = 200;
const TASK_MS = 20;
const WARM_UP = 20;
const NOOP_SAMPLES = 500;
const NOOP_TASKS = 3_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ENTRY = fileURLToPath(new URL('./pools/pools.main.js', import.meta.url));
const PROCESSOR = fileURLToPath(new URL('./pools/bullmq-processor.js', import.meta.url));
const POOLS: PoolKind[] = ['async', 'threads', 'processes'];

interface PoolFigures {
  cpuRate: number;
  noopP50?: number;
  noopPerTask?: number;
}

/** Sends `count` tasks at once and waits for every result; tasks per second. */
async function batch(
  client: TaskClient,
  method: 'cpu' | 'noop',
  arg: number,
  count: number,
): Promise<number> {
  const start = performance.now();
  const handles = await Promise.all(
    Array.from({ length: count }, () => client.send(PoolBenchTasks, method, [arg])),
  );
  await Promise.all(handles.map((handle) => handle.wait()));
  return count / (since(start) / 1000);
}

async function noopLatency(client: TaskClient): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < NOOP_SAMPLES; i++) {
    const start = performance.now();
    await (await client.send(PoolBenchTasks, 'noop', [i])).wait();
    times.push(since(start));
  }
  return percentile(times, 50);
}

async function celeriac(pool: PoolKind, iterations: number, broker?: string): Promise<PoolFigures> {
  const module = PoolsBenchModule.forRoot(pool, { prefix: `bench-${randomUUID()}`, broker, entry: ENTRY });
  const app = await NestFactory.createMicroservice(module, { strategy: new CeleriacWorker(), logger: false });
  await app.listen();
  try {
    const client = app.get(TaskClient);
    await batch(client, 'cpu', iterations, WARM_UP);
    const cpuRate = await batch(client, 'cpu', iterations, CPU_TASKS);
    if (broker) return { cpuRate };
    await noopLatency(client);
    const noopP50 = await noopLatency(client);
    const noopPerTask = 1000 / (await batch(client, 'noop', 0, NOOP_TASKS));
    return { cpuRate, noopP50, noopPerTask };
  } finally {
    await app.close();
  }
}

/** BullMQ on the same work: a processor function, or its sandboxed processors (threads or processes). */
async function bullmq(mode: 'in-process' | 'threads' | 'processes', iterations: number): Promise<number> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `bench-bullmq-${randomUUID()}`;
  const queue = new Queue('cpu', { connection, prefix });
  const inProcess: Processor<{ iterations: number }> = (job) => Promise.resolve(burn(job.data.iterations));
  const processor = mode === 'in-process' ? inProcess : PROCESSOR;
  const worker = new Worker('cpu', processor, {
    connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }),
    prefix,
    concurrency: 2,
    useWorkerThreads: mode === 'threads',
  });
  const run = async (count: number): Promise<number> => {
    let completed = 0;
    const done = new Promise<void>((resolve) => {
      const onCompleted = (): void => {
        if (++completed < count) return;
        worker.off('completed', onCompleted);
        resolve();
      };
      worker.on('completed', onCompleted);
    });
    const start = performance.now();
    await queue.addBulk(Array.from({ length: count }, (_, i) => ({ name: 'cpu', data: { iterations, i } })));
    await done;
    return count / (since(start) / 1000);
  };
  try {
    await run(WARM_UP);
    return await run(CPU_TASKS);
  } finally {
    await worker.close();
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  }
}

async function redisReachable(): Promise<boolean> {
  const client = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function cpuRows(subject: string, where: string, rates: Record<string, number>, base: string): BenchRow[] {
  return Object.entries(rates).map(([name, rate]) => ({
    case: `${CPU_TASKS} CPU tasks of ~${TASK_MS} ms, concurrency 2, ${where}: ${name}`,
    subject,
    value: rate,
    unit: 'tasks/s',
    note: `${(rate / rates[base]).toFixed(2)}× ${base}`,
  }));
}

async function run(): Promise<BenchRow[]> {
  const iterations = calibrate(TASK_MS);
  const embedded: Record<string, PoolFigures> = {};
  for (const pool of POOLS) embedded[pool] = await celeriac(pool, iterations);
  const rows = cpuRows(
    'celeriac',
    'embedded broker',
    mapValues(embedded, (f) => f.cpuRate),
    'async',
  );
  for (const pool of POOLS) {
    const { noopP50, noopPerTask } = embedded[pool];
    const ratio = (value: number, base: number): string => `${(value / base).toFixed(2)}× async`;
    rows.push(
      {
        case: `no-op round trip p50, embedded: ${pool}`,
        subject: 'celeriac',
        value: noopP50!,
        unit: 'ms',
        note: ratio(noopP50!, embedded.async.noopP50!),
      },
      {
        case: `no-op wall time per task (${NOOP_TASKS} at once, concurrency 2), embedded: ${pool}`,
        subject: 'celeriac',
        value: noopPerTask!,
        unit: 'ms',
        note: ratio(noopPerTask!, embedded.async.noopPerTask!),
      },
    );
  }
  if (!(await redisReachable())) return rows;
  const onRedis: Record<string, number> = {};
  for (const pool of POOLS) onRedis[pool] = (await celeriac(pool, iterations, REDIS_URL)).cpuRate;
  rows.push(...cpuRows('celeriac', 'Redis', onRedis, 'async'));
  const baseline: Record<string, number> = {};
  for (const mode of ['in-process', 'threads', 'processes'] as const)
    baseline[mode] = await bullmq(mode, iterations);
  rows.push(...cpuRows('bullmq', 'Redis', baseline, 'in-process'));
  return rows;
}

function mapValues<T, U>(record: Record<string, T>, fn: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}

const suite: BenchSuite = { name: 'pools', run };
export default suite;
