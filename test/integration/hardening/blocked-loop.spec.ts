import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Redis } from 'ioredis';
import { CeleriacModule, TaskClient, TaskState } from '../../../lib/index.js';
import { ChildWorker, type ChildEvent } from '../redis/support/child-process.js';
import { deleteKeys, inspector, REDIS_URL } from '../redis/support/redis-env.js';
import { AMQP_URL, deleteByPrefix } from '../amqp/support/rabbit.js';
import { compiledEntry } from '../../fixtures/pools/compiled-fixtures.js';

const LEASE_MS = 2_000;
/** Three leases, and four AMQP heartbeats of one second. */
const BLOCK_MS = 6_000;
const PREFIX_ROOT = 'celeriac-blocked-loop-';

const warned = (text: string) => (e: ChildEvent) =>
  e.level === 'warn' && typeof e.message === 'string' && e.message.includes(text);

/**
 * Synchronous work on an `async` queue blocks a worker's event loop for three leases, with a second
 * worker waiting on the queue. It must run once, or — where the delivery did go to the other worker
 * — the blocked run's late outcome is refused, the newer attempt's record stands and the overrun is
 * reported (a WARN line and a task-lease-lost event), never a silent double success.
 */
describe('a task that blocks its worker’s event loop for three leases', () => {
  let prefix: string;
  let redis: Redis;
  let producer: INestApplicationContext | undefined;
  let worker: string;
  const children: ChildWorker[] = [];

  // Compiled JavaScript, as a deployed worker runs: the lease thread loads its entry beside the broker's.
  beforeAll(async () => {
    worker = await compiledEntry('test/fixtures/hardening/blocking-worker.main.ts');
  }, 180_000);

  beforeEach(() => {
    prefix = `${PREFIX_ROOT}${randomUUID()}`;
    redis = inspector();
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.kill()));
    await producer?.close();
    producer = undefined;
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  afterAll(() => deleteByPrefix(PREFIX_ROOT));

  const runsKey = () => `${prefix}:runs`;

  async function startWorkers(broker: string, env: Record<string, string> = {}): Promise<ChildWorker[]> {
    const started = [0, 1].map(() => {
      const child = ChildWorker.startCompiled(worker, {
        BROKER_URL: broker,
        REDIS_URL,
        PREFIX: prefix,
        RUNS_KEY: runsKey(),
        BLOCK_MS: String(BLOCK_MS),
        LEASE_MS: String(LEASE_MS),
        ...env,
      });
      children.push(child);
      return child;
    });
    await Promise.all(started.map((child) => child.next((e) => e.event === 'listening', 30_000)));
    return started;
  }

  async function send(broker: string): Promise<ReturnType<TaskClient['handle']>> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CeleriacModule.forRoot({
          broker,
          backend: REDIS_URL,
          prefix,
          producerOnly: true,
          queues: { busy: {} },
          brokerOptions: { checkConfig: false },
          backendOptions: { checkConfig: false },
        }),
      ],
    }).compile();
    producer = await moduleRef.init();
    return producer.get(TaskClient).sendByName('BlockingTasks.crunch', ['t-1'], { queue: 'busy' });
  }

  /** The worker whose run blocked, and the other one. */
  async function blockedAndOther(workers: ChildWorker[]): Promise<[ChildWorker, ChildWorker]> {
    const blocked = await Promise.any(
      workers.map((w) => w.next((e) => e.event === 'blocking').then(() => w)),
    );
    return [blocked, workers.find((w) => w !== blocked)!];
  }

  /**
   * The copy that ran on the other worker stands; the blocked run's outcome was refused and it was
   * reported (a task-lease-lost event and a WARN line), with no success of its own.
   */
  async function expectOvertakenAndReported(
    workers: ChildWorker[],
    handle: ReturnType<TaskClient['handle']>,
  ): Promise<void> {
    const [blocked, other] = await blockedAndOther(workers);

    expect(await handle.wait({ timeout: 20_000 })).toBe(`t-1 crunched by ${other.pid}`);
    const lost = await blocked.next((e) => e.event === 'task-lease-lost', 20_000);
    expect(lost).toMatchObject({ id: handle.id, task: 'BlockingTasks.crunch' });
    await blocked.next(warned('lost its lease'));
    expect(blocked.events.filter((e) => e.event === 'task-succeeded')).toEqual([]);
    expect(await handle.info()).toMatchObject({
      state: TaskState.SUCCESS,
      result: `t-1 crunched by ${other.pid}`,
    });
    expect(await redis.lrange(runsKey(), 0, -1)).toEqual([String(blocked.pid), String(other.pid)]);
  }

  it('on Redis, runs once: the lease thread keeps the lease while the loop is blocked, and says so', async () => {
    const workers = await startWorkers(REDIS_URL);
    const handle = await send(REDIS_URL);
    const [blocked, other] = await blockedAndOther(workers);

    expect(await handle.wait({ timeout: 20_000 })).toBe(`t-1 crunched by ${blocked.pid}`);
    expect(await redis.lrange(runsKey(), 0, -1)).toEqual([String(blocked.pid)]);
    await blocked.next(warned('the event loop was blocked for'));
    expect(other.events.filter((e) => e.event === 'task-started')).toEqual([]);
  }, 60_000);

  it('on Redis past maxStallMs, the copy that ran elsewhere stands and the blocked run is refused and reported', async () => {
    const workers = await startWorkers(REDIS_URL, { MAX_STALL_MS: '1000' });
    const handle = await send(REDIS_URL);
    await expectOvertakenAndReported(workers, handle);
  }, 60_000);

  it('on RabbitMQ (results in Redis), the heartbeat-dropped run is refused and reported; the redelivery stands', async () => {
    const amqp = `${AMQP_URL}${AMQP_URL.includes('?') ? '&' : '?'}heartbeat=1`;
    const workers = await startWorkers(amqp);
    const handle = await send(amqp);
    await expectOvertakenAndReported(workers, handle);
  }, 60_000);
});
