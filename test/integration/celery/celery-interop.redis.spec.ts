import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { startWorkerApp } from '../../support/worker-app.js';
import { ChildWorker } from '../redis/support/child-process.js';
import { deleteKeys, inspector } from '../redis/support/redis-env.js';
import { LEGACY } from './support/interop-tasks.js';
import { KILL_QUEUE, KillTasks, RUNS_KEY } from './support/kombu-kill-tasks.js';
import { describeCeleryInterop, waitForDeadLetter } from './support/interop.cases.js';

const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** kombu's `global_keyprefix` of this spec: its lists, `unacked` and bindings stay apart on the shared Redis. */
const NAMESPACE = `celeriac-kombu-${randomUUID()}`;
const KOMBU_PREFIX = `${NAMESPACE}:`;
/** Short, so a killed worker's task comes back within the test (kombu's default is an hour). */
const VISIBILITY_TIMEOUT_MS = 3_000;
const KOMBU_WORKER = new URL('./support/kombu-worker.main.ts', import.meta.url);

const KOMBU_OPTIONS = { globalKeyPrefix: KOMBU_PREFIX, visibilityTimeoutMs: VISIBILITY_TIMEOUT_MS };

let redis: Redis;
/** The worker process the kill -9 case kills; it boots while the other cases run. */
let doomed: ChildWorker;

beforeAll(() => {
  redis = inspector(REDIS);
  doomed = ChildWorker.start(KOMBU_WORKER, {
    REDIS_URL: REDIS,
    PREFIX: `${NAMESPACE}-doomed`,
    KOMBU_PREFIX,
    VISIBILITY_TIMEOUT_MS: String(VISIBILITY_TIMEOUT_MS),
    CELERY_QUEUE: KILL_QUEUE,
    RUNS_KEY,
    TASK_MODE: 'hang',
  });
});

afterAll(async () => {
  await doomed?.kill();
  await deleteKeys(redis, NAMESPACE);
  await redis.del(RUNS_KEY);
  redis.disconnect();
}, 30_000);

describeCeleryInterop('Redis', REDIS, REDIS, {
  brokerOptions: { kombu: KOMBU_OPTIONS },
  transportOptions: { global_keyprefix: KOMBU_PREFIX, visibility_timeout: VISIBILITY_TIMEOUT_MS / 1000 },
  cliArgs: ['--kombu-prefix', KOMBU_PREFIX],
  moreCases: (apps) => {
    it('lays the queue out as kombu does: its binding set, nothing left in unacked once a task is done', async () => {
      const { producer } = apps();
      const id = await producer.send({ task: 'js.add', queue: LEGACY, args: [20, 22] });
      expect(await producer.get(id)).toEqual(expect.objectContaining({ ok: true, result: 42 }));
      expect(await redis.smembers(`${KOMBU_PREFIX}_kombu.binding.${LEGACY}`)).toContain(
        `${LEGACY}\x06\x16\x06\x16${LEGACY}`,
      );
      const unacked = await redis.hvals(`${KOMBU_PREFIX}unacked`);
      expect(unacked.filter((entry) => entry.includes(id))).toEqual([]);
    });

    it('dead-letters a list element that is not a kombu message, and goes on serving', async () => {
      const { nest, producer } = apps();
      await redis.lpush(`${KOMBU_PREFIX}${LEGACY}`, 'garbage{');
      const letter = await waitForDeadLetter(nest, createHash('sha1').update('garbage{').digest('hex'));
      expect(letter).toMatchObject({ body: 'garbage{', reason: 'not a kombu message (not JSON)' });
      const id = await producer.send({ task: 'js.add', queue: LEGACY, args: [1, 2] });
      expect(await producer.get(id)).toEqual(expect.objectContaining({ ok: true, result: 3 }));
    });

    it("a Celeriac worker killed with SIGKILL mid-task: its tasks stay in unacked while it lives, then Celery's restore and Celeriac's each bring one back, and another worker runs both", async () => {
      const { producer } = apps();
      await doomed.next((e) => e.event === 'listening', 60_000);
      const ids = [
        await producer.send({ task: 'js.slow', queue: KILL_QUEUE, args: ['r1'] }),
        await producer.send({ task: 'js.slow', queue: KILL_QUEUE, args: ['r2'] }),
      ];
      await doomed.next((e) => e.event === 'started' && e.reportId === 'r1', 20_000);
      await doomed.next((e) => e.event === 'started' && e.reportId === 'r2', 20_000);

      // Running tasks are renewed: past the visibility timeout they are still their worker's alone.
      await new Promise((resolve) => setTimeout(resolve, VISIBILITY_TIMEOUT_MS * 1.5));
      expect(await redis.lrange(RUNS_KEY, 0, -1)).toEqual([String(doomed.pid), String(doomed.pid)]);
      expect(await unackedEntriesOf(ids)).toHaveLength(2);

      await doomed.kill();
      // Celery's own restore (kombu's restore_visible, one entry) puts one back on the queue once the
      // timeout has passed since the last renewal.
      const list = `${KOMBU_PREFIX}${KILL_QUEUE}`;
      await eventually(async () => {
        await producer.restoreVisible(1);
        return (await redis.llen(list)) >= 1;
      }, 'Celery to restore an entry of the killed worker');
      // (The Celery worker of this spec restores on its own every 100 s or so; it may take the other.)
      expect((await redis.llen(list)) + (await unackedEntriesOf(ids)).length).toBe(2);

      // A new Celeriac worker takes that one and restores the other itself.
      const survivor = await startWorkerApp(
        [KillTasks],
        {
          broker: REDIS,
          brokerOptions: { kombu: KOMBU_OPTIONS },
          backend: REDIS,
          backendOptions: { format: 'celery' },
          queues: { [KILL_QUEUE]: { pool: 'async', protocol: 'celery' } },
        },
        { queues: [KILL_QUEUE] },
      );
      try {
        const answers = await Promise.all(ids.map((id) => producer.get(id, 30)));
        expect(answers.map((answer) => answer.result).sort()).toEqual([
          `r1 by ${process.pid}`,
          `r2 by ${process.pid}`,
        ]);
        expect((await redis.lrange(RUNS_KEY, 0, -1)).slice(2)).toEqual([
          String(process.pid),
          String(process.pid),
        ]);
        expect(await unackedEntriesOf(ids)).toEqual([]);
      } finally {
        await survivor.close();
      }
    }, 90_000);
  },
});

/** The unacked entries holding these tasks' messages. */
async function unackedEntriesOf(taskIds: string[]): Promise<string[]> {
  const entries = await redis.hvals(`${KOMBU_PREFIX}unacked`);
  return entries.filter((entry) => taskIds.some((id) => entry.includes(id)));
}

/** Checks until `condition` holds (each check acts, so this is not a wait for a timer), guarded. */
async function eventually(condition: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
