import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { connect } from 'amqplib';
import { PROTOCOL_VERSION, Task, TaskState } from '../../../lib/index.js';
import { sleep, within } from '../../conformance/conformance-helpers.js';
import { startWorkerApp, type WorkerApp } from '../../support/worker-app.js';
import { AMQP_URL, deleteByPrefix } from './support/rabbit.js';

@Injectable()
class MathTasks {
  @Task({ queue: 'math' })
  add(a: number, b: number): number {
    return a + b;
  }
}

/**
 * API and worker in one process on RabbitMQ with the default (embedded memory) result backend:
 * the single-process combination the broker README describes.
 */
describe('Celeriac on RabbitMQ, API and worker in one process', () => {
  let app: WorkerApp;

  beforeEach(async () => {
    app = await startWorkerApp([MathTasks], {
      broker: AMQP_URL,
      queues: { math: { pool: 'async', concurrency: 4 } },
    });
  });
  afterEach(async () => {
    await app.close();
    await deleteByPrefix(app.prefix);
  });

  it('runs a task and hands its result to the caller', async () => {
    const handle = await app.client.send(MathTasks, 'add', [2, 3]);
    expect(await handle.wait({ timeout: 10_000 })).toBe(5);
    expect(await handle.state()).toBe(TaskState.SUCCESS);
  });

  it('runs a countdown no sooner than asked', async () => {
    const sentAt = Date.now();
    const handle = await app.client.send(MathTasks, 'add', [1, 1], { countdown: 500 });
    expect(await handle.wait({ timeout: 10_000 })).toBe(2);
    expect((await handle.info())!.updatedAt - sentAt).toBeGreaterThanOrEqual(500 - 25);
  });

  it('dead-letters malformed and unknown messages with the reason, and keeps serving', async () => {
    const model = await connect(AMQP_URL);
    const channel = await model.createConfirmChannel();
    const publish = (body: string, messageId: string) =>
      channel.publish(`${app.prefix}.tasks`, 'math', Buffer.from(body), { persistent: true, messageId });
    publish('{not json', 'garbage-1');
    const unknown = {
      v: PROTOCOL_VERSION,
      id: 'unknown-task-1',
      task: 'Nope.missing',
      queue: 'math',
      args: [],
      kwargs: {},
      retries: 0,
      createdAt: Date.now(),
      rootId: 'unknown-task-1',
    };
    publish(JSON.stringify(unknown), 'unknown-1');
    await channel.waitForConfirms();
    await model.close();

    const handle = await app.client.send(MathTasks, 'add', [20, 22]);
    expect(await handle.wait({ timeout: 10_000 })).toBe(42);
    const letters = await within(deadLettersOf(app, 2), 'two dead letters');
    expect(letters.map((l) => l.messageId)).toEqual(['garbage-1', 'unknown-1']);
    expect(letters[0]).toMatchObject({ body: '{not json', reason: expect.stringMatching(/not JSON/) });
    expect(letters[1].reason).toMatch(/unknown task "Nope.missing"/);
  });
});

async function deadLettersOf(app: WorkerApp, count: number) {
  for (;;) {
    const letters = await app.runtime.broker.deadLetters('math');
    if (letters.length >= count) return letters;
    await sleep(50);
  }
}
