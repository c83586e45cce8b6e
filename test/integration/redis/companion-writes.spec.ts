import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { countCalls } from '../../../bench/support/redis-calls.js';
import {
  CeleriacModule,
  CeleriacRuntime,
  type CeleriacModuleOptions,
  TaskClient,
  TaskState,
} from '../../../lib/index.js';
import { RedisServer } from './support/redis-server.js';

type Calls = Awaited<ReturnType<typeof countCalls>>;

async function startProducer(options: CeleriacModuleOptions): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CeleriacModule.forRoot({
        prefix: `companion-${randomUUID()}`,
        producerOnly: true,
        logger: false,
        brokerOptions: { checkConfig: false },
        backendOptions: { checkConfig: false },
        unconsumedQueueWarning: false,
        ...options,
      }),
    ],
  }).compile();
  return moduleRef.init();
}

/**
 * A send's PENDING record goes inside the publish script (one client call) only where broker and
 * backend share one standalone Redis; elsewhere the two are written apart, and both still land.
 * Calls are counted with MONITOR (commands a client sent; those run inside scripts left out) on
 * throw-away servers, so nothing else is counted.
 */
describe('companion writes on the send path', () => {
  let first: RedisServer;
  let second: RedisServer;
  let app: INestApplicationContext | undefined;
  const counters: Calls[] = [];

  beforeAll(async () => {
    [first, second] = await Promise.all([RedisServer.start(), RedisServer.start()]);
  }, 30_000);

  afterEach(async () => {
    await app?.close();
    app = undefined;
    for (const counter of counters.splice(0)) counter.close();
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  const counted = async (url: string): Promise<Calls> => {
    const calls = await countCalls(url);
    counters.push(calls);
    return calls;
  };

  it('one client call per send, and one per batch, where broker and backend share a standalone Redis', async () => {
    app = await startProducer({ broker: first.url, queues: { default: {} } });
    const client = app.get(TaskClient);
    await client.sendByName('Remote.warmUp', []); // connects and opens the reply channel
    const calls = await counted(first.url);
    await calls.take();
    const handle = await client.sendByName('Remote.run', [1]);
    expect(await calls.take()).toBe(1);
    const batch = await client.sendManyByName('Remote.run', [[1], [2], [3], [4], [5]]);
    expect(await calls.take()).toBe(1);
    expect(await client.handle(handle.id).info()).toMatchObject({
      state: TaskState.PENDING,
      task: 'Remote.run',
    });
    for (const sent of batch) expect(await client.handle(sent.id).state()).toBe(TaskState.PENDING);
    expect(await app.get(CeleriacRuntime).broker.size('default')).toBe(7);
  });

  it('writes apart when broker and backend are different Redis servers: one call on each, both stored', async () => {
    app = await startProducer({ broker: first.url, backend: second.url, queues: { default: {} } });
    const client = app.get(TaskClient);
    await client.sendByName('Remote.warmUp', []);
    const [onBroker, onBackend] = await Promise.all([counted(first.url), counted(second.url)]);
    await Promise.all([onBroker.take(), onBackend.take()]);
    const handle = await client.sendByName('Remote.run', [1]);
    expect([await onBroker.take(), await onBackend.take()]).toEqual([1, 1]);
    await client.sendManyByName('Remote.run', [[1], [2], [3]]);
    // The batch is one script on the broker; the records are one SET each, auto-pipelined together.
    expect([await onBroker.take(), await onBackend.take()]).toEqual([1, 3]);
    const backend = new Redis(second.url);
    try {
      expect(await backend.exists(`${app.get(CeleriacRuntime).options.prefix}:task:${handle.id}`)).toBe(1);
    } finally {
      backend.disconnect();
    }
    expect(await client.handle(handle.id).state()).toBe(TaskState.PENDING);
    expect(await app.get(CeleriacRuntime).broker.size('default')).toBe(5);
  });

  it("writes apart on a Celery-protocol (kombu) queue: the record first, then kombu's own push", async () => {
    app = await startProducer({ broker: first.url, queues: { legacy: { protocol: 'celery' } } });
    const client = app.get(TaskClient);
    await client.sendByName('tasks.warm_up', [], { queue: 'legacy' });
    const calls = await counted(first.url);
    await calls.take();
    const handle = await client.sendByName('tasks.add', [1, 2], { queue: 'legacy' });
    expect(await calls.take()).toBeGreaterThanOrEqual(2);
    expect(await client.handle(handle.id).info()).toMatchObject({
      state: TaskState.PENDING,
      task: 'tasks.add',
    });
    expect(await app.get(CeleriacRuntime).broker.size('legacy')).toBe(2);
  });
});
