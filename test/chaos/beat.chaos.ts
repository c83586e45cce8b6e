import type { StoredSchedule } from '../../lib/backends/schedule-store.interface.js';
import { RedisServer } from '../integration/redis/support/redis-server.js';
import {
  BeatRig,
  type BeatDeployment,
  consecutive,
  iso,
  type ReceivedTick,
} from '../integration/scheduler/support/beat-rig.js';
import { RabbitNode } from '../support/rabbit-node.js';

/** Long enough for two kills and restarts, an added schedule's ticks and its removal. */
const RUN_MS = 30_000;
const STATIC_ID = 'every-second';
const DYNAMIC_ID = 'every-two-seconds';
const DYNAMIC_PERIOD_MS = 2_000;
// Six processes boot at once, on a machine that may be busy.
const BOOT_MS = 120_000;

/** What one deployment's minute saw. */
interface Report {
  rig: BeatRig;
  windowStart: number;
  windowEnd: number;
  upsertStartedAt: number;
  upsertedAt: number;
  firstDynamic: ReceivedTick;
  firstDynamicFiredBy?: string;
  removedAt: number;
  /** Pids killed with SIGKILL, and how long each replacement took to beat. */
  killed: { pid: number; restartMs: number }[];
  bootMs: number;
  final: StoredSchedule;
}

const sleepUntil = (at: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/**
 * Three beat processes fire a one-second schedule for RUN_MS while one of them is killed with
 * SIGKILL and restarted, twice; an API node adds a two-second schedule a quarter of the way in and
 * removes it three quarters in. A consumer in this process records the id of every task that
 * reaches the queue.
 */
async function runScenario(deployment: BeatDeployment): Promise<Report> {
  const rig = await BeatRig.start(deployment);
  try {
    const bootStart = Date.now();
    const beats = await Promise.all([
      rig.startBeatNode(BOOT_MS),
      rig.startBeatNode(BOOT_MS),
      rig.startBeatNode(BOOT_MS),
    ]);
    const bootMs = Date.now() - bootStart;
    const windowStart = Date.now();
    const killed: Report['killed'] = [];
    const killAndRestart = async (at: number): Promise<void> => {
      await sleepUntil(at);
      const victim = beats[0];
      const killedAt = Date.now();
      await victim.kill();
      beats[0] = await rig.startBeatNode(BOOT_MS);
      killed.push({ pid: victim.pid, restartMs: Date.now() - killedAt });
    };
    const kills = (async () => {
      await killAndRestart(windowStart + RUN_MS / 6);
      await killAndRestart(windowStart + (RUN_MS * 7) / 12);
    })();

    await sleepUntil(windowStart + RUN_MS / 4);
    const upsertStartedAt = Date.now();
    await rig.scheduler.upsert(DYNAMIC_ID, { task: 'TickTasks.tick', every: DYNAMIC_PERIOD_MS });
    const upsertedAt = Date.now();
    const firstDynamic = await rig.log.tickAtOrAfter(DYNAMIC_ID, 0, 30_000);
    const firstDynamicFiredBy = (await rig.store.get(DYNAMIC_ID))?.last?.by;

    await sleepUntil(windowStart + (RUN_MS * 3) / 4);
    await rig.scheduler.remove(DYNAMIC_ID);
    const removedAt = Date.now();

    await kills;
    await sleepUntil(windowStart + RUN_MS);
    const windowEnd = Date.now();
    await BeatRig.stopGracefully(beats);
    const final = (await rig.store.get(STATIC_ID))!;
    await rig.log.next(
      'the last claimed tick',
      (r) => r.scheduleId === STATIC_ID && r.at === final.last?.at,
      30_000,
    );
    return {
      rig,
      windowStart,
      windowEnd,
      upsertStartedAt,
      upsertedAt,
      firstDynamic,
      firstDynamicFiredBy,
      removedAt,
      killed,
      bootMs,
      final,
    };
  } finally {
    await rig.close();
  }
}

/** Ticks that arrived more than once, as ISO times. */
function duplicatesOf(ticks: number[]): string[] {
  return ticks.filter((at, i) => ticks.indexOf(at) !== i).map(iso);
}

/**
 * Beat high availability on Redis and on RabbitMQ with Redis results, run at the same time so the
 * two windows overlap. Results and schedules live in a redis-server of the suite's own, and the
 * RabbitMQ deployment has a node of its own: its run starts once that node is up, while the Redis
 * one is already running.
 */
describe(`chaos: beat with three processes, one killed with SIGKILL and restarted twice, a one-second schedule for ${RUN_MS / 1000} s`, () => {
  let redis: RedisServer;
  let rabbit: RabbitNode | undefined;
  const reports = new Map<string, Report>();
  const failures = new Map<string, unknown>();
  const NAMES = ['Redis', 'RabbitMQ with Redis results'];

  beforeAll(async () => {
    const rabbitStarting = RabbitNode.start();
    redis = await RedisServer.start();
    const deployments: Promise<BeatDeployment>[] = [
      Promise.resolve({ name: NAMES[0], broker: redis.url, redis: redis.url }),
      rabbitStarting.then((node) => {
        rabbit = node;
        return { name: NAMES[1], broker: node.url, redis: redis.url };
      }),
    ];
    const outcomes = await Promise.allSettled(
      deployments.map(async (deployment) => runScenario(await deployment)),
    );
    outcomes.forEach((outcome, index) => {
      const name = NAMES[index];
      if (outcome.status === 'fulfilled') {
        reports.set(name, outcome.value);
        const { rig, bootMs, killed } = outcome.value;
        const ticks = rig.log.ticks(STATIC_ID);
        process.stderr.write(
          `[chaos] beat on ${name}: ${ticks.length} ticks of ${STATIC_ID}, ${duplicatesOf(ticks).length} twice; ` +
            `three nodes booted in ${bootMs} ms; restarts took ${killed.map((k) => `${k.restartMs} ms`).join(', ')}\n`,
        );
      } else failures.set(name, outcome.reason);
    });
  }, 5 * 60_000);

  afterAll(async () => {
    await Promise.allSettled([redis?.stop(), rabbit?.stop()]);
  });

  function reportOf(name: string): Report {
    if (failures.has(name)) throw failures.get(name);
    return reports.get(name)!;
  }

  describe.each(NAMES)('on %s', (name) => {
    it('fires every tick of the minute exactly once: no task id twice, none missing', () => {
      const report = reportOf(name);
      const { log } = report.rig;
      const ticks = log.ticks(STATIC_ID);
      expect(report.killed).toHaveLength(2);
      expect(log.unexpected).toEqual([]);
      expect(duplicatesOf(ticks)).toEqual([]);
      const sorted = [...ticks].sort((a, b) => a - b);
      // No gap: the nodes never all stopped, so the catch-up rule (the latest missed tick only)
      // never applied, and every tick between the first and the last fired.
      expect(sorted.map(iso)).toEqual(consecutive(ticks, 1_000).map(iso));
      // The window is covered: ticks from before the three nodes were up, and up to the end.
      expect(sorted[0]).toBeLessThanOrEqual(report.windowStart);
      expect(sorted[sorted.length - 1]).toBeGreaterThanOrEqual(report.windowEnd - 3_000);
      expect(sorted.length).toBeGreaterThanOrEqual(RUN_MS / 1_000 - 3);
      // Every claim was confirmed: nothing claimed and left unpublished.
      expect(report.final.pending).toEqual([]);
      expect(report.final.last?.at).toBe(sorted[sorted.length - 1]);
    });

    it('fires a schedule added on an API node from a beat process within one period, and never after its removal', () => {
      const report = reportOf(name);
      const { firstDynamic, rig } = report;
      expect(firstDynamic.at).toBeGreaterThan(report.upsertStartedAt - DYNAMIC_PERIOD_MS);
      expect(firstDynamic.at).toBeLessThanOrEqual(report.upsertedAt + DYNAMIC_PERIOD_MS);
      expect(rig.isBeatProcess(report.firstDynamicFiredBy)).toBe(true);
      const ticks = rig.log.ticks(DYNAMIC_ID);
      expect(duplicatesOf(ticks)).toEqual([]);
      expect([...ticks].sort((a, b) => a - b).map(iso)).toEqual(
        consecutive(ticks, DYNAMIC_PERIOD_MS).map(iso),
      );
      expect(Math.max(...ticks)).toBeLessThanOrEqual(report.removedAt);
      expect(Math.max(...ticks)).toBeGreaterThanOrEqual(report.removedAt - 2 * DYNAMIC_PERIOD_MS - 1_000);
    });
  });
});
