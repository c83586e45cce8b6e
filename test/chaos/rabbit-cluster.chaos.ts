import type { INestApplicationContext } from '@nestjs/common';
import { TaskClient } from '../../lib/index.js';
import { RedisServer } from '../integration/redis/support/redis-server.js';
import { ChaosRig } from './support/chaos-rig.js';
import type { Ledger } from './support/ledger.js';
import { IO_ONLY_MIX, sendLoad, startProducer } from './support/load.js';
import { RabbitNode } from '../support/rabbit-node.js';
import { expectClean } from './support/verdict.js';

const COUNT = 200;
/** RabbitMQ returns unacked messages when a connection dies; the ack of a finished task may be lost. */
const SLACK_MS = 3_000;

/**
 * A RabbitMQ cluster of three nodes of the suite's own, with quorum queues, loses a node under
 * load: first `stop_app` of the node the producer and one worker are connected to, then SIGKILL of
 * another node's Erlang VM. Two worker processes and a producer, each given the three nodes in
 * `brokerOptions.urls` (in different orders, so the clients spread over the nodes), follow the
 * cluster to the nodes still up. Results in a Redis of the suite's own.
 */
describe('chaos: Celeriac on a RabbitMQ cluster losing a node', () => {
  let nodes: RabbitNode[];
  let redis: RedisServer;
  let rig: ChaosRig;
  let producer: INestApplicationContext;
  let client: TaskClient;

  /** The cluster's URLs starting at node `first`: what a process is configured with. */
  function startingAt(first: number) {
    const urls = [...nodes.slice(first), ...nodes.slice(0, first)].map((node) => node.url);
    return {
      broker: urls[0],
      brokerOptions: { queueType: 'quorum' as const, reconnectMaxDelayMs: 1_000, urls: urls.slice(1) },
    };
  }

  beforeAll(async () => {
    [nodes, redis] = await Promise.all([RabbitNode.cluster(3), RedisServer.start()]);
    rig = new ChaosRig({
      ...startingAt(0),
      backend: redis.url,
      queues: { io: { pool: 'async', concurrency: 20 } },
      backendOptions: { checkConfig: false },
    });
    // The producer and the first worker start on node 0, the second worker on node 1.
    producer = await startProducer(rig.moduleOptions());
    client = producer.get(TaskClient);
    await Promise.all([rig.startWorker(), rig.startWorker(startingAt(1))]);
  }, 240_000);

  afterAll(async () => {
    await producer?.close();
    await rig?.stop();
    await Promise.allSettled([...(nodes ?? []).map((node) => node.stop()), redis?.stop()]);
  });

  async function underLoad(
    scenario: string,
    fault: () => Promise<void>,
    survivor: RabbitNode,
  ): Promise<void> {
    const ledger = rig.newLedger();
    const load = sendLoad(client, ledger, { count: COUNT, retryForMs: 60_000, mix: IO_ONLY_MIX });
    await rig.whenFinished(COUNT / 4);
    await ledger.fault(scenario, fault);
    await load;
    await rig.drain(90_000, 1_000);
    if (ledger.check(SLACK_MS).lost.length > 0) await reportWhereTheyAre(ledger, survivor);
    expectClean(ledger, scenario, SLACK_MS);
    // A send refused while its connection moved to another node was retried under its id until confirmed.
    const verdict = ledger.check(SLACK_MS);
    expect(verdict.confirmed).toBe(verdict.sent);
  }

  /** Prints the lost ids' runs and the queues still holding messages, to say where they went. */
  async function reportWhereTheyAre(ledger: Ledger, survivor: RabbitNode): Promise<void> {
    const queues = await survivor
      .ctl('list_queues', 'name', 'type', 'leader', 'messages_ready', 'messages_unacknowledged')
      .catch((error: unknown) => `list_queues failed: ${String(error)}`);
    process.stderr.write(
      `[chaos] lost:\n  ${ledger.describeLost(SLACK_MS).join('\n  ')}\n[chaos] queues:\n${queues}\n`,
    );
  }

  it('loses nothing when the node the producer and a worker use stops (stop_app) mid-load', async () => {
    const [stopped, , survivor] = nodes;
    // Stopped until the load has drained: everything after the fault goes through the other two.
    await underLoad('cluster node stop_app', () => stopped.ctl('stop_app').then(() => undefined), survivor);
    await stopped.ctl('start_app');
    await stopped.whenAccepting();
  });

  it('loses nothing when a node of the cluster is killed with SIGKILL mid-load', async () => {
    // Node 1: the second worker's first node, and where the others went when node 0 stopped.
    const [, killed, survivor] = nodes;
    // Not restarted: nothing after this needs it, and a killed cluster node's boot (waiting for
    // its peers' tables) once outlasted two minutes on a loaded machine.
    await underLoad('cluster node kill -9', () => killed.kill(), survivor);
  });
});
