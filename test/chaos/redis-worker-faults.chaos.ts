import type { INestApplicationContext } from '@nestjs/common';
import { TaskClient, TaskState } from '../../lib/index.js';
import { RedisServer } from '../integration/redis/support/redis-server.js';
import { ChaosRig } from './support/chaos-rig.js';
import { sendLoad, sendOne, startProducer } from './support/load.js';
import { POISON_QUEUES } from './support/poison-tasks.js';
import { expectPoisonContained } from './support/poison-scenario.js';
import { expectClean } from './support/verdict.js';

const LEASE_MS = 2_000;
/** How long a worker's lease thread renews for a silent event loop before taking it for wedged. */
const MAX_STALL_MS = 6_000;
/** A duplicate is explained if its first run overlapped a fault, give or take a lease. */
const SLACK_MS = LEASE_MS * 2;
const COUNT = 200;
/** The poison worker's delivery limit: the third delivery of a message that killed it twice is poison. */
const MAX_DELIVERIES = 2;

/**
 * Faults inside a worker, under load, on a Redis of this file's own: a task that blocks its
 * worker's event loop past its lease (and past maxStallMs), and tasks that kill the process running
 * them. Two worker processes run the load (an `async` queue, and a `processes` queue for the poison
 * that kills its pool child), a third serves the poison queue that kills its worker; a producer in
 * this process and a ledger of every task.
 */
describe('chaos: a blocked event loop and poison tasks on Redis', () => {
  let server: RedisServer;
  let rig: ChaosRig;
  let producer: INestApplicationContext;
  let client: TaskClient;
  const loadQueues = ['io', POISON_QUEUES.crash];

  beforeAll(async () => {
    server = await RedisServer.start(['--appendonly', 'yes', '--appendfsync', 'always']);
    rig = new ChaosRig({
      broker: server.url,
      queues: {
        io: { pool: 'async', concurrency: 20 },
        [POISON_QUEUES.crash]: { pool: 'processes', concurrency: 1 },
        [POISON_QUEUES.poison]: { pool: 'solo' },
      },
      brokerOptions: { leaseMs: LEASE_MS, maxStallMs: MAX_STALL_MS, checkConfig: false },
      backendOptions: { checkConfig: false },
    });
    await Promise.all([rig.startWorker({}, loadQueues), rig.startWorker({}, loadQueues)]);
    producer = await startProducer(rig.moduleOptions());
    client = producer.get(TaskClient);
  }, 120_000);

  afterAll(async () => {
    await producer?.close();
    await rig?.stop();
    await server?.stop();
  });

  it(`runs everything once when a task blocks its worker's event loop for two leases (within maxStallMs)`, async () => {
    const ledger = rig.newLedger();
    const load = sendLoad(client, ledger, { count: COUNT });
    await rig.whenFinished(COUNT / 4);
    // Blocks one worker with everything it holds; the lease thread must keep every one of them.
    const id = await sendOne(client, ledger, 'busy', [2 * LEASE_MS]);
    await load;
    await rig.drain(60_000, LEASE_MS);
    // No fault window: any second run at all is unexplained.
    expectClean(ledger, `event loop blocked ${(2 * LEASE_MS) / 1000} s`, 0);
    expect(ledger.check().duplicated).toEqual([]);
    const [run] = ledger.finished(id);
    expect(await client.handle(id).info()).toMatchObject({
      state: TaskState.SUCCESS,
      result: `${id} by ${run.worker}`,
    });
  });

  it('past maxStallMs, the copy run elsewhere stands and the blocked run is refused and reported, never a second SUCCESS', async () => {
    const ledger = rig.newLedger();
    const load = sendLoad(client, ledger, { count: COUNT });
    await rig.whenFinished(COUNT / 4);
    // Blocked for twice maxStallMs: its lease ends at most a lease after maxStallMs, and another
    // worker runs the copy (which does not block) long before the first run comes back.
    const id = await sendOne(client, ledger, 'blockOnce', [2 * MAX_STALL_MS]);
    await load;
    const lost = await Promise.any(
      rig.workers.map((worker) =>
        worker.next((event) => event.event === 'task-lease-lost' && event.id === id, 60_000),
      ),
    );
    await rig.drain(60_000, LEASE_MS);
    const [blocked, copy] = ledger.runsOf(id);
    expect(ledger.finished(id)).toHaveLength(2);
    expect(blocked.worker).toBe(String(lost.pid));
    expect(copy.worker).not.toBe(blocked.worker);
    ledger.markFault('event loop blocked past maxStallMs', blocked.started, blocked.done!);
    expectClean(ledger, `event loop blocked ${(2 * MAX_STALL_MS) / 1000} s`, SLACK_MS);
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
      scenario: 'poison tasks',
      count: COUNT,
      maxDeliveries: MAX_DELIVERIES,
      settleMs: LEASE_MS,
    });
  });
});
