import { AMQP_URL } from '../amqp/support/rabbit.js';
import { REDIS_URL } from '../redis/support/redis-env.js';
import { BeatRig, type BeatDeployment, consecutive, iso, type ReceivedTick } from './support/beat-rig.js';

const STATIC_ID = 'every-second';
const ADDED_ID = 'added-at-run-time';
const PERIOD_MS = 1_000;
const BOOT_MS = 120_000;
const WAIT_MS = 30_000;

const DEPLOYMENTS: BeatDeployment[] = [
  { name: 'Redis', broker: REDIS_URL, redis: REDIS_URL },
  { name: 'RabbitMQ with Redis results', broker: AMQP_URL, redis: REDIS_URL },
];

/** What one deployment's run saw, with the times of each step. */
interface Run {
  rig: BeatRig;
  upsertStartedAt: number;
  upsertedAt: number;
  first: ReceivedTick;
  firstFiredBy?: string;
  pausedAt: number;
  resumeStartedAt: number;
  resumedAt: number;
  firstAfterResume: ReceivedTick;
  removedAt: number;
  listedAfterRemove: string[];
  /** A static tick two periods after the removal: by then every beat node has seen it. */
  staticAfterRemove: ReceivedTick;
}

/**
 * An API node (no beat) adds a one-second schedule with `Scheduler.upsert`, pauses and resumes it,
 * and removes it, while two beat processes run; the test reads the task ids reaching the queue. The
 * one-second schedule every node declares in code is the clock that says "long enough".
 */
async function runOn(deployment: BeatDeployment): Promise<Run> {
  const rig = await BeatRig.start(deployment);
  try {
    await Promise.all([rig.startBeatNode(BOOT_MS), rig.startBeatNode(BOOT_MS)]);
    const { scheduler, log } = rig;
    await log.tickAtOrAfter(STATIC_ID, Date.now(), WAIT_MS);

    const upsertStartedAt = Date.now();
    await scheduler.upsert(ADDED_ID, { task: 'TickTasks.tick', every: PERIOD_MS });
    const upsertedAt = Date.now();
    const first = await log.tickAtOrAfter(ADDED_ID, 0, WAIT_MS);
    const firstFiredBy = (await rig.store.get(ADDED_ID))?.last?.by;

    await scheduler.pause(ADDED_ID);
    const pausedAt = Date.now();
    await log.tickAtOrAfter(STATIC_ID, pausedAt + 2 * PERIOD_MS, WAIT_MS);
    const resumeStartedAt = Date.now();
    await scheduler.resume(ADDED_ID);
    const resumedAt = Date.now();
    const firstAfterResume = await log.tickAtOrAfter(ADDED_ID, resumedAt, WAIT_MS);

    await scheduler.remove(ADDED_ID);
    const removedAt = Date.now();
    const listedAfterRemove = (await scheduler.list()).map((info) => info.id);
    const staticAfterRemove = await log.tickAtOrAfter(STATIC_ID, removedAt + 2 * PERIOD_MS, WAIT_MS);
    return {
      rig,
      upsertStartedAt,
      upsertedAt,
      first,
      firstFiredBy,
      pausedAt,
      resumeStartedAt,
      resumedAt,
      firstAfterResume,
      removedAt,
      listedAfterRemove,
      staticAfterRemove,
    };
  } finally {
    await rig.close();
  }
}

describe('Scheduler across nodes: added, paused, resumed and removed on an API node, fired by beat processes', () => {
  const runs = new Map<string, Run>();
  const failures = new Map<string, unknown>();

  // Both deployments run at the same time.
  beforeAll(async () => {
    const outcomes = await Promise.allSettled(DEPLOYMENTS.map((deployment) => runOn(deployment)));
    outcomes.forEach((outcome, index) => {
      const { name } = DEPLOYMENTS[index];
      if (outcome.status === 'fulfilled') runs.set(name, outcome.value);
      else failures.set(name, outcome.reason);
    });
  }, 4 * 60_000);

  function runOf(name: string): Run {
    if (failures.has(name)) throw failures.get(name);
    return runs.get(name)!;
  }

  describe.each(DEPLOYMENTS.map((deployment) => deployment.name))('on %s', (name) => {
    it('fires a schedule upserted on the API node from a beat process, within one period', () => {
      const run = runOf(name);
      // Its first tick is the first one after the upsert: it falls within one period of it.
      expect(run.first.at).toBeGreaterThan(run.upsertStartedAt - PERIOD_MS);
      expect(run.first.at).toBeLessThanOrEqual(run.upsertedAt + PERIOD_MS);
      expect(run.rig.isBeatProcess(run.firstFiredBy)).toBe(true);
    });

    it('fires nothing while paused, and again from the first tick after resume', () => {
      const run = runOf(name);
      const ticks = run.rig.log.ticks(ADDED_ID);
      expect(ticks.filter((at) => at > run.pausedAt && at < run.resumeStartedAt).map(iso)).toEqual([]);
      expect(run.firstAfterResume.at).toBeLessThanOrEqual(run.resumedAt + PERIOD_MS);
    });

    it('stops firing it everywhere once removed', () => {
      const run = runOf(name);
      const ticks = run.rig.log.ticks(ADDED_ID);
      expect(run.listedAfterRemove).toEqual([STATIC_ID]);
      // No beat node can claim a tick of a removed schedule, so none is later than the removal.
      expect(ticks.filter((at) => at > run.removedAt).map(iso)).toEqual([]);
    });

    it('fires each tick of both schedules once, with none missing while they ran', () => {
      const run = runOf(name);
      const { log } = run.rig;
      expect(log.unexpected).toEqual([]);
      for (const id of [STATIC_ID, ADDED_ID]) {
        const ticks = log.ticks(id);
        expect(ticks.length).toBeGreaterThan(0);
        expect(new Set(ticks).size).toBe(ticks.length);
      }
      const beforePause = log.ticks(ADDED_ID).filter((at) => at <= run.pausedAt);
      expect([...beforePause].sort((a, b) => a - b).map(iso)).toEqual(
        consecutive(beforePause, PERIOD_MS).map(iso),
      );
      expect(log.ticks(STATIC_ID).map(iso).sort()).toEqual(
        consecutive(log.ticks(STATIC_ID), PERIOD_MS).map(iso),
      );
    });
  });
});
