import { randomUUID } from 'node:crypto';
import { type INestApplication, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { BrokerUnavailableError, type TaskClient } from '../../../lib/index.js';
import { CapturedLogs } from '../../support/captured-logs.js';
import { EchoTasks, startEchoApp } from '../../support/echo-app.js';
import { inspector as inspectorOf } from '../redis/support/redis-env.js';
import { RedisServer } from '../redis/support/redis-server.js';
import { eventually } from '../redis/support/wait.js';

const DEADLINE_MS = 500;

/**
 * A Redis frozen by SIGSTOP keeps its sockets open and answers nothing: without deadlines every call
 * hangs until it thaws. With them a send fails within its deadline, the HTTP route says 503, and the
 * worker goes on after the thaw.
 */
describe('a frozen Redis (SIGSTOP)', () => {
  let server: RedisServer;
  let app: INestApplication;
  let client: TaskClient;
  let inspector: Redis;
  let logs: CapturedLogs;

  beforeAll(async () => {
    server = await RedisServer.start();
    inspector = inspectorOf(server.url);
    logs = new CapturedLogs();
    const deadlines = { commandTimeoutMs: DEADLINE_MS };
    ({ app, client } = await startEchoApp({
      broker: server.url,
      prefix: `freeze-${randomUUID()}`,
      // The default 30 s lease: queued tasks must not wait for it after the thaw.
      brokerOptions: deadlines,
      backendOptions: deadlines,
    }));
    Logger.overrideLogger(logs);
  });

  afterAll(async () => {
    server.resume();
    inspector?.disconnect();
    await app?.close();
    await server?.stop();
  });

  it('sends fail with BrokerUnavailableError within the deadline, @Accepted() answers 503, and the worker resumes after the thaw', async () => {
    expect(await (await client.send(EchoTasks, 'echo', [1])).wait({ timeout: 10_000 })).toBe(1);
    // Due while Redis is frozen: waiting in the broker's delayed set, taken once it thaws.
    const queued = await Promise.all(
      [2, 3, 4].map((n) => client.send(EchoTasks, 'echo', [n], { countdown: 300 })),
    );

    // Frozen while the consumer is idle in its blocking read, as an idle worker mostly is.
    await eventually('the consumer blocked on Redis', async () =>
      /name=celeriac:blocking:freeze-\S+ .*flags=b /.test(String(await inspector.client('LIST')))
        ? true
        : undefined,
    );
    server.pause();
    try {
      const started = Date.now();
      const failures = await Promise.all(
        [5, 6, 7].map((n) => client.send(EchoTasks, 'echo', [n]).catch((error: unknown) => error)),
      );
      const took = Date.now() - started;
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(BrokerUnavailableError);
        expect((failure as Error).message).toMatch(/no reply from Redis within commandTimeoutMs/);
      }
      // The deadline plus scheduling slack on a loaded machine, far below a hang.
      expect(took).toBeLessThan(DEADLINE_MS * 6);

      const res = await request(app.getHttpServer()).post('/echo').expect(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toMatchObject({ statusCode: 503, code: 'BROKER_UNAVAILABLE' });
      // Frozen until the idle consumer, too, has found Redis not answering (its one outage line).
      await logs.next('warn', new RegExp(`^Redis at 127\\.0\\.0\\.1:${server.port} is unreachable`));
    } finally {
      server.resume();
    }

    // Well within the 30 s lease: nothing the freeze cut short stays leased to a reply nobody read.
    const results = await Promise.all(queued.map((handle) => handle.wait({ timeout: 15_000 })));
    expect(results).toEqual([2, 3, 4]);
    expect(await (await client.send(EchoTasks, 'echo', [8])).wait({ timeout: 10_000 })).toBe(8);
  });
});
