import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { ResultBackend } from '../../../lib/backends/result-backend.interface.js';
import type { StoredSchedule } from '../../../lib/backends/schedule-store.interface.js';
import { createBroker } from '../../../lib/brokers/create-broker.js';
import { CELERIAC_BACKEND } from '../../../lib/celeriac.constants.js';
import { CeleriacModule, Scheduler } from '../../../lib/index.js';
import { deleteByPrefix, AMQP_URL } from '../amqp/support/rabbit.js';
import { ChildWorker } from '../redis/support/child-process.js';
import { deleteKeys, inspector, REDIS_URL } from '../redis/support/redis-env.js';
import { TickTasks } from './support/tick-tasks.js';

const BEAT_NODE = new URL('./support/beat-node.main.ts', import.meta.url);
const RUN_MS = 60_000;
const STATIC_ID = 'every-second';
const DYNAMIC_ID = 'every-two-seconds';
const DYNAMIC_PERIOD_MS = 2_000;
// Generous: six processes boot at once, on a machine that may be busy.
const BOOT_MS = 240_000;

interface Setup {
  name: string;
  broker: string;
}

/** One task the test consumer received: which schedule and tick its id names. */
interface Received {
  scheduleId: string;
  at: number;
  taskId: string;
  receivedAt: number;
}

/** Every task id received on the ticks queue, and waiters for particular ones. */
class TickLog {
  readonly received: Received[] = [];
  readonly unexpected: string[] = [];
  private readonly waiters: { match: (r: Received) => boolean; resolve: (r: Received) => void }[] = [];

  record(taskId: string): void {
    const match = /^schedule:(.+)@(\d{4}-\d\d-\d\dT[\d:.]+Z)$/.exec(taskId);
    if (!match) return void this.unexpected.push(taskId);
    const entry = { scheduleId: match[1], at: Date.parse(match[2]), taskId, receivedAt: Date.now() };
    this.received.push(entry);
    for (const waiter of this.waiters.filter((w) => w.match(entry))) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(entry);
    }
  }

  ticks(scheduleId: string): number[] {
    return this.received.filter((r) => r.scheduleId === scheduleId).map((r) => r.at);
  }

  next(what: string, match: (r: Received) => boolean, ms: number): Promise<Received> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
      this.waiters.push({ match, resolve: (r) => (clearTimeout(timer), resolve(r)) });
    });
  }
}

interface Report {
  log: TickLog;
  windowStart: number;
  windowEnd: number;
  upsertStartedAt: number;
  upsertedAt: number;
  firstDynamic: Received;
  firstDynamicFiredBy?: string;
  removedAt: number;
  killed: number[];
  beatPids: number[];
  final: StoredSchedule;
}

const sleepUntil = (at: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/**
 * Three beat processes fire a one-second schedule for a minute while one of them is killed with
 * SIGKILL and restarted, twice; an API node adds a two-second schedule half-way and removes it
 * later. A consumer in this process records the id of every task that reaches the queue.
 */
async function runScenario(setup: Setup): Promise<Report> {
  const prefix = `celeriac-beat-${randomUUID()}`;
  const isRedis = setup.broker.startsWith('redis');
  const broker = await createBroker({
    url: setup.broker,
    prefix,
    extra: isRedis ? { checkConfig: false } : {},
  });
  await broker.connect();
  const log = new TickLog();
  const consumer = await broker.consume(
    'ticks',
    (delivery) => {
      log.record((JSON.parse(delivery.body) as { id: string }).id);
      void delivery.ack();
    },
    { prefetch: 50 },
  );
  let api: INestApplicationContext | undefined;
  const nodes: ChildWorker[] = [];
  const env = { BROKER_URL: setup.broker, REDIS_URL, PREFIX: prefix };
  const startNode = async (): Promise<ChildWorker> => {
    const child = ChildWorker.start(BEAT_NODE, env);
    nodes.push(child);
    await child.next((e) => e.event === 'beating', BOOT_MS);
    return child;
  };
  try {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CeleriacModule.forRoot({
          broker: setup.broker,
          backend: REDIS_URL,
          prefix,
          producerOnly: true,
          queues: { ticks: {} },
          logger: false,
          brokerOptions: isRedis ? { checkConfig: false } : {},
          backendOptions: { checkConfig: false },
        }),
      ],
      providers: [TickTasks],
    }).compile();
    api = await moduleRef.init();
    const scheduler = api.get(Scheduler);
    const backend = api.get<ResultBackend>(CELERIAC_BACKEND);

    const beats = await Promise.all([startNode(), startNode(), startNode()]);
    const beatPids = beats.map((node) => node.pid);
    const windowStart = Date.now();
    const killed: number[] = [];
    const killAndRestart = async (at: number): Promise<void> => {
      await sleepUntil(at);
      const victim = beats[0];
      killed.push(victim.pid);
      await victim.kill();
      beats[0] = await startNode();
      beatPids.push(beats[0].pid);
    };

    const kills = (async () => {
      await killAndRestart(windowStart + 10_000);
      await killAndRestart(windowStart + 35_000);
    })();

    await sleepUntil(windowStart + 15_000);
    const upsertStartedAt = Date.now();
    await scheduler.upsert(DYNAMIC_ID, { task: 'TickTasks.tick', every: DYNAMIC_PERIOD_MS });
    const upsertedAt = Date.now();
    const firstDynamic = await log.next(
      'tick of the added schedule',
      (r) => r.scheduleId === DYNAMIC_ID,
      30_000,
    );
    const firstDynamicFiredBy = (await backend.schedules!.get(DYNAMIC_ID))?.last?.by;

    await sleepUntil(windowStart + 45_000);
    await scheduler.remove(DYNAMIC_ID);
    const removedAt = Date.now();

    await kills;
    await sleepUntil(windowStart + RUN_MS);
    const windowEnd = Date.now();
    // Graceful stops: each node's beat finishes what it claimed before the process exits.
    await Promise.all(
      beats.map((node) => {
        process.kill(node.pid, 'SIGTERM');
        return node.exit();
      }),
    );
    const final = (await backend.schedules!.get(STATIC_ID))!;
    await log.next(
      'the last claimed tick',
      (r) => r.scheduleId === STATIC_ID && r.at === final.last?.at,
      30_000,
    );
    return {
      log,
      windowStart,
      windowEnd,
      upsertStartedAt,
      upsertedAt,
      firstDynamic,
      firstDynamicFiredBy,
      removedAt,
      killed,
      beatPids,
      final,
    };
  } finally {
    await Promise.all(nodes.map((node) => node.kill()));
    await consumer.cancel().catch(() => undefined);
    await broker.close().catch(() => undefined);
    await api?.close();
    const redis = inspector();
    await deleteKeys(redis, prefix);
    redis.disconnect();
    if (!isRedis) await deleteByPrefix(prefix);
  }
}

/** Ticks from the first to the last, each exactly `period` after the one before. */
function consecutive(ticks: number[], period: number): number[] {
  const sorted = [...ticks].sort((a, b) => a - b);
  const expected: number[] = [];
  for (let at = sorted[0]; at <= sorted[sorted.length - 1]; at += period) expected.push(at);
  return expected;
}

const SETUPS: Setup[] = [
  { name: 'Redis', broker: REDIS_URL },
  { name: 'RabbitMQ with Redis results', broker: AMQP_URL },
];

describe('beat with three nodes, one killed with SIGKILL and restarted twice, a one-second schedule for 60 s', () => {
  const reports = new Map<string, Report>();
  const failures = new Map<string, unknown>();

  // Both setups run at the same time: their minute of wall-clock time overlaps.
  beforeAll(async () => {
    const outcomes = await Promise.allSettled(SETUPS.map((setup) => runScenario(setup)));
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'fulfilled') reports.set(SETUPS[index].name, outcome.value);
      else failures.set(SETUPS[index].name, outcome.reason);
    });
  }, 10 * 60_000);

  function reportOf(name: string): Report {
    if (failures.has(name)) throw failures.get(name);
    return reports.get(name)!;
  }

  describe.each(SETUPS.map((setup) => setup.name))('on %s', (name) => {
    it('fires every tick of the minute exactly once: no task id twice, none missing', () => {
      const report = reportOf(name);
      const ticks = report.log.ticks(STATIC_ID);
      expect(report.killed).toHaveLength(2);
      expect(report.log.unexpected).toEqual([]);
      const duplicates = ticks
        .filter((at, i) => ticks.indexOf(at) !== i)
        .map((at) => new Date(at).toISOString());
      expect(duplicates).toEqual([]);
      const sorted = [...ticks].sort((a, b) => a - b);
      expect(sorted.map((at) => new Date(at).toISOString())).toEqual(
        consecutive(ticks, 1_000).map((at) => new Date(at).toISOString()),
      );
      // The window is covered: ticks before the three nodes were up, and up to the end.
      expect(sorted[0]).toBeLessThanOrEqual(report.windowStart);
      expect(sorted[sorted.length - 1]).toBeGreaterThanOrEqual(report.windowEnd - 3_000);
      expect(sorted.length).toBeGreaterThanOrEqual(RUN_MS / 1_000 - 3);
      // Every claim was confirmed: nothing claimed and left unpublished.
      expect(report.final.pending).toEqual([]);
      expect(report.final.last?.at).toBe(sorted[sorted.length - 1]);
    });

    it('fires a schedule added on an API node from a beat node within one period, and never after its removal', () => {
      const report = reportOf(name);
      const { firstDynamic } = report;
      expect(firstDynamic.at).toBeGreaterThan(report.upsertStartedAt - DYNAMIC_PERIOD_MS);
      expect(firstDynamic.at).toBeLessThanOrEqual(report.upsertedAt + DYNAMIC_PERIOD_MS);
      // Fired by one of the beat processes (the API node runs no beat).
      expect(report.beatPids.some((pid) => report.firstDynamicFiredBy?.includes(`:${pid}:`))).toBe(true);
      const ticks = report.log.ticks(DYNAMIC_ID);
      expect(new Set(ticks).size).toBe(ticks.length);
      expect([...ticks].sort((a, b) => a - b)).toEqual(consecutive(ticks, DYNAMIC_PERIOD_MS));
      expect(Math.max(...ticks)).toBeLessThanOrEqual(report.removedAt);
      expect(Math.max(...ticks)).toBeGreaterThanOrEqual(report.removedAt - 2 * DYNAMIC_PERIOD_MS - 1_000);
    });
  });
});
