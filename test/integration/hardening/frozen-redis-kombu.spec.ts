import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Task } from '../../../lib/index.js';
import { newKombuPayload } from '../../../lib/brokers/redis/kombu/kombu-payload.js';
import { CapturedLogs } from '../../support/captured-logs.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
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

/** A BRPOP as ioredis writes it (RESP), whatever its keys. */
const BRPOP = /\$5\r\nbrpop\r\n/i;

/**
 * A `protocol: 'celery'` queue (kombu's list layout) on a Redis frozen by SIGSTOP while its consumer
 * blocks in BRPOP. Once the consumer's read passes its deadline, a consumer that kept fetching would
 * send fetches into the freeze that run at the thaw and record the queued messages as unacked for
 * replies nobody reads (hidden for kombu's visibility timeout); a consumer that dropped its blocking
 * connection would leave Redis a read that may pop a message at the thaw into a reply nobody reads
 * (lost). Every message pushed during the freeze runs once, right after the thaw. The worker reaches
 * Redis through a relay, so a test can freeze Redis the moment a BRPOP goes out to it.
 */
describe('a frozen Redis (SIGSTOP) under a kombu-layout queue', () => {
  let server: RedisServer;
  let proxy: TcpProxy;
  let worker: WorkerApp;
  let inspector: Redis;
  const prefix = `kfreeze-${randomUUID()}`;
  const kombu = { globalKeyPrefix: `${prefix}:` };

  beforeAll(async () => {
    server = await RedisServer.start();
    proxy = await TcpProxy.start(server.port);
    inspector = inspectorOf(server.url);
    worker = await startWorkerApp(
      [FreezeTasks],
      {
        broker: `redis://127.0.0.1:${proxy.port}`,
        prefix,
        brokerOptions: { commandTimeoutMs: DEADLINE_MS, maxBlockMs: 1_000, kombu },
        backendOptions: { commandTimeoutMs: DEADLINE_MS },
        queues: { [QUEUE]: { pool: 'async', protocol: 'celery' } },
      },
      { queues: [QUEUE] },
    );
  });

  afterAll(async () => {
    server.resume();
    inspector?.disconnect();
    await worker?.close();
    await proxy?.stop();
    await server?.stop();
  });

  // Pushed as a Celery producer does (LPUSH of kombu's envelope), straight to Redis: a push into the
  // frozen server waits there and runs at the thaw.
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

  const ranOnce = async (ids: string[]): Promise<void> => {
    // Well within kombu's visibility timeout: nothing the freeze hid in unacked counts as run.
    await eventually('every message run', () => (ids.every((id) => runs.has(id)) ? true : undefined), 10_000);
    expect(ids.map((id) => runs.get(id))).toEqual(ids.map(() => 1));
  };

  /**
   * With Redis frozen (by the caller), pushes `ids` into it and thaws it once the consumer has found
   * Redis not answering (its read past its deadline, then a PING unanswered); the pushes run at the
   * thaw, ahead of anything the consumer sends afterwards.
   */
  const pushIntoFreeze = async (ids: string[]): Promise<void> => {
    const logs = new CapturedLogs();
    Logger.overrideLogger(logs);
    let pushed: Promise<unknown>;
    try {
      pushed = Promise.all(ids.map(publish));
      await logs.next('warn', new RegExp(`queue "${QUEUE}": (no answer|cannot fetch)`));
    } finally {
      server.resume();
    }
    await pushed;
  };

  /** Every id ran once, and a message sent after the thaw runs too: the consumer serves on. */
  const ranOnceAndServesOn = async (ids: string[], next: string): Promise<void> => {
    await ranOnce(ids);
    await publish(next);
    await eventually('a message sent after the thaw run', () => Promise.resolve(runs.get(next)));
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
  };

  it('runs every message pushed during the freeze exactly once after the thaw', async () => {
    await publish('before');
    await eventually('the first message run', () => Promise.resolve(runs.get('before')));
    // Frozen while the read is blocked in Redis (CLIENT LIST flags it `b`), not between two reads.
    await eventually('the consumer blocked in BRPOP', async () =>
      /flags=b\b[^\n]*cmd=brpop/.test(String(await inspector.client('LIST'))) ? true : undefined,
    );
    server.pause();
    const ids = ['m1', 'm2', 'm3', 'm4', 'm5'];
    await pushIntoFreeze(ids);

    await ranOnceAndServesOn(ids, 'after');
  }, 30_000);

  it('runs the message a BRPOP sent into the freeze pops at the thaw, and every other one', async () => {
    // The consumer's next read (its current one ends within maxBlockMs) reaches Redis only at the
    // thaw: Redis blocks it then, and serves it with a message pushed during the freeze.
    await proxy.onceClientSends(BRPOP, () => server.pause());
    const ids = ['n1', 'n2', 'n3'];
    await pushIntoFreeze(ids);

    await ranOnceAndServesOn(ids, 'later');
  }, 30_000);
});
