import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { CeleriacRuntime, Scheduler } from '../../lib/index.js';
import type { BenchRow, BenchSuite } from '../bench.types.js';
import { startNoopWorker } from '../support/noop-worker.js';
import { CommandCounter, withOwnRedis } from '../support/own-redis.js';

/**
 * What periodic tasks cost Redis: 100 schedules of one minute on one node that fires them and runs
 * them (Celeriac: a worker with `beat: true`; BullMQ: job schedulers and a worker), each on a
 * throw-away redis-server of its own, measured at the same time. Idle: commands/s between ticks.
 * Tick: commands per schedule from 2 s before a tick to 8 s after, idle rate taken out. Redis counts
 * the commands a Lua script runs as well as the script call, so both subjects' scripts count in full.
 */
const SCHEDULES = 100;
const PERIOD_MS = 60_000;
const TICK_BEFORE_MS = 2_000;
const TICK_AFTER_MS = 8_000;
const IDLE_AFTER_TICK_MS = 10_000;
const IDLE_MS = 20_000;

interface Running {
  /** When the subject fires its schedules next (after the first batch, for BullMQ). */
  tickAt: number;
  /** Tasks (jobs) run so far. */
  completed(): number;
  stop(): Promise<void>;
}

interface Figures {
  idle: number;
  perTick: number;
  ranAtTick: number;
}

const sleepUntil = (at: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

async function celeriac(url: string): Promise<Running> {
  const app = await startNoopWorker(
    {
      broker: url,
      prefix: `bench-${randomUUID()}`,
      queues: { work: { pool: 'async', concurrency: 50 } },
      logger: false,
      brokerOptions: { checkConfig: false },
      backendOptions: { checkConfig: false },
    },
    { beat: true },
  );
  let completed = 0;
  app.get(CeleriacRuntime).events.on('task', (event) => event.type === 'task-succeeded' && completed++);
  const scheduler = app.get(Scheduler);
  for (let i = 0; i < SCHEDULES; i++) {
    await scheduler.upsert(`minute-${i}`, { task: 'NoopTasks.noop', every: '1m', args: [i] });
  }
  // Celeriac's one-minute ticks fall on whole minutes; this one leaves time to settle first.
  const tickAt = Math.ceil((Date.now() + 5_000) / PERIOD_MS) * PERIOD_MS;
  return { tickAt, completed: () => completed, stop: () => app.close() };
}

async function bullmq(url: string): Promise<Running> {
  const parsed = new URL(url);
  const connection = { host: parsed.hostname, port: Number(parsed.port) };
  const prefix = `bench-${randomUUID()}`;
  const queue = new Queue('ticks', { connection, prefix });
  const worker = new Worker('ticks', () => Promise.resolve(), { connection, prefix, concurrency: 50 });
  await worker.waitUntilReady();
  let completed = 0;
  worker.on('completed', () => completed++);
  // BullMQ runs a job scheduler's first job at once, then one period after each.
  const tickAt = Date.now() + PERIOD_MS;
  for (let i = 0; i < SCHEDULES; i++) {
    await queue.upsertJobScheduler(`minute-${i}`, { every: PERIOD_MS }, { name: 'tick', data: { i } });
  }
  return {
    tickAt,
    completed: () => completed,
    stop: async () => {
      await worker.close();
      await queue.close();
    },
  };
}

/** Counts one subject's commands around its next tick and in the quiet after it. */
async function measure(url: string, start: (url: string) => Promise<Running>): Promise<Figures> {
  const counter = new CommandCounter(url);
  const running = await start(url);
  const tick = running.tickAt;
  try {
    await sleepUntil(tick - TICK_BEFORE_MS);
    const [beforeTick, ranBefore] = [await counter.processed(), running.completed()];
    await sleepUntil(tick + TICK_AFTER_MS);
    const [afterTick, ranAfter] = [await counter.processed(), running.completed()];
    await sleepUntil(tick + IDLE_AFTER_TICK_MS);
    const idleStart = await counter.processed();
    await sleepUntil(tick + IDLE_AFTER_TICK_MS + IDLE_MS);
    const idle = ((await counter.processed()) - idleStart) / (IDLE_MS / 1_000);
    const tickWindowS = (TICK_BEFORE_MS + TICK_AFTER_MS) / 1_000;
    return {
      idle,
      perTick: (afterTick - beforeTick - idle * tickWindowS) / SCHEDULES,
      ranAtTick: ranAfter - ranBefore,
    };
  } finally {
    counter.close();
    await running.stop();
  }
}

async function run(): Promise<BenchRow[]> {
  const [ours, theirs] = await Promise.all([
    withOwnRedis((url) => measure(url, celeriac)),
    withOwnRedis((url) => measure(url, bullmq)),
  ]);
  const note = (figures: Figures): string =>
    `${SCHEDULES} schedules of 1 min; ${figures.ranAtTick} run at the tick; own redis-server`;
  const subjects: [string, Figures][] = [
    ['celeriac worker with beat', ours],
    ['bullmq job schedulers + worker', theirs],
  ];
  return subjects.flatMap(([subject, figures]) => [
    {
      case: 'periodic tasks, between ticks: Redis commands/s',
      subject,
      value: figures.idle,
      unit: 'commands/s',
      note: `${IDLE_MS / 1_000} s window; ${note(figures)}`,
    },
    {
      case: 'periodic tasks, at a tick: Redis commands per schedule',
      subject,
      value: figures.perTick,
      unit: 'commands',
      note: `fire + run + result; ${note(figures)}`,
    },
  ]);
}

const suite: BenchSuite = {
  name: 'scheduler',
  available() {
    const probe = spawnSync('redis-server', ['--version']);
    return Promise.resolve(probe.status === 0 ? true : 'redis-server is not installed');
  },
  run,
};
export default suite;
