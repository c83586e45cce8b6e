import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { TaskClient } from '../../../lib/index.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { startPolicyApi } from '../../support/policy-api.js';
import { AMQP_URL, deleteByPrefix, rabbitmqctl } from '../amqp/support/rabbit.js';
import { type ChildEvent, ChildWorker } from '../redis/support/child-process.js';
import { deleteKeys, inspector, REDIS_URL } from '../redis/support/redis-env.js';

const RUN_MS = 6_000;
/**
 * The lease of the task's run guard: the running worker renews it, so it outlasts the run; a copy
 * deferred by it comes back when that lease could have ended, soon after the run.
 */
const POLICY_LEASE_MS = 8_000;

/** The worker processes reach RabbitMQ through relays of their own, so one can lose its connection. */
interface RelayedWorker {
  proxy: TcpProxy;
  worker: ChildWorker;
}

/**
 * On RabbitMQ a message comes back while it still runs when its consumer's connection dies (there is
 * no delivery lease to expire): RabbitMQ hands the unacknowledged message to another consumer at
 * once, while the first process, which only lost its broker connection, goes on running it and still
 * reaches the results in Redis. A deduplicated long task runs in one of two worker processes; that
 * process's connection is cut (its relay drops it and refuses new ones); the other worker receives
 * the copy, must not run it while the first run goes on, and settles it once that run is over. Then
 * the same with the running process killed: the copy is not lost, and runs once the dead run's guard
 * has lapsed.
 */
describe('a deduplicated long task whose worker loses its connection or dies mid-run (RabbitMQ with Redis results, two worker processes)', () => {
  const prefix = `test-dedup-redelivery-${randomUUID()}`;
  let relayed: RelayedWorker[] = [];
  let api: INestApplicationContext | undefined;
  /** The relay the first case cut, given back to its worker for the next case. */
  let cut: TcpProxy | undefined;

  beforeAll(async () => {
    const entry = await compiledEntry('test/fixtures/policies/policy-worker.main.ts');
    const rabbit = new URL(AMQP_URL);
    relayed = await Promise.all(
      [0, 1].map(async () => {
        const proxy = await TcpProxy.start(Number(rabbit.port || 5672), rabbit.hostname);
        const viaProxy = new URL(AMQP_URL);
        viaProxy.port = String(proxy.port);
        const env = {
          BROKER_URL: viaProxy.href,
          REDIS_URL,
          PREFIX: prefix,
          POLICY_LEASE_MS: String(POLICY_LEASE_MS),
        };
        return { proxy, worker: ChildWorker.startCompiled(entry, env) };
      }),
    );
    await Promise.all(relayed.map(({ worker }) => worker.next((e) => e.event === 'listening', 90_000)));
    api = await startPolicyApi({ broker: AMQP_URL, backend: REDIS_URL, prefix });
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await Promise.all(relayed.map(({ worker }) => worker.kill()));
    await Promise.all(relayed.map(({ proxy }) => proxy.stop()));
    const redis = inspector();
    try {
      await deleteKeys(redis, prefix);
    } finally {
      redis.disconnect();
    }
    await deleteByPrefix(prefix);
  }, 60_000);

  /** Sends the long deduplicated task and waits until one of the workers has started it. */
  async function sendAndAwaitStart() {
    const client = api!.get(TaskClient);
    const tag = randomUUID();
    const handle = await client.sendByName<number>('LeaseTasks.hold', [tag, RUN_MS], {
      dedupKey: `redelivery:${tag}`,
    });
    const startedHere = (e: ChildEvent): boolean => e.event === 'started' && e.tag === tag;
    const ranHere = ({ worker }: RelayedWorker): boolean => worker.events.some(startedHere);
    await until(() => Promise.resolve(relayed.some(ranHere)), 'a worker to start the task', 60_000);
    return { tag, handle, startedHere, running: relayed.find(ranHere)! };
  }

  it('is not run twice at once: the other worker receives the copy during the run, defers it, then settles it unrun', async () => {
    const { tag, handle, startedHere, running } = await sendAndAwaitStart();
    const first = running.worker;
    const other = relayed.find((one) => one !== running)!.worker;

    // The running worker's broker connection dies: RabbitMQ returns the unacked message to the queue.
    cut = running.proxy;
    await cut.cut();
    const receivedByOther = (e: ChildEvent): boolean => e.event === 'task-received' && e.id === handle.id;
    const copy = await other.next(receivedByOther, 30_000);

    // The first process ran on and stored its result (Redis stayed reachable).
    expect(await handle.wait({ timeout: 60_000 })).toBe(first.pid);
    const ended = await first.next((e) => e.event === 'ended' && e.tag === tag);
    // The copy arrived while the run still went on: the case this guards against.
    expect(copy.at as number).toBeLessThan(ended.at as number);
    // The deferred copy comes back after the run (a second delivery to the other worker) and is
    // settled without running: nothing of it is left in RabbitMQ, ready, delayed or unacknowledged.
    await other.next((e) => receivedByOther(e) && e !== copy, 60_000);
    await until(async () => (await messagesOf(prefix)) === 0, 'the copy to be settled', 30_000);
    const runs = relayed.flatMap(({ worker }) => worker.events.filter(startedHere));
    expect(runs).toEqual([expect.objectContaining({ pid: first.pid })]);
    expect(other.events.filter((e) => e.tag === tag)).toEqual([]);
  }, 180_000);

  it("a worker killed mid-run (kill -9): the copy waits out the dead run's guard, then runs once on the other worker", async () => {
    await cut?.restore();
    const { tag, handle, startedHere, running } = await sendAndAwaitStart();
    const victim = running.worker;
    const survivor = relayed.find((one) => one.worker !== victim)!.worker;

    // No cleanup code runs: the run guard stays taken until its lease ends, as after a crash.
    await victim.kill();
    // Not lost: the survivor runs it, once the dead run's guard has lapsed.
    expect(await handle.wait({ timeout: 90_000 })).toBe(survivor.pid);
    const received = survivor.events.filter((e) => e.event === 'task-received' && e.id === handle.id);
    // The guard cannot tell a dead worker from one that lost its connection: the copy was deferred
    // at least once before it ran.
    expect(received.length).toBeGreaterThanOrEqual(2);
    expect(survivor.events.filter(startedHere)).toHaveLength(1);
    const victimEvents = victim.events.filter((e) => e.tag === tag);
    expect(victimEvents.map((e) => e.event)).toEqual(['started']);
  }, 180_000);
});

/** Messages (ready and unacknowledged) in every queue of `prefix`, as RabbitMQ counts them. */
async function messagesOf(prefix: string): Promise<number> {
  const lines = (await rabbitmqctl('list_queues', 'name', 'messages', '--no-table-headers')).split('\n');
  return lines
    .map((line) => line.trim().split(/\s+/))
    .filter(([name]) => name?.startsWith(prefix))
    .reduce((sum, [, count]) => sum + Number(count), 0);
}

/** Reads until `condition` holds (each read looks at what happened; not a wait for a timer), guarded. */
async function until(condition: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
