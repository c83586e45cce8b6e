import { Injectable } from '@nestjs/common';
import { Task } from '../../../lib/index.js';
import { deleteRedisKeys } from '../../../bench/support/redis-keys.js';
import { CapturedLogs } from '../../support/captured-logs.js';
import { startWorkerApp, type WorkerApp } from '../../support/worker-app.js';
import { AMQP_URL, deleteByPrefix } from '../amqp/support/rabbit.js';
import { REDIS_URL } from '../redis/support/redis-env.js';

@Injectable()
class Tasks {
  @Task()
  echo(value: string): string {
    return value;
  }

  @Task({ queue: 'lonely' })
  lonely(value: string): string {
    return value;
  }
}

const WINDOW_MS = 200;

describe.each([
  ['Redis', REDIS_URL, 'redis://127.0.0.1:6379'],
  ['RabbitMQ', AMQP_URL, 'amqp://guest:***@127.0.0.1:5672'],
])('%s: a queue no worker consumes', (_name, broker, shown) => {
  let app: WorkerApp;
  let logs: CapturedLogs;

  beforeEach(async () => {
    logs = new CapturedLogs();
    // A worker for `default` only, as when `lonely` was left out of its queues.
    app = await startWorkerApp(
      [Tasks],
      {
        broker,
        backend: REDIS_URL,
        queues: { default: { pool: 'async' }, lonely: { pool: 'async' } },
        unconsumedQueueWarning: WINDOW_MS,
        logger: logs,
      },
      { queues: ['default'] },
    );
  });

  afterEach(async () => {
    await app.close();
    await deleteRedisKeys(app.prefix);
    if (broker === AMQP_URL) await deleteByPrefix(app.prefix);
  });

  it('is named by a warning on the sending side, once; a consumed queue is not', async () => {
    const echoed = await app.client.send(Tasks, 'echo', ['here']);
    await app.client.send(Tasks, 'lonely', ['nobody']);
    await expect(echoed.wait({ timeout: 10_000 })).resolves.toBe('here');

    const warning = await logs.next('warn', /^queue "lonely"/);
    expect(warning.message).toBe(
      `queue "lonely" has 1 task(s) waiting and no worker consuming it (${WINDOW_MS} ms after a send): ` +
        `start a worker whose queues include "lonely" (new CeleriacWorker({ queues: [..., 'lonely'] })) ` +
        `on ${shown} with prefix "${app.prefix}".`,
    );
    // The consumed queue was looked at too, and found a consumer.
    await logs.next('debug', /^queue "default": 1 consumer\(s\)/);

    // A later send looks again after its window, and says nothing new.
    await app.client.send(Tasks, 'lonely', ['still nobody']);
    await logs.next('debug', /^queue "lonely": 0 consumer\(s\), 2 ready/);
    expect(logs.at('warn').filter((line) => line.message.startsWith('queue '))).toHaveLength(1);
  });
});
