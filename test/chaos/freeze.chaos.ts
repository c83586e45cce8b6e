import { randomUUID } from 'node:crypto';
import { type INestApplication, Logger } from '@nestjs/common';
import request from 'supertest';
import { BrokerUnavailableError, type TaskClient, type TaskHandle } from '../../lib/index.js';
import { CapturedLogs } from '../support/captured-logs.js';
import { EchoTasks, startEchoApp } from '../support/echo-app.js';
import { RedisServer } from '../integration/redis/support/redis-server.js';
import { RabbitNode } from '../support/rabbit-node.js';

const CONFIRM_MS = 800;

/**
 * RabbitMQ that answers nothing while its sockets stay open — publishers blocked by a memory alarm,
 * or the whole node frozen (SIGSTOP of its Erlang VM) — on a node of this file's own: sends fail with
 * BrokerUnavailableError within the confirm deadline, the HTTP route answers 503, and once RabbitMQ
 * answers again the worker completes what was sent. A stop_app / start_app outage is one log line
 * each way.
 */
describe('chaos: a frozen RabbitMQ', () => {
  let node: RabbitNode;
  let redis: RedisServer;
  let app: INestApplication;
  let client: TaskClient;
  const logs = new CapturedLogs();

  beforeAll(async () => {
    [node, redis] = await Promise.all([RabbitNode.start(), RedisServer.start()]);
    ({ app, client } = await startEchoApp({
      broker: node.url,
      backend: redis.url,
      prefix: `freeze-${randomUUID()}`,
      brokerOptions: { confirmTimeoutMs: CONFIRM_MS, commandTimeoutMs: CONFIRM_MS, reconnectMaxDelayMs: 500 },
      backendOptions: { checkConfig: false },
    }));
    Logger.overrideLogger(logs);
    expect(await (await client.send(EchoTasks, 'echo', [1])).wait({ timeout: 20_000 })).toBe(1);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await Promise.allSettled([node?.stop(), redis?.stop()]);
  });

  /** Sends during the fault: each fails with BrokerUnavailableError, all within the deadline. */
  async function expectSendsRefused(): Promise<void> {
    const started = Date.now();
    const failures = await Promise.all(
      [10, 11, 12].map((n) => client.send(EchoTasks, 'echo', [n]).catch((error: unknown) => error)),
    );
    const took = Date.now() - started;
    for (const failure of failures) expect(failure).toBeInstanceOf(BrokerUnavailableError);
    expect(took).toBeLessThan(CONFIRM_MS * 6);
    const res = await request(app.getHttpServer()).post('/echo').expect(503);
    expect(res.body).toMatchObject({ statusCode: 503, code: 'BROKER_UNAVAILABLE' });
  }

  it('publishers blocked by a memory alarm: sends refused within the deadline, 503; after the alarm, tasks complete', async () => {
    await node.ctl('set_vm_memory_high_watermark', '0');
    try {
      await expectSendsRefused();
    } finally {
      await node.ctl('set_vm_memory_high_watermark', '0.4');
    }
    // The publishing connection is unblocked once RabbitMQ says so; sends work again.
    const handle = await eventuallySent(20);
    expect(await handle.wait({ timeout: 20_000 })).toBe(20);
  });

  it('the node frozen (SIGSTOP of its VM): sends refused within the deadline, 503; after SIGCONT the worker completes queued tasks', async () => {
    const queued = await Promise.all(
      [2, 3, 4].map((n) => client.send(EchoTasks, 'echo', [n], { countdown: 300 })),
    );
    const beam = Number(JSON.parse(await node.ctl('eval', 'os:getpid().')));
    process.kill(beam, 'SIGSTOP');
    try {
      await expectSendsRefused();
    } finally {
      process.kill(beam, 'SIGCONT');
    }
    expect(await Promise.all(queued.map((handle) => handle.wait({ timeout: 30_000 })))).toEqual([2, 3, 4]);
    const handle = await eventuallySent(21);
    expect(await handle.wait({ timeout: 20_000 })).toBe(21);
  });

  it('stop_app then start_app: one WARN line for the outage and one when RabbitMQ is back, however many connections retried', async () => {
    const where = `RabbitMQ at 127.0.0.1:${node.port}`;
    const before = logs.lines.length;
    await node.ctl('stop_app');
    await logs.next('warn', new RegExp(`^${where} is unreachable`));
    await node.ctl('start_app');
    await logs.next('log', new RegExp(`^${where} is reachable again`));
    const handle = await eventuallySent(22);
    expect(await handle.wait({ timeout: 20_000 })).toBe(22);
    const lines = logs.lines.slice(before).filter((line) => line.message.startsWith(where));
    expect(lines.map((line) => line.level)).toEqual(['warn', 'log']);
  });

  /** The first send RabbitMQ confirms once it answers again (earlier ones may still be refused). */
  async function eventuallySent(value: number): Promise<TaskHandle<number>> {
    const until = Date.now() + 30_000;
    for (;;) {
      try {
        return await client.send(EchoTasks, 'echo', [value]);
      } catch (error) {
        if (!(error instanceof BrokerUnavailableError) || Date.now() > until) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
});
