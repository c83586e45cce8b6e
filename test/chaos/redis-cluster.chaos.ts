import type { INestApplicationContext } from '@nestjs/common';
import { TaskClient } from '../../lib/index.js';
import { RedisCluster } from '../integration/redis/support/redis-cluster.js';
import { eventually } from '../integration/redis/support/wait.js';
import { ChaosRig } from './support/chaos-rig.js';
import { sendLoad, startProducer } from './support/load.js';

const LEASE_MS = 2_000;
const SLACK_MS = LEASE_MS * 2;
const COUNT = 200;
/** Redis's `cluster-node-timeout`: how long a master may be away before a replica takes over. */
const NODE_TIMEOUT_MS = 2_000;
/**
 * Redis replicates asynchronously: a write the master acknowledged just before it died may not
 * have reached the replica that is promoted. A confirmed task may be lost only if it was confirmed
 * this long before the kill or during the failover.
 */
const REPLICATION_WINDOW_MS = 1_000;

/**
 * A Redis Cluster of 3 masters and 3 replicas of the suite's own, loses a master to SIGKILL under
 * load: a replica is promoted, workers and the producer follow it, and only sends confirmed within
 * the replication window may be lost (counted and printed).
 */
describe('chaos: Celeriac on a Redis Cluster losing a master', () => {
  let cluster: RedisCluster;
  let rig: ChaosRig;
  let producer: INestApplicationContext;
  let client: TaskClient;

  beforeAll(async () => {
    cluster = await RedisCluster.start(3, 1, NODE_TIMEOUT_MS);
    const redisOptions = { cluster: true, clusterNodes: cluster.nodes, checkConfig: false };
    rig = new ChaosRig({
      broker: cluster.url,
      queues: { io: { pool: 'async', concurrency: 20 } },
      brokerOptions: { ...redisOptions, leaseMs: LEASE_MS },
      backendOptions: redisOptions,
    });
    await Promise.all([rig.startWorker(), rig.startWorker()]);
    producer = await startProducer(rig.moduleOptions());
    client = producer.get(TaskClient);
  }, 120_000);

  afterAll(async () => {
    await producer?.close();
    await rig?.stop();
    await cluster?.stop();
  });

  it('follows a promoted replica when a master is killed with SIGKILL; loses only within the replication window', async () => {
    const ledger = rig.newLedger();
    const load = sendLoad(client, ledger, { count: COUNT, retryForMs: 60_000 });
    await rig.whenFinished(COUNT / 4);
    await ledger.fault('redis cluster master kill -9', async () => {
      // The master holding the most keys holds the queue's slot (keys carry a {queue} hash tag).
      const [victim] = (await cluster.masters()).sort((a, b) => b.keys - a.keys);
      await victim.server.kill();
      await eventually(
        'a replica promoted in its place',
        async () => ((await cluster.masters()).length === 3 ? true : undefined),
        30_000,
        100,
      );
      await cluster.whenOk();
    });
    await load;
    await rig.drain(90_000, LEASE_MS);
    const verdict = ledger.check(SLACK_MS);
    process.stderr.write(`[chaos] redis cluster master kill -9: ${ledger.summary(SLACK_MS)}\n`);
    if (verdict.lost.length > 0)
      process.stderr.write(`[chaos] lost:\n  ${ledger.describeLost(SLACK_MS).join('\n  ')}\n`);
    expect({
      lostOutsideWindow: ledger.lostOutsideWindow(REPLICATION_WINDOW_MS, SLACK_MS),
      unexpected: verdict.unexpected,
      unexplainedDuplicates: verdict.unexplained,
    }).toEqual({ lostOutsideWindow: [], unexpected: [], unexplainedDuplicates: [] });
    // A send the cluster refused while the slot had no master was retried under its id until confirmed.
    expect(verdict.confirmed).toBe(verdict.sent);
  });
});
