import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisBroker } from '../../../lib/brokers/redis/redis.broker.js';
import { Inbox } from '../../conformance/conformance-helpers.js';
import { ChildWorker } from './support/child-process.js';
import { deleteKeys, inspector, REDIS_URL, redisBroker } from './support/redis-env.js';
import { eventually, sleep } from './support/wait.js';

const LEASE_MS = 1_000;
const RENEW_MS = 300;
const STUCK_CONSUMER = new URL('./support/stuck-consumer.main.ts', import.meta.url);

describe('Redis broker: a worker process killed with SIGKILL mid-task', () => {
  let prefix: string;
  let queue: string;
  let brokers: RedisBroker[];
  let children: ChildWorker[];
  let redis: Redis;

  beforeEach(() => {
    prefix = `celeriac-test-${randomUUID()}`;
    queue = 'reports';
    brokers = [];
    children = [];
    redis = inspector();
  });

  afterEach(async () => {
    await Promise.all(children.map((child) => child.kill()));
    await Promise.allSettled(brokers.map((broker) => broker.close()));
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  async function openBroker(extra: { maxDeliveries?: number } = {}): Promise<RedisBroker> {
    const broker = redisBroker(prefix, {
      leaseMs: LEASE_MS,
      renewEveryMs: RENEW_MS,
      checkConfig: false,
      ...extra,
    });
    brokers.push(broker);
    await broker.connect();
    return broker;
  }

  async function startStuckWorker(): Promise<ChildWorker> {
    const child = ChildWorker.start(STUCK_CONSUMER, {
      REDIS_URL,
      PREFIX: prefix,
      QUEUE: queue,
      LEASE_MS: String(LEASE_MS),
    });
    children.push(child);
    await child.next((e) => e.event === 'consuming');
    return child;
  }

  it('keeps the task with its worker while it lives, then hands it to another worker once, after the lease', async () => {
    const broker = await openBroker();
    const worker = await startStuckWorker();
    await broker.publish(queue, 'render report 42', { messageId: 'task-42' });
    expect(await worker.next((e) => e.event === 'delivered')).toMatchObject({
      messageId: 'task-42',
      deliveryCount: 1,
    });

    // A second worker waits on the queue while the first one "runs" the task for several leases.
    const inbox = Inbox.acking();
    await broker.consume(queue, inbox.handler('survivor'), { prefetch: 4 });
    await sleep(LEASE_MS * 3);
    expect(inbox.received).toHaveLength(0);

    const killedAt = Date.now();
    await worker.kill();
    const [again] = await inbox.waitFor(1, 'the task of the killed worker');
    await inbox.settled();
    // The last renewal came about RENEW_MS before the kill at most (give or take a late timer on a busy
    // machine): the task waited out the rest of its lease, not less.
    expect(inbox.received[0].at - killedAt).toBeGreaterThanOrEqual(LEASE_MS / 2);
    expect([again.body, again.messageId, again.deliveryCount]).toEqual(['render report 42', 'task-42', 2]);

    await sleep(LEASE_MS * 2);
    expect(inbox.received).toHaveLength(1);
    expect(await broker.size(queue)).toBe(0);
    expect(await redis.zcard(`{${prefix}:${queue}}:active`)).toBe(0);
  });

  it('dead-letters a task that killed its worker on each of maxDeliveries deliveries, with the reason', async () => {
    const broker = await openBroker({ maxDeliveries: 2 });
    await broker.publish(queue, 'poison', { messageId: 'task-poison' });
    for (const deliveryCount of [1, 2]) {
      const worker = await startStuckWorker();
      expect(await worker.next((e) => e.event === 'delivered')).toMatchObject({ deliveryCount });
      await worker.kill();
    }

    const inbox = Inbox.acking();
    await broker.consume(queue, inbox.handler(), { prefetch: 1 });
    const [letter] = await eventually('the dead letter', async () => {
      const letters = await broker.deadLetters(queue);
      return letters.length > 0 ? letters : undefined;
    });
    expect(letter).toMatchObject({
      messageId: 'task-poison',
      queue,
      body: 'poison',
      reason: 'delivered 2 times without an outcome (worker died?)',
    });
    expect(inbox.received).toHaveLength(0);
    expect(await broker.size(queue)).toBe(0);
  });
});
