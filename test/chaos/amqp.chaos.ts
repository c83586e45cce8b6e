import type { INestApplicationContext } from '@nestjs/common';
import { TaskClient } from '../../lib/index.js';
import { RedisServer } from '../integration/redis/support/redis-server.js';
import { ChaosRig } from './support/chaos-rig.js';
import { IO_ONLY_MIX, sendLoad, startProducer, type TaskMix } from './support/load.js';
import { RabbitNode } from '../support/rabbit-node.js';
import { expectClean } from './support/verdict.js';

const COUNT = 200;
/** RabbitMQ returns unacked messages when a connection dies; the ack of a finished task may be lost. */
const SLACK_MS = 3_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * RabbitMQ faults under load, on a RabbitMQ node of the suite's own (results in a Redis of its
 * own): two worker processes, a producer in this process, and a ledger of every task.
 */
describe('chaos: Celeriac on RabbitMQ', () => {
  let node: RabbitNode;
  let redis: RedisServer;
  let rig: ChaosRig;
  let producer: INestApplicationContext;
  let client: TaskClient;

  beforeAll(async () => {
    [node, redis] = await Promise.all([RabbitNode.start(), RedisServer.start()]);
    rig = new ChaosRig({
      broker: node.url,
      backend: redis.url,
      queues: { io: { pool: 'async', concurrency: 20 } },
      brokerOptions: { reconnectMaxDelayMs: 1_000 },
      backendOptions: { checkConfig: false },
    });
    await Promise.all([rig.startWorker(), rig.startWorker()]);
    producer = await startProducer(rig.moduleOptions());
    client = producer.get(TaskClient);
  }, 180_000);

  afterAll(async () => {
    await producer?.close();
    await rig?.stop();
    await Promise.allSettled([node?.stop(), redis?.stop()]);
  });

  async function underLoad(scenario: string, fault: () => Promise<void>, mix?: TaskMix): Promise<void> {
    const ledger = rig.newLedger();
    const load = sendLoad(client, ledger, { count: COUNT, retryForMs: 60_000, mix });
    await rig.whenFinished(COUNT / 4);
    await ledger.fault(scenario, fault);
    await load;
    await rig.drain(90_000, 1_000);
    if (ledger.check(SLACK_MS).lost.length > 0) await reportWhereTheyAre(ledger);
    expectClean(ledger, scenario, SLACK_MS);
  }

  /** Prints the lost ids' runs and every queue of the node still holding messages, to say where they went. */
  async function reportWhereTheyAre(ledger: ReturnType<ChaosRig['newLedger']>): Promise<void> {
    const queues = await node
      .ctl('list_queues', 'name', 'messages_ready', 'messages_unacknowledged')
      .catch((error: unknown) => `list_queues failed: ${String(error)}`);
    const holding = queues
      .split('\n')
      .filter((line) => /\s[1-9]/.test(line))
      .join('\n');
    process.stderr.write(
      `[chaos] lost:\n  ${ledger.describeLost(SLACK_MS).join('\n  ')}\n[chaos] queues holding messages:\n${holding}\n`,
    );
  }

  it('loses nothing when RabbitMQ closes every connection mid-load', async () => {
    await underLoad('close_all_connections', async () => {
      await node.ctl('close_all_connections', 'chaos');
    });
  });

  it('loses nothing when the RabbitMQ application stops and starts again', async () => {
    await underLoad('stop_app', async () => {
      await node.ctl('stop_app');
      await sleep(1_000);
      await node.ctl('start_app');
      await node.whenAccepting();
    });
  });

  // I/O tasks only: with classic queues RabbitMQ moves a retry or countdown between delay levels
  // by dead-lettering, without publisher confirms, and a node killed at that instant can lose it
  // (README, Guarantees). The retrying mix meets the other faults.
  it('loses nothing when the RabbitMQ node is killed with SIGKILL and restarted (no delayed work in flight)', async () => {
    await underLoad(
      'rabbitmq kill -9',
      async () => {
        await node.kill();
        await sleep(500);
        await node.restart();
      },
      IO_ONLY_MIX,
    );
  });

  it('loses nothing when a worker is killed with SIGKILL mid-load', async () => {
    await underLoad('worker kill -9', async () => {
      await rig.workers[0].kill();
      rig.workers.splice(0, 1);
      await rig.startWorker();
    });
  });
});
