import { randomUUID } from 'node:crypto';
import { RedisBackend } from '../../../lib/backends/redis/redis.backend.js';
import { TaskState } from '../../../lib/backends/task-state.js';
import type { TaskRecord } from '../../../lib/backends/task-record.js';
import type { RedisBroker } from '../../../lib/brokers/redis/redis.broker.js';
import { BrokerUnavailableError } from '../../../lib/errors/broker-unavailable.error.js';
import { Collector } from '../../conformance/conformance-helpers.js';
import { redisBroker } from './support/redis-env.js';
import { RedisServer } from './support/redis-server.js';
import { eventually, sleep } from './support/wait.js';

const BEFORE_CRASH = 100;
const AFTER_RESTART = 100;

describe('Redis restarted during a run', () => {
  let server: RedisServer;
  let brokers: RedisBroker[];
  let backends: RedisBackend[];
  const prefix = 'celeriac-restart';

  beforeAll(async () => {
    // Every write is on disk before Redis replies, so a crash keeps everything Redis accepted.
    server = await RedisServer.start(['--appendonly', 'yes', '--appendfsync', 'always']);
  });

  afterAll(async () => {
    await Promise.allSettled([...brokers, ...backends].map((client) => client.close()));
    await server.stop();
  });

  beforeEach(() => {
    brokers = [];
    backends = [];
  });

  async function open(): Promise<RedisBroker> {
    const broker = redisBroker(prefix, { leaseMs: 1_000, renewEveryMs: 300, checkConfig: false }, server.url);
    brokers.push(broker);
    await broker.connect();
    return broker;
  }

  it('refuses publishes while Redis is down, and workers resume by themselves with nothing lost', async () => {
    const producer = await open();
    const processed = new Set<string>();
    for (const worker of [await open(), await open()]) {
      await worker.consume(
        'jobs',
        (delivery) => {
          void sleep(5)
            .then(() => delivery.ack())
            .then(() => processed.add(delivery.body))
            .catch(() => undefined); // an ack lost to the crash: the message comes back after its lease
        },
        { prefetch: 4 },
      );
    }
    const backend = new RedisBackend({ url: server.url, prefix, extra: { checkConfig: false } });
    backends.push(backend);
    await backend.connect();
    const taskId = randomUUID();
    const seen = new Collector<TaskRecord>();
    await backend.watch(taskId, seen.push);

    const accepted: string[] = [];
    const refusals: unknown[] = [];
    let sent = 0;
    const publish = async (): Promise<void> => {
      const body = `m${sent++}`;
      try {
        await producer.publish('jobs', body);
        accepted.push(body);
      } catch (error) {
        refusals.push(error);
      }
      await sleep(5);
    };
    while (sent < BEFORE_CRASH) await publish();
    let restarted = false;
    const restart = server
      .kill()
      .then(() => sleep(500))
      .then(() => server.restart())
      .then(() => (restarted = true));
    // Keep publishing through the outage until the producer has been heard again for a while.
    let acceptedAfterRestart = 0;
    const giveUpAt = Date.now() + 20_000;
    while (acceptedAfterRestart < AFTER_RESTART && Date.now() < giveUpAt) {
      const before = accepted.length;
      await publish();
      if (restarted && accepted.length > before) acceptedAfterRestart++;
    }
    await restart;
    expect(acceptedAfterRestart).toBe(AFTER_RESTART);

    expect(refusals.length).toBeGreaterThan(0);
    for (const refusal of refusals) expect(refusal).toBeInstanceOf(BrokerUnavailableError);
    await eventually('every accepted message to be processed', () =>
      accepted.every((body) => processed.has(body)) ? true : undefined,
    );
    await eventually('the queue to drain', async () =>
      (await producer.size('jobs')) === 0 ? true : undefined,
    );

    // The waiter subscribed before the crash still hears of a result written after it.
    await eventually('the backend to reconnect', async () =>
      backend
        .write({
          id: taskId,
          state: TaskState.SUCCESS,
          task: 't',
          queue: 'jobs',
          retries: 0,
          updatedAt: Date.now(),
        })
        .then(
          () => true,
          () => undefined,
        ),
    );
    const [record] = await seen.waitFor(1);
    expect(record).toMatchObject({ id: taskId, state: TaskState.SUCCESS });
  });
});
