import type { INestApplicationContext } from '@nestjs/common';
import { TaskClient, TaskState } from '../../lib/index.js';
import { RedisServer } from '../integration/redis/support/redis-server.js';
import { ChaosRig } from './support/chaos-rig.js';
import { sendLoad, sendOne, startProducer } from './support/load.js';
import { POISON_QUEUES } from './support/poison-tasks.js';
import { RabbitNode } from '../support/rabbit-node.js';
import { expectPoisonContained } from './support/poison-scenario.js';
import { expectClean } from './support/verdict.js';

/** RabbitMQ closes a connection that sent nothing for about two heartbeats. */
const HEARTBEAT_SECONDS = 2;
/** Long past two heartbeats: RabbitMQ has dropped the blocked worker and redelivered its messages. */
const BLOCK_MS = 12_000;
/** A duplicate is explained if its first run overlapped the block, give or take two heartbeats. */
const SLACK_MS = 2 * HEARTBEAT_SECONDS * 1_000;
const COUNT = 200;
/** The poison worker's delivery limit: the third delivery of a message that killed it twice is poison. */
const MAX_DELIVERIES = 2;

/**
 * Faults inside a worker, under load, on a RabbitMQ node of this file's own (results in a Redis of
 * its own): a task that blocks its worker's event loop past two AMQP heartbeats, and tasks that
 * kill the process running them. Two worker processes run the load (an `async` queue, and a
 * `processes` queue for the poison that kills its pool child), a third serves the poison queue
 * that kills its worker; a producer in this process and a ledger of every task.
 */
describe('chaos: a blocked event loop and poison tasks on RabbitMQ', () => {
  let node: RabbitNode;
  let redis: RedisServer;
  let rig: ChaosRig;
  let producer: INestApplicationContext;
  let client: TaskClient;
  const loadQueues = ['io', POISON_QUEUES.crash];

  beforeAll(async () => {
    [node, redis] = await Promise.all([RabbitNode.start(), RedisServer.start()]);
    rig = new ChaosRig({
      broker: node.url,
      backend: redis.url,
      queues: {
        io: { pool: 'async', concurrency: 20 },
        [POISON_QUEUES.crash]: { pool: 'processes', concurrency: 1 },
        [POISON_QUEUES.poison]: { pool: 'solo' },
      },
      brokerOptions: { heartbeatSeconds: HEARTBEAT_SECONDS, reconnectMaxDelayMs: 1_000 },
      backendOptions: { checkConfig: false },
    });
    await Promise.all([rig.startWorker({}, loadQueues), rig.startWorker({}, loadQueues)]);
    producer = await startProducer(rig.moduleOptions());
    client = producer.get(TaskClient);
  }, 180_000);

  afterAll(async () => {
    await producer?.close();
    await rig?.stop();
    await Promise.allSettled([node?.stop(), redis?.stop()]);
  });

  it('a loop blocked past two heartbeats: the copy run elsewhere stands, the blocked run is refused and reported, never a second SUCCESS', async () => {
    const ledger = rig.newLedger();
    const load = sendLoad(client, ledger, { count: COUNT });
    await rig.whenFinished(COUNT / 4);
    // RabbitMQ drops the blocked worker's connection and hands its messages to the other worker,
    // which runs the copy (it does not block) long before the first run comes back.
    const id = await sendOne(client, ledger, 'blockOnce', [BLOCK_MS]);
    await load;
    const lost = await Promise.any(
      rig.workers.map((worker) =>
        worker.next((event) => event.event === 'task-lease-lost' && event.id === id, 60_000),
      ),
    );
    await rig.drain(60_000, SLACK_MS);
    const [blocked, copy] = ledger.runsOf(id);
    expect(ledger.finished(id)).toHaveLength(2);
    expect(blocked.worker).toBe(String(lost.pid));
    expect(copy.worker).not.toBe(blocked.worker);
    ledger.markFault('event loop blocked past two heartbeats', blocked.started, blocked.done!);
    expectClean(ledger, `event loop blocked ${BLOCK_MS / 1000} s on RabbitMQ`, SLACK_MS);
    // The newer attempt's outcome stands; the blocked run's late SUCCESS was refused.
    expect(await client.handle(id).info()).toMatchObject({
      state: TaskState.SUCCESS,
      result: `${id} by ${copy.worker}`,
    });
  });

  it('poison tasks: one that kills its pool child fails once; one that kills its worker is dead-lettered after maxDeliveries; the rest of the load runs once', async () => {
    await expectPoisonContained({
      rig,
      producer,
      client,
      scenario: 'poison tasks on RabbitMQ',
      count: COUNT,
      maxDeliveries: MAX_DELIVERIES,
      settleMs: 1_000,
    });
  });
});
