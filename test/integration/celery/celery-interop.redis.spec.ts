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

    it('a Celeriac worker killed with SIGKILL mid-task: the task stays in unacked while the worker lives, then is restored after the visibility timeout and runs elsewhere', async () => {
      const { producer } = apps();
      await doomed.next((e) => e.event === 'listening', 60_000);
      const id = await producer.send({ task: 'js.slow', queue: KILL_QUEUE, args: ['r1'] });
      await doomed.next((e) => e.event === 'started', 20_000);
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
        // The running task is renewed: past the visibility timeout it is still its worker's alone.
        await new Promise((resolve) => setTimeout(resolve, VISIBILITY_TIMEOUT_MS * 1.5));
        expect(await redis.lrange(RUNS_KEY, 0, -1)).toEqual([String(doomed.pid)]);
        expect(await unackedEntryOf(id)).toBeDefined();

        await doomed.kill();
        const answer = await producer.get(id, 30);
        expect(answer).toEqual(expect.objectContaining({ ok: true, result: `r1 by ${process.pid}` }));
        expect(await redis.lrange(RUNS_KEY, 0, -1)).toEqual([String(doomed.pid), String(process.pid)]);
        expect(await unackedEntryOf(id)).toBeUndefined();
      } finally {
        await survivor.close();
      }
    }, 90_000);
  },
});

/** The unacked entry holding the task's message, if any. */
async function unackedEntryOf(taskId: string): Promise<string | undefined> {
  const entries = await redis.hvals(`${KOMBU_PREFIX}unacked`);
  return entries.find((entry) => entry.includes(taskId));
}
