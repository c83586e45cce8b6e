import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { MemoryBroker } from '../../lib/brokers/memory/memory.broker.js';
import { TaskClient, type PoolKind } from '../../lib/index.js';
import type { BenchRow, BenchSuite } from '../bench.types.js';
import { NoopTasks, startNoopWorker } from '../support/noop-worker.js';
import { percentile, since } from '../support/stats.js';

const TASKS = 20_000;
const LATENCY_SAMPLES = 1_000;
const SEND_WINDOW = 500;

/** Sends `total` tasks keeping at most SEND_WINDOW outstanding, and waits for every result. */
async function throughput(client: TaskClient, total: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      const n = next++;
      await (await client.send(NoopTasks, 'noop', [n])).wait();
    }
  };
  await Promise.all(Array.from({ length: SEND_WINDOW }, lane));
  return total / (since(start) / 1000);
}

async function latency(client: TaskClient, samples: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    await (await client.send(NoopTasks, 'noop', [i])).wait();
    times.push(since(start));
  }
  return times;
}

async function measurePool(pool: PoolKind): Promise<BenchRow[]> {
  const concurrency = pool === 'solo' ? 1 : 100;
  const app = await startNoopWorker({
    prefix: `bench-${randomUUID()}`,
    queues: { work: { pool, concurrency } },
  });
  try {
    const client = app.get(TaskClient);
    await latency(client, 200); // warm-up
    const rate = await throughput(client, pool === 'solo' ? TASKS / 4 : TASKS);
    const times = await latency(client, LATENCY_SAMPLES);
    return [
      {
        case: `embedded ${pool}: end-to-end throughput`,
        subject: 'celeriac',
        value: rate,
        unit: 'tasks/s',
        note: `send → run → result stored → wait, ${SEND_WINDOW} outstanding`,
      },
      {
        case: `embedded ${pool}: round-trip latency p50`,
        subject: 'celeriac',
        value: percentile(times, 50),
        unit: 'ms',
      },
      {
        case: `embedded ${pool}: round-trip latency p99`,
        subject: 'celeriac',
        value: percentile(times, 99),
        unit: 'ms',
      },
    ];
  } finally {
    await app.close();
  }
}

/** The ceiling: the embedded broker alone, publish → consume → ack, no task semantics or results. */
async function rawBroker(): Promise<BenchRow[]> {
  const broker = new MemoryBroker({ url: 'memory://', prefix: `bench-${randomUUID()}` });
  await broker.connect();
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await broker.consume(
    'raw',
    (delivery) => {
      void delivery.ack().then(() => ++received === TASKS && done());
    },
    { prefetch: 100 },
  );
  const start = performance.now();
  for (let i = 0; i < TASKS; i++) await broker.publish('raw', JSON.stringify({ n: i }));
  await finished;
  const rate = TASKS / (since(start) / 1000);
  await broker.close();
  return [
    {
      case: 'embedded broker alone: publish → consume → ack',
      subject: 'raw MemoryBroker (ceiling)',
      value: rate,
      unit: 'msgs/s',
    },
  ];
}

const suite: BenchSuite = {
  name: 'embedded',
  async run() {
    return [...(await rawBroker()), ...(await measurePool('async')), ...(await measurePool('solo'))];
  },
};
export default suite;
