import { randomUUID } from 'node:crypto';
import { connect, type ConsumeMessage } from 'amqplib';
import { AmqpNames } from '../../lib/brokers/amqp/amqp-names.js';
import { AmqpBroker } from '../../lib/brokers/amqp/amqp.broker.js';
import { DELAY_LEVELS } from '../../lib/brokers/amqp/delay-ladder.js';
import type { BenchRow, BenchSuite } from '../bench.types.js';
import { percentile, since } from '../support/stats.js';

/**
 * The RabbitMQ broker beside raw amqplib on the same RabbitMQ, same settings: a durable queue,
 * persistent messages, publisher confirms, manual acks with prefetch 50, Nagle off. Throughput is
 * end to end (a consumer running while MESSAGES are published with at most IN_FLIGHT unconfirmed,
 * clock stopped at the last ack); latency is one message at a time from publish to delivery.
 * Rounds alternate between the two subjects; the median round is reported.
 */
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const MESSAGES = 20_000;
const IN_FLIGHT = 1_000;
const PREFETCH = 50;
const SAMPLES = 1_000;
const WARM_UP = 100;
const ROUNDS = 5;
const BODY = JSON.stringify({ id: randomUUID(), task: 'Bench.noop', args: [1] });

/** What a subject needs to provide for both measurements. */
interface Subject {
  name: string;
  publish(body: string): Promise<void>;
  /** Starts consuming; `onMessage` runs for each delivery after its ack has been sent. */
  consume(onMessage: () => void): Promise<void>;
  close(): Promise<void>;
}

async function celeriacSubject(): Promise<Subject> {
  const names = new AmqpNames(`bench-${randomUUID()}`);
  const broker = new AmqpBroker({ url: AMQP_URL, prefix: names.prefix });
  await broker.connect();
  return {
    name: 'celeriac AmqpBroker',
    publish: (body) => broker.publish('bench', body),
    consume: async (onMessage) => {
      await broker.consume('bench', (delivery) => void delivery.ack().then(onMessage), {
        prefetch: PREFETCH,
      });
    },
    close: async () => {
      await broker.close();
      await deleteTopology(names, 'bench');
    },
  };
}

export async function rawSubject(): Promise<Subject> {
  const queue = `bench-raw-${randomUUID()}`;
  const socket = { noDelay: true };
  const [publishing, consuming] = await Promise.all([connect(AMQP_URL, socket), connect(AMQP_URL, socket)]);
  const confirm = await publishing.createConfirmChannel();
  await confirm.assertQueue(queue, { durable: true });
  const channel = await consuming.createChannel();
  await channel.prefetch(PREFETCH);
  return {
    name: 'raw amqplib',
    publish: (body) =>
      new Promise<void>((resolve, reject) => {
        confirm.sendToQueue(queue, Buffer.from(body), { persistent: true }, (error) =>
          error ? reject(error as Error) : resolve(),
        );
      }),
    consume: async (onMessage) => {
      await channel.consume(queue, (message: ConsumeMessage | null) => {
        if (!message) return;
        channel.ack(message);
        onMessage();
      });
    },
    close: async () => {
      await confirm.deleteQueue(queue);
      await Promise.all([publishing.close(), consuming.close()]);
    },
  };
}

/** Removes what the broker declared for `queue` (deleting a queue or exchange that is absent is a no-op). */
export async function deleteTopology(names: AmqpNames, queue: string): Promise<void> {
  const model = await connect(AMQP_URL);
  const channel = await model.createChannel();
  const levels = Array.from({ length: DELAY_LEVELS }, (_, level) => names.delayLevel(queue, level));
  for (const name of [names.workQueue(queue), names.deadLetterQueue(queue), ...levels])
    await channel.deleteQueue(name);
  for (const name of [names.tasksExchange, names.deadLetterExchange, ...levels])
    await channel.deleteExchange(name);
  await model.close();
}

export async function throughput(subject: Subject): Promise<number> {
  let acked = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await subject.consume(() => ++acked === MESSAGES && done());
  const start = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next++ < MESSAGES) await subject.publish(BODY);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  await finished;
  return MESSAGES / (since(start) / 1_000);
}

async function latency(subject: Subject): Promise<{ p50: number; p99: number }> {
  let arrived!: () => void;
  await subject.consume(() => arrived());
  const samples: number[] = [];
  for (let i = 0; i < WARM_UP + SAMPLES; i++) {
    const received = new Promise<void>((resolve) => (arrived = resolve));
    const start = performance.now();
    await subject.publish(BODY);
    await received;
    if (i >= WARM_UP) samples.push(since(start));
  }
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function measure<T>(make: () => Promise<Subject>, run: (s: Subject) => Promise<T>): Promise<T> {
  const subject = await make();
  try {
    return await run(subject);
  } finally {
    await subject.close();
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function run(): Promise<BenchRow[]> {
  const rounds: Record<'raw' | 'celeriac', { tps: number[]; p50: number[]; p99: number[] }> = {
    raw: { tps: [], p50: [], p99: [] },
    celeriac: { tps: [], p50: [], p99: [] },
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [key, make] of [
      ['raw', rawSubject],
      ['celeriac', celeriacSubject],
    ] as const) {
      rounds[key].tps.push(await measure(make, throughput));
      const { p50, p99 } = await measure(make, latency);
      rounds[key].p50.push(p50);
      rounds[key].p99.push(p99);
    }
  }
  return rows(rounds);
}

function rows(
  rounds: Record<'raw' | 'celeriac', { tps: number[]; p50: number[]; p99: number[] }>,
): BenchRow[] {
  const [raw, celeriac] = [rounds.raw, rounds.celeriac].map((r) => ({
    each: r.tps.map((tps) => (tps / 1_000).toFixed(1)).join(' / '),
    tps: median(r.tps),
    best: Math.max(...r.tps),
    p50: median(r.p50),
    p99: median(r.p99),
  }));
  const percent = (a: number, b: number): string => `${((a / b) * 100).toFixed(0)} %`;
  const tpsCase = `RabbitMQ end to end: publish (confirm) + consume (ack), ${MESSAGES} msgs`;
  const setup = `${IN_FLIGHT} unconfirmed max, prefetch ${PREFETCH}; median of ${ROUNDS} alternating rounds`;
  const lat = `${SAMPLES} sequential publish → delivery; median of ${ROUNDS} rounds`;
  return [
    {
      case: tpsCase,
      subject: 'raw amqplib',
      value: raw.tps,
      unit: 'msgs/s',
      note: `${setup}; best ${raw.best.toFixed(0)}; rounds (k/s) ${raw.each}`,
    },
    {
      case: tpsCase,
      subject: 'celeriac AmqpBroker',
      value: celeriac.tps,
      unit: 'msgs/s',
      note: `${percent(celeriac.tps, raw.tps)} of raw amqplib; best ${celeriac.best.toFixed(0)} (${percent(celeriac.best, raw.best)}); rounds (k/s) ${celeriac.each}`,
    },
    { case: 'RabbitMQ round trip p50', subject: 'raw amqplib', value: raw.p50, unit: 'ms', note: lat },
    { case: 'RabbitMQ round trip p50', subject: 'celeriac AmqpBroker', value: celeriac.p50, unit: 'ms' },
    { case: 'RabbitMQ round trip p99', subject: 'raw amqplib', value: raw.p99, unit: 'ms' },
    { case: 'RabbitMQ round trip p99', subject: 'celeriac AmqpBroker', value: celeriac.p99, unit: 'ms' },
  ];
}

const suite: BenchSuite = {
  name: 'amqp',
  async available() {
    try {
      const model = await connect(AMQP_URL);
      await model.close();
      return true;
    } catch (error) {
      return `RabbitMQ not reachable at ${AMQP_URL.replace(/:[^:@/]*@/, ':***@')}: ${(error as Error).message}`;
    }
  },
  run,
};

export default suite;
