import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type DynamicModule, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleriacModule, CeleriacWorker, Task, TaskClient, type TaskHandle } from '../../lib/index.js';
import type { BenchRow, BenchSuite } from '../bench.types.js';
import { CommandCounter, withOwnRedis } from '../support/own-redis.js';
import { since } from '../support/stats.js';

/**
 * What a global rate limit costs per task: the same no-op task with and without
 * `rateLimit: { limit, scope: 'global' }`, the limit far above what one worker reaches so it never
 * makes a task wait — what is measured is the check itself (one Lua script in Redis per start).
 * Throughput and Redis commands per task (counted by the server, scripts' own commands included),
 * each subject on a throw-away redis-server of its own, one after the other.
 */
const TASKS = 3_000;
const IN_FLIGHT = 200;

@Injectable()
class LimitBenchTasks {
  @Task({ queue: 'work' })
  free(n: number): number {
    return n;
  }

  @Task({ queue: 'work', rateLimit: { limit: '1000000/s', scope: 'global' } })
  limited(n: number): number {
    return n;
  }
}

@Module({})
class LimitBenchModule {
  static on(url: string): DynamicModule {
    const options = {
      broker: url,
      prefix: `bench-${randomUUID()}`,
      queues: { work: { pool: 'async' as const, concurrency: 100 } },
      brokerOptions: { checkConfig: false },
      backendOptions: { checkConfig: false },
    };
    return {
      module: LimitBenchModule,
      imports: [CeleriacModule.forRoot(options)],
      providers: [LimitBenchTasks],
    };
  }
}

interface Figures {
  tasksPerSecond: number;
  commandsPerTask: number;
}

async function measure(url: string, method: 'free' | 'limited'): Promise<Figures> {
  const app = await NestFactory.createMicroservice(LimitBenchModule.on(url), {
    strategy: new CeleriacWorker(),
    logger: false,
    abortOnError: false,
  });
  await app.listen();
  const client = app.get(TaskClient);
  const counter = new CommandCounter(url);
  try {
    const round = async (total: number): Promise<void> => {
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < total) {
          const handle: TaskHandle<number> = await client.send(LimitBenchTasks, method, [next++]);
          await handle.wait({ timeout: 60_000 });
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    };
    await round(300); // warm-up: scripts loaded, connections open
    const before = await counter.processed();
    const start = performance.now();
    await round(TASKS);
    const elapsed = since(start);
    const commands = (await counter.processed()) - before;
    return { tasksPerSecond: TASKS / (elapsed / 1_000), commandsPerTask: commands / TASKS };
  } finally {
    counter.close();
    await app.close();
  }
}

async function run(): Promise<BenchRow[]> {
  const none = await withOwnRedis((url) => measure(url, 'free'));
  const limited = await withOwnRedis((url) => measure(url, 'limited'));
  const note = `${TASKS} no-op tasks, ${IN_FLIGHT} sent and awaited at a time, one async worker (×100); own redis-server`;
  const ratio = (ours: number, base: number): string => `${(ours / base).toFixed(2)}× no limit`;
  return [
    {
      case: 'global rate limit: throughput',
      subject: 'no limit',
      value: none.tasksPerSecond,
      unit: 'tasks/s',
      note,
    },
    {
      case: 'global rate limit: throughput',
      subject: "rateLimit { scope: 'global' }",
      value: limited.tasksPerSecond,
      unit: 'tasks/s',
      note: `${ratio(limited.tasksPerSecond, none.tasksPerSecond)}; ${note}`,
    },
    {
      case: 'global rate limit: Redis commands per task',
      subject: 'no limit',
      value: none.commandsPerTask,
      unit: 'commands',
      note: 'send + run + result + wait',
    },
    {
      case: 'global rate limit: Redis commands per task',
      subject: "rateLimit { scope: 'global' }",
      value: limited.commandsPerTask,
      unit: 'commands',
      note: `+${(limited.commandsPerTask - none.commandsPerTask).toFixed(2)} per task`,
    },
  ];
}

const suite: BenchSuite = {
  name: 'policies',
  available() {
    const probe = spawnSync('redis-server', ['--version']);
    return Promise.resolve(probe.status === 0 ? true : 'redis-server is not installed');
  },
  run,
};
export default suite;
