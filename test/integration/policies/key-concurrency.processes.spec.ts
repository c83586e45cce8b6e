import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { TaskClient } from '../../../lib/index.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import { maxOverlap, PolicyTasks, type RunSpan } from '../../support/policy-tasks.js';
import { ChildWorker } from '../redis/support/child-process.js';
import { deleteKeys, inspector, REDIS_URL } from '../redis/support/redis-env.js';
import { startPolicyApi } from '../../support/policy-api.js';

const WORKERS = 4;
const TENANTS = ['t1', 't2', 't3'];
const JOBS_PER_TENANT = 6;
const JOB_MS = 300;

/**
 * `PolicyTasks.tenantJob` (`concurrency: { limit: 2, key: tenant }`) across four worker processes on
 * Redis. Each recorded span lies inside the time its run held its place (taken before the method
 * starts, freed after it returns), so an overlap of spans is an overlap of places.
 */
describe(`per-key concurrency 2 across ${WORKERS} worker processes (Redis)`, () => {
  const prefix = `test-key-concurrency-${randomUUID()}`;
  let workers: ChildWorker[] = [];
  let api: INestApplicationContext | undefined;

  beforeAll(async () => {
    const entry = await compiledEntry('test/fixtures/policies/policy-worker.main.ts');
    const env = { BROKER_URL: REDIS_URL, REDIS_URL, PREFIX: prefix };
    workers = Array.from({ length: WORKERS }, () => ChildWorker.startCompiled(entry, env));
    await Promise.all(workers.map((worker) => worker.next((e) => e.event === 'listening', 120_000)));
    api = await startPolicyApi({ broker: REDIS_URL, prefix });
  }, 150_000);

  afterAll(async () => {
    await api?.close();
    await Promise.all(
      workers.map(async (worker) => {
        process.kill(worker.pid, 'SIGTERM');
        await worker.exit();
      }),
    );
    const client = inspector();
    try {
      await deleteKeys(client, prefix);
    } finally {
      client.disconnect();
    }
  }, 30_000);

  it('never more than 2 running per key (recorded intervals), every key served from the start, several processes used', async () => {
    const client = api!.get(TaskClient);
    const sends = TENANTS.flatMap((tenant) =>
      Array.from({ length: JOBS_PER_TENANT }, () => client.send(PolicyTasks, 'tenantJob', [tenant, JOB_MS])),
    );
    const spans: RunSpan[] = await Promise.all(
      (await Promise.all(sends)).map((handle) => handle.wait({ timeout: 60_000 })),
    );
    for (const tenant of TENANTS) {
      const own = spans.filter((span) => span.label === tenant);
      expect(own).toHaveLength(JOBS_PER_TENANT);
      expect(maxOverlap(own)).toBeLessThanOrEqual(2);
    }
    // No key starved: each had a run going before any key's work was over.
    const firstEnd = Math.min(
      ...TENANTS.map((tenant) => Math.max(...spans.filter((s) => s.label === tenant).map((s) => s.end))),
    );
    for (const tenant of TENANTS) {
      expect(Math.min(...spans.filter((s) => s.label === tenant).map((s) => s.start))).toBeLessThan(firstEnd);
    }
    expect(maxOverlap(spans)).toBeGreaterThan(2);
    expect(new Set(spans.map((span) => span.pid)).size).toBeGreaterThan(1);
  }, 90_000);
});
