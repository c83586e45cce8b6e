import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FlowProducer, QueueEvents, Worker, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { CeleriacModule, CeleriacWorker, chord, group, sig, Task, TaskClient } from '../../lib/index.js';
import type { BenchRow, BenchSuite } from '../bench.types.js';
import { deleteRedisKeys } from '../support/redis-keys.js';
import { since } from '../support/stats.js';

const REDIS_URL = 'redis://127.0.0.1:6379';
const MEMBERS = 1_000;
const CONCURRENCY = 50;
const ROUNDS = 3;

@Injectable()
class FlowTasks {
  @Task({ queue: 'flow' })
  noop(n: number): number {
    return n;
  }

  @Task({ queue: 'flow' })
  join(results: number[]): number {
    return results.length;
  }
}

@Module({})
class FlowModule {
  static forPrefix(prefix: string): DynamicModule {
    return {
      module: FlowModule,
      imports: [
        CeleriacModule.forRoot({
          broker: REDIS_URL,
          prefix,
          queues: { flow: { pool: 'async', concurrency: CONCURRENCY } },
        }),
      ],
      providers: [FlowTasks],
    };
  }
}

async function commandsProcessed(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? NaN);
}

/** Runs `round` ROUNDS times; reports the median time and the commands per member of the median round. */
async function measure(redis: Redis, round: () => Promise<void>): Promise<{ ms: number; perMember: number }> {
  const samples: { ms: number; commands: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const before = await commandsProcessed(redis);
    const start = performance.now();
    await round();
    const ms = since(start);
    samples.push({ ms, commands: (await commandsProcessed(redis)) - before - 1 });
  }
  samples.sort((a, b) => a.ms - b.ms);
  const median = samples[Math.floor(samples.length / 2)];
  return { ms: median.ms, perMember: median.commands / MEMBERS };
}

async function celeriac(redis: Redis): Promise<BenchRow[]> {
  const prefix = `bench-${randomUUID()}`;
  const app = await NestFactory.createMicroservice(FlowModule.forPrefix(prefix), {
    strategy: new CeleriacWorker(),
    logger: false,
  });
  await app.listen();
  const client = app.get(TaskClient);
  const members = (): ReturnType<typeof sig>[] =>
    Array.from({ length: MEMBERS }, (_, n) => sig(FlowTasks, 'noop', n));
  try {
    const joined = await measure(redis, async () => {
      await (await client.apply(group(members()))).wait();
    });
    const chorded = await measure(redis, async () => {
      await (await client.apply(chord(members(), sig(FlowTasks, 'join')))).wait();
    });
    return [
      {
        case: `group of ${MEMBERS} no-ops: send → all joined`,
        subject: 'celeriac group',
        value: joined.ms,
        unit: 'ms',
        note: `${joined.perMember.toFixed(1)} Redis commands/member (broker + backend)`,
      },
      {
        case: `chord of ${MEMBERS} no-ops → callback done`,
        subject: 'celeriac chord',
        value: chorded.ms,
        unit: 'ms',
        note: `${chorded.perMember.toFixed(1)} Redis commands/member (broker + backend)`,
      },
    ];
  } finally {
    await app.close();
    await deleteRedisKeys(prefix, REDIS_URL);
  }
}

async function bullmq(redis: Redis): Promise<BenchRow[]> {
  const prefix = `bench-bull-${randomUUID()}`;
  const connection = { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null };
  const children = new Worker('children', (job) => Promise.resolve(job.data as unknown), {
    connection,
    prefix,
    concurrency: CONCURRENCY,
  });
  const parent = new Worker('parent', async (job) => Object.keys(await job.getChildrenValues()).length, {
    connection,
    prefix,
    concurrency: CONCURRENCY,
  });
  const events = new QueueEvents('parent', { connection, prefix });
  const flows = new FlowProducer({ connection, prefix });
  await Promise.all([children.waitUntilReady(), parent.waitUntilReady(), events.waitUntilReady()]);
  try {
    const flow = await measure(redis, async () => {
      const node = await flows.add({
        name: 'parent',
        queueName: 'parent',
        children: Array.from({ length: MEMBERS }, (_, n) => ({
          name: 'noop',
          queueName: 'children',
          data: n,
        })),
      });
      await node.job.waitUntilFinished(events);
    });
    return [
      {
        case: `chord of ${MEMBERS} no-ops → callback done`,
        subject: 'bullmq flow (parent + 1000 children)',
        value: flow.ms,
        unit: 'ms',
        note: `${flow.perMember.toFixed(1)} Redis commands/member`,
      },
    ];
  } finally {
    await Promise.all([children.close(), parent.close(), events.close(), flows.close()]);
    for (const name of ['children', 'parent']) {
      const queue = new Queue(name, { connection, prefix });
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  }
}

const suite: BenchSuite = {
  name: 'workflows',
  async available() {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      return true;
    } catch {
      return `no Redis at ${REDIS_URL}`;
    } finally {
      redis.disconnect();
    }
  },
  async run() {
    const redis = new Redis(REDIS_URL);
    try {
      return [...(await celeriac(redis)), ...(await bullmq(redis))];
    } finally {
      redis.disconnect();
    }
  },
};
export default suite;
