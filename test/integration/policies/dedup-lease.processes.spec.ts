import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { TaskClient } from '../../../lib/index.js';
import { queueKeys } from '../../../lib/brokers/redis/redis-keys.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import { ChildWorker } from '../redis/support/child-process.js';
import { deleteKeys, inspector, REDIS_URL } from '../redis/support/redis-env.js';
import { startPolicyApi } from '../../support/policy-api.js';

/** The Redis broker's delivery lease of both workers: short, so a stopped worker loses it quickly. */
const LEASE_MS = 1_500;
const RUN_MS = 5_000;
/**
 * The lease of the task's place (its run slot): longer than the freeze, so the place stays held while
 * the first worker is stopped, and short enough that the deferred copy, which comes back when that
 * lease could have ended, returns soon after the run.
 */
const POLICY_LEASE_MS = 8_000;

/**
 * A deduplicated task (`dedupKey`) runs long in one worker process, which is then stopped with
 * SIGSTOP past its delivery lease: the other worker reclaims the message, and must not run it while
 * the first run is still going — it puts the copy back until that run ends, and then settles it as
 * a duplicate. Both processes report every run on stdout.
 */
describe('a deduplicated long task whose delivery lease is forced to expire (Redis, two worker processes)', () => {
  const prefix = `test-dedup-lease-${randomUUID()}`;
  const redis = inspector();
  let workers: ChildWorker[] = [];
  let api: INestApplicationContext | undefined;

  beforeAll(async () => {
    const entry = await compiledEntry('test/fixtures/policies/policy-worker.main.ts');
    const env = {
      BROKER_URL: REDIS_URL,
      REDIS_URL,
      PREFIX: prefix,
      LEASE_MS: String(LEASE_MS),
      POLICY_LEASE_MS: String(POLICY_LEASE_MS),
    };
    workers = [ChildWorker.startCompiled(entry, env), ChildWorker.startCompiled(entry, env)];
    await Promise.all(workers.map((worker) => worker.next((e) => e.event === 'listening', 90_000)));
    api = await startPolicyApi({ broker: REDIS_URL, prefix });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    for (const worker of workers) process.kill(worker.pid, 'SIGCONT');
    await Promise.all(workers.map((worker) => worker.kill()));
    await deleteKeys(redis, prefix);
    redis.disconnect();
  }, 30_000);

  it('is not run twice at once: the other worker defers the reclaimed copy, then settles it as a duplicate', async () => {
    const client = api!.get(TaskClient);
    const tag = randomUUID();
    const handle = await client.sendByName<number>('LeaseTasks.hold', [tag, RUN_MS], {
      dedupKey: `lease:${tag}`,
    });
    const ranHere = (worker: ChildWorker): boolean =>
      worker.events.some((e) => e.event === 'started' && e.tag === tag);
    await until(() => Promise.resolve(workers.some(ranHere)), 'a worker to start the task');
    const first = workers.find(ranHere)!;
    const other = workers.find((worker) => worker !== first)!;

    // Frozen past its lease: its renewals stop, the lease ends, the other worker takes the message.
    process.kill(first.pid, 'SIGSTOP');
    const keys = queueKeys(prefix, 'default');
    try {
      // The other worker found the task's place held and put the copy back delayed, without running it.
      await until(async () => (await redis.zcard(keys.delayed)) > 0, 'the reclaimed copy to be deferred');
    } finally {
      process.kill(first.pid, 'SIGCONT');
    }
    expect(await handle.wait({ timeout: 30_000 })).toBe(first.pid);
    // The deferred copy comes back after the run ended and is settled without running.
    await until(
      async () =>
        (await redis.zcard(keys.delayed)) +
          (await redis.zcard(keys.ready)) +
          (await redis.zcard(keys.active)) ===
        0,
      'the copy to be settled',
    );
    const runs = workers.flatMap((worker) =>
      worker.events.filter((e) => e.event === 'started' && e.tag === tag),
    );
    expect(runs).toHaveLength(1);
    expect(other.events.filter((e) => e.tag === tag)).toEqual([]);
  }, 60_000);
});

/** Reads until `condition` holds (each read looks at Redis; not a wait for a timer), guarded. */
async function until(condition: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
