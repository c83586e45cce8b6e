import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Task } from '../../../lib/index.js';
import { newKombuPayload } from '../../../lib/brokers/redis/kombu/kombu-payload.js';
import { CapturedLogs } from '../../support/captured-logs.js';
import { startWorkerApp, type WorkerApp } from '../../support/worker-app.js';
import { inspector as inspectorOf } from '../redis/support/redis-env.js';
import { RedisServer } from '../redis/support/redis-server.js';
import { eventually } from '../redis/support/wait.js';

const DEADLINE_MS = 500;
const QUEUE = `kombu-freeze-${randomUUID().slice(0, 8)}`;
/** How often each task id ran in this process. */
const runs = new Map<string, number>();

@Injectable()
class FreezeTasks {
  @Task({ name: 'js.freeze', queue: QUEUE })
  record(id: string): string {
    runs.set(id, (runs.get(id) ?? 0) + 1);
    return id;
  }
}

/**
 * A `protocol: 'celery'` queue (kombu's list layout) on a Redis frozen by SIGSTOP while its consumer
 * is blocked in BRPOP: once ioredis cuts that read, a consumer that kept fetching would send fetches
 * into the freeze that run at the thaw and record the queued messages as unacked for replies nobody
 * reads (hidden for kombu's visibility timeout). Every message pushed during the freeze runs once,
 * right after the thaw.
 */
describe('a frozen Redis (SIGSTOP) under a kombu-layout queue', () => {
  let server: RedisServer;
  let worker: WorkerApp;
  let inspector: Redis;
  let logs: CapturedLogs;
  const prefix = `kfreeze-${randomUUID()}`;
  const kombu = { globalKeyPrefix: `${prefix}:` };

  beforeAll(async () => {
    server = await RedisServer.start();
    inspector = inspectorOf(server.url);
    logs = new CapturedLogs();
    worker = await startWorkerApp(
      [FreezeTasks],
      {
        broker: server.url,
        prefix,
        brokerOptions: { commandTimeoutMs: DEADLINE_MS, maxBlockMs: 1_000, kombu },
        backendOptions: { commandTimeoutMs: DEADLINE_MS },
        queues: { [QUEUE]: { pool: 'async', protocol: 'celery' } },
      },
      { queues: [QUEUE] },
    );
    Logger.overrideLogger(logs);
  });

  afterAll(async () => {
    server.resume();
    inspector?.disconnect();
    await worker?.close();
    await server?.stop();
  });

  it('runs every message pushed during the freeze exactly once after the thaw', async () => {
    // Pushed as a Celery producer does (LPUSH of kombu's envelope), waiting out a freeze.
    const publish = (id: string): Promise<unknown> => {
      const body = JSON.stringify([[id], {}, null]);
      const payload = newKombuPayload({
        queue: QUEUE,
        body,
        messageId: id,
        headers: { task: 'js.freeze', id },
      });
      return inspector.lpush(`${kombu.globalKeyPrefix}${QUEUE}`, JSON.stringify(payload));
    };
    await publish('before');
    await eventually('the first message run', () => Promise.resolve(runs.get('before')));

    await eventually('the consumer blocked in BRPOP', async () =>
      /cmd=brpop/.test(String(await inspector.client('LIST'))) ? true : undefined,
    );
    server.pause();
    const ids = ['m1', 'm2', 'm3', 'm4', 'm5'];
    let pushed: Promise<unknown>;
    try {
      // Written into the frozen server ahead of anything the consumer sends once its read is cut.
      pushed = Promise.all(ids.map(publish));
      // Frozen until the consumer has found Redis not answering (the BRPOP cut by its deadline).
      await logs.next('warn', /is unreachable|cannot fetch/);
    } finally {
      server.resume();
    }
    await pushed;

    // Well within kombu's visibility timeout: nothing the freeze hid in unacked counts as run.
    await eventually('every message run', () => (ids.every((id) => runs.has(id)) ? true : undefined), 10_000);
    expect(ids.map((id) => runs.get(id))).toEqual([1, 1, 1, 1, 1]);
    await publish('after');
    await eventually('a message sent after the thaw run', () => Promise.resolve(runs.get('after')));
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
  }, 30_000);
});
