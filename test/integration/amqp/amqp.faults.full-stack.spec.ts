import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { BrokerUnavailableError, Task, TaskClient, TaskState, type TaskHandle } from '../../../lib/index.js';
import { sleep } from '../../conformance/conformance-helpers.js';
import { RabbitNode } from '../../support/rabbit-node.js';
import { startWorkerApp, type WorkerApp } from '../../support/worker-app.js';
import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TASKS = 300;
const CONCURRENCY = 20;

const runs = new Map<string, number>();

@Injectable()
class LoadTasks {
  @Task({ queue: 'load' })
  async work(key: string): Promise<string> {
    runs.set(key, (runs.get(key) ?? 0) + 1);
    await sleep(5);
    return `done ${key}`;
  }
}

/**
 * Full stack on RabbitMQ with results in Redis, while RabbitMQ drops every connection: the broker
 * is a throw-away node of its own (the fault would cut everyone on the shared one); results stay
 * in the shared Redis under the app's own prefix.
 */
describe('Celeriac on RabbitMQ: every connection closed under load', () => {
  let node: RabbitNode;
  let worker: WorkerApp | undefined;

  beforeAll(async () => {
    node = await RabbitNode.start();
  }, 150_000);
  afterEach(async () => {
    await worker?.close();
    if (worker) await deleteRedisKeys(worker.prefix, REDIS_URL);
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('completes every task; only tasks in flight at the cut run twice', async () => {
    worker = await startWorkerApp([LoadTasks], {
      broker: node.url,
      backend: REDIS_URL,
      queues: { load: { pool: 'async', concurrency: CONCURRENCY } },
      backendOptions: { checkConfig: false },
    });
    const client = worker.client;
    const handles: TaskHandle<string>[] = [];
    for (let i = 0; i < TASKS; i++) {
      handles.push(await sendWhenUp(client, `t-${i}`));
      if (i === TASKS / 3) await node.ctl('close_all_connections', 'test');
    }
    const results = await Promise.all(handles.map((handle) => handle.wait({ timeout: 60_000 })));

    expect(results).toEqual(handles.map((_, i) => `done t-${i}`));
    expect(await Promise.all(handles.map((handle) => handle.state()))).toEqual(
      handles.map(() => TaskState.SUCCESS),
    );
    const twice = [...runs.values()].filter((count) => count > 1);
    expect(runs.size).toBe(TASKS);
    expect(twice.length).toBeLessThanOrEqual(CONCURRENCY);
  }, 120_000);
});

/** A producer that retries while RabbitMQ is unreachable, as an API would behind a 503 and a retry. */
async function sendWhenUp(client: TaskClient, key: string): Promise<TaskHandle<string>> {
  for (;;) {
    try {
      return await client.send(LoadTasks, 'work', [key]);
    } catch (error) {
      if (!(error instanceof BrokerUnavailableError)) throw error;
      await sleep(100);
    }
  }
}
