import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { TaskClient } from '../../../lib/index.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import { maxOverlap, PolicyTasks, type RunSpan } from '../../support/policy-tasks.js';
import { AMQP_URL, deleteByPrefix } from '../amqp/support/rabbit.js';
import { ChildWorker } from '../redis/support/child-process.js';
import { deleteKeys, inspector, REDIS_URL } from '../redis/support/redis-env.js';
import { startPolicyApi } from '../../support/policy-api.js';

const WORKERS = 4;
const TENANTS = ['t1', 't2', 't3'];
const JOBS_PER_TENANT = 6;
const JOB_MS = 300;

/** Where the worker processes get their tasks; results and policy state are in Redis either way. */
interface Deployment {
  name: string;
  broker: string;
}

const deployments: Deployment[] = [
  { name: 'Redis', broker: REDIS_URL },
  { name: 'RabbitMQ with Redis results', broker: AMQP_URL },
];

/**
 * `PolicyTasks.tenantJob` (`concurrency: { limit: 2, key: tenant }`) across four worker processes,
 * on Redis and on RabbitMQ with Redis results, one deployment after the other. Each recorded span
 * lies inside the time its run held its place (taken before the method starts, freed after it
 * returns), so an overlap of spans is an overlap of places.
 */
describe.each(deployments)(
  `per-key concurrency 2 across ${WORKERS} worker processes ($name)`,
  ({ broker }) => {
    const prefix = `test-key-concurrency-${randomUUID()}`;
    let workers: ChildWorker[] = [];
    let api: INestApplicationContext | undefined;

    beforeAll(async () => {
      const entry = await compiledEntry('test/fixtures/policies/policy-worker.main.ts');
      const env = { BROKER_URL: broker, REDIS_URL, PREFIX: prefix };
      workers = Array.from({ length: WORKERS }, () => ChildWorker.startCompiled(entry, env));
      await Promise.all(workers.map((worker) => worker.next((e) => e.event === 'listening', 120_000)));
      api = await startPolicyApi({ broker, backend: REDIS_URL, prefix });
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
      if (broker === AMQP_URL) await deleteByPrefix(prefix);
    }, 60_000);

    it('never more than 2 running per key (recorded intervals), every key served from the start, several processes used', async () => {
      const client = api!.get(TaskClient);
      const sends = TENANTS.flatMap((tenant) =>
        Array.from({ length: JOBS_PER_TENANT }, () =>
          client.send(PolicyTasks, 'tenantJob', [tenant, JOB_MS]),
        ),
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
        expect(Math.min(...spans.filter((s) => s.label === tenant).map((s) => s.start))).toBeLessThan(
          firstEnd,
        );
      }
      expect(maxOverlap(spans)).toBeGreaterThan(2);
      expect(new Set(spans.map((span) => span.pid)).size).toBeGreaterThan(1);
    }, 90_000);
  },
);
