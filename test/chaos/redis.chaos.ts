import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { TaskClient } from '../../lib/index.js';
import { RedisServer } from '../integration/redis/support/redis-server.js';
import { ChaosRig } from './support/chaos-rig.js';
import { sendLoad, startProducer } from './support/load.js';
import { expectClean } from './support/verdict.js';

const LEASE_MS = 2_000;
/** A duplicate is explained if its first run overlapped a fault, give or take a lease. */
const SLACK_MS = LEASE_MS * 2;
const COUNT = 200;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Redis faults under load, on a Redis of the suite's own (every write on disk before the reply):
 * two worker processes, a producer in this process, and a ledger of every task.
 */
describe('chaos: Celeriac on Redis', () => {
  let server: RedisServer;
  let rig: ChaosRig;
  let producer: INestApplicationContext;
  let client: TaskClient;

  beforeAll(async () => {
    server = await RedisServer.start(['--appendonly', 'yes', '--appendfsync', 'always']);
    rig = new ChaosRig({
      broker: server.url,
      queues: { io: { pool: 'async', concurrency: 20 } },
      brokerOptions: { leaseMs: LEASE_MS, checkConfig: false },
      backendOptions: { checkConfig: false },
    });
    await Promise.all([rig.startWorker(), rig.startWorker()]);
    producer = await startProducer(rig.moduleOptions());
    client = producer.get(TaskClient);
  }, 120_000);

  afterAll(async () => {
    await producer?.close();
    await rig?.stop();
    await server?.stop();
  });

  /** Sends COUNT tasks, injects `fault` once a quarter of them finished, drains and checks. */
  async function underLoad(scenario: string, fault: () => Promise<void>): Promise<void> {
    const ledger = rig.newLedger();
    const load = sendLoad(client, ledger, { count: COUNT });
    await rig.whenFinished(COUNT / 4);
    await ledger.fault(scenario, fault);
    await load;
    await rig.drain(60_000, LEASE_MS);
    expectClean(ledger, scenario, SLACK_MS);
  }

  it('loses nothing when a worker is killed with SIGKILL mid-load', async () => {
    await underLoad('worker kill -9', async () => {
      const victim = rig.workers[0];
      await victim.kill();
      rig.workers.splice(0, 1);
      await rig.startWorker();
    });
  });

  it('loses nothing when Redis is killed with SIGKILL and restarted', async () => {
    await underLoad('redis kill -9', async () => {
      await server.kill();
      await sleep(1_000);
      await server.start();
    });
  });

  it('loses nothing when Redis shuts down and starts again', async () => {
    await underLoad('redis shutdown', async () => {
      await server.shutdown();
      await sleep(1_000);
      await server.start();
    });
  });

  it('loses nothing when every client connection is killed again and again', async () => {
    const admin = new Redis(server.url, { maxRetriesPerRequest: 1 });
    try {
      await underLoad('CLIENT KILL storm', async () => {
        for (let round = 0; round < 6; round++) {
          // Skips itself (SKIPME yes is the default), so the storm goes on.
          await admin.client('KILL', 'TYPE', 'normal');
          await admin.client('KILL', 'TYPE', 'pubsub');
          await sleep(400);
        }
      });
    } finally {
      admin.disconnect();
    }
  });
});
