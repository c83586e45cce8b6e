import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { RedisBroker } from '../../lib/brokers/redis/redis.broker.js';
import type { BenchRow, BenchSuite } from '../bench.types.js';
import { withOwnRedis } from '../support/own-redis.js';
import { since } from '../support/stats.js';

/**
 * The Redis broker beside BullMQ on the same Redis, at the broker level: publishing N messages,
 * consuming and acknowledging them with the same concurrency, and what an idle consumer costs Redis.
 * BullMQ jobs are removed on completion, as Celeriac removes acknowledged messages.
 */
const MESSAGES = 20_000;
const CONCURRENCY = 50;
const IN_FLIGHT = 1_000;
const IDLE_SECONDS = 5;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

type Row = Omit<BenchRow, 'unit'>;

function connectionOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 6379) };
}

/** Runs `send(i)` for i < total with at most `window` calls in flight. */
async function windowed(total: number, window: number, send: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) await send(next++);
  };
  await Promise.all(Array.from({ length: window }, lane));
}

async function celeriacThroughput(url: string): Promise<Row[]> {
  const broker = new RedisBroker({ url, prefix: `bench-${randomUUID()}`, extra: { checkConfig: false } });
  await broker.connect();
  try {
    let start = performance.now();
    await windowed(MESSAGES, IN_FLIGHT, (i) => broker.publish('bench', JSON.stringify({ n: i })));
    const published = MESSAGES / (since(start) / 1000);

    let acked = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    start = performance.now();
    const consumer = await broker.consume(
      'bench',
      (delivery) => void delivery.ack().then(() => ++acked === MESSAGES && done()),
      { prefetch: CONCURRENCY },
    );
    await finished;
    const consumed = MESSAGES / (since(start) / 1000);
    await consumer.cancel();
    await broker.purge('bench');
    return [
      {
        case: `publish ${MESSAGES} (${IN_FLIGHT} in flight)`,
        subject: 'celeriac RedisBroker',
        value: published,
      },
      {
        case: `consume + ack ${MESSAGES}, concurrency ${CONCURRENCY}`,
        subject: 'celeriac RedisBroker',
        value: consumed,
      },
    ];
  } finally {
    await broker.close();
  }
}

async function bullmqThroughput(url: string): Promise<Row[]> {
  const connection = connectionOf(url);
  const prefix = `bench-${randomUUID()}`;
  const queue = new Queue('bench', { connection, prefix });
  const jobOptions = { removeOnComplete: true, removeOnFail: true };
  try {
    let start = performance.now();
    await windowed(MESSAGES, IN_FLIGHT, (i) => queue.add('noop', { n: i }, jobOptions));
    const added = MESSAGES / (since(start) / 1000);
    await queue.obliterate({ force: true });

    start = performance.now();
    for (let at = 0; at < MESSAGES; at += 1_000) {
      const jobs = Array.from({ length: Math.min(1_000, MESSAGES - at) }, (_, i) => ({
        name: 'noop',
        data: { n: at + i },
        opts: jobOptions,
      }));
      await queue.addBulk(jobs);
    }
    const bulk = MESSAGES / (since(start) / 1000);

    let completed = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    start = performance.now();
    const worker = new Worker('bench', () => Promise.resolve(), {
      connection,
      prefix,
      concurrency: CONCURRENCY,
    });
    worker.on('completed', () => ++completed === MESSAGES && done());
    await finished;
    const consumed = MESSAGES / (since(start) / 1000);
    await worker.close();
    return [
      { case: `publish ${MESSAGES} (${IN_FLIGHT} in flight)`, subject: 'bullmq Queue.add', value: added },
      { case: `publish ${MESSAGES} (addBulk of 1000)`, subject: 'bullmq Queue.addBulk', value: bulk },
      {
        case: `consume + ack ${MESSAGES}, concurrency ${CONCURRENCY}`,
        subject: 'bullmq Worker (no-op)',
        value: consumed,
      },
    ];
  } finally {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
}

/** Commands Redis processed while `idle` waited IDLE_SECONDS (the second INFO counts the first). */
async function idleCommandsPerSecond(
  url: string,
  start: () => Promise<() => Promise<void>>,
): Promise<number> {
  const stop = await start();
  const counter = new Redis(url);
  const processed = async (): Promise<number> =>
    Number(/total_commands_processed:(\d+)/.exec(await counter.info('stats'))![1]);
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const before = await processed();
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1_000));
    return ((await processed()) - before - 1) / IDLE_SECONDS;
  } finally {
    counter.disconnect();
    await stop();
  }
}

async function idleCost(url: string): Promise<BenchRow[]> {
  const celeriac = await idleCommandsPerSecond(url, async () => {
    const broker = new RedisBroker({ url, prefix: `bench-${randomUUID()}`, extra: { checkConfig: false } });
    await broker.connect();
    await broker.consume('idle', () => undefined, { prefetch: CONCURRENCY });
    return () => broker.close();
  });
  const bullmq = await idleCommandsPerSecond(url, async () => {
    const worker = new Worker('idle', () => Promise.resolve(), {
      connection: connectionOf(url),
      prefix: `bench-${randomUUID()}`,
      concurrency: CONCURRENCY,
    });
    await worker.waitUntilReady();
    return () => worker.close();
  });
  const note = `empty queue, ${IDLE_SECONDS} s, own redis-server`;
  return [
    {
      case: 'idle consumer: Redis commands/s',
      subject: 'celeriac RedisBroker',
      value: celeriac,
      unit: 'commands/s',
      note,
    },
    {
      case: 'idle consumer: Redis commands/s',
      subject: 'bullmq Worker (default drainDelay)',
      value: bullmq,
      unit: 'commands/s',
      note,
    },
  ];
}

function ratio(rows: Row[], match: string, subject: string, baseline: string): Row[] {
  const ours = rows.find((r) => r.case.includes(match) && r.subject.startsWith(subject));
  const theirs = rows.find((r) => r.case.includes(match) && r.subject.startsWith(baseline));
  if (ours && theirs) ours.note = `${(ours.value / theirs.value).toFixed(2)}× ${baseline}`;
  return rows;
}

const suite: BenchSuite = {
  name: 'redis',
  async available() {
    const client = new Redis(REDIS_URL, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await client.connect();
      await client.ping();
      return true;
    } catch (error) {
      return `no Redis at ${REDIS_URL} (${(error as Error).message})`;
    } finally {
      client.disconnect();
    }
  },
  async run() {
    const rows = [...(await celeriacThroughput(REDIS_URL)), ...(await bullmqThroughput(REDIS_URL))];
    ratio(rows, 'in flight', 'celeriac', 'bullmq Queue.add');
    ratio(rows, 'consume', 'celeriac', 'bullmq');
    const throughput = rows.map((row) => ({
      ...row,
      unit: 'msgs/s',
      note: row.note ?? 'same Redis, same concurrency',
    }));
    const idle = await withOwnRedis(idleCost).catch((error: unknown) => {
      console.log(`- redis: idle cost skipped (${(error as Error).message})`);
      return [];
    });
    return [...throughput, ...idle];
  },
};
export default suite;
