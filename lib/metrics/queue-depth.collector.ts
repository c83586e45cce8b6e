import { Gauge, type Registry } from 'prom-client';
import type { Broker, QueueStats } from '../brokers/broker.interface.js';

/** How long a scrape waits for the broker's counts before it reports the queues it has. */
export const QUEUE_STATS_TIMEOUT_MS = 2_000;

type DepthKind = 'ready' | 'delayed' | 'in_flight' | 'dead_letter';

/**
 * Asks the broker for each queue's counts when Prometheus scrapes (never on a timer): messages
 * ready, delayed, in flight and dead-lettered as `queue_depth{queue,kind}`, plus the consumers.
 * A broker that does not answer leaves its queues out of that scrape and sets `broker_up` to 0,
 * rather than failing the whole scrape.
 */
export class QueueDepthCollector {
  /** The counts of the scrape under way: prom-client collects every metric of a scrape at once. */
  private scrape?: Promise<QueueStats[] | undefined>;

  constructor(
    registry: Registry,
    prefix: string,
    private readonly broker: Broker,
    private readonly queues: () => Iterable<string>,
  ) {
    const registers = [registry];
    const up: Gauge = new Gauge({
      name: `${prefix}broker_up`,
      help: "1 when the broker answered the scrape's queue counts, 0 when it did not.",
      registers,
      collect: async () => up.set((await this.stats()) ? 1 : 0),
    });
    const depth: Gauge<'queue' | 'kind'> = new Gauge({
      name: `${prefix}queue_depth`,
      help: 'Messages of a queue by kind: ready, delayed (countdown, ETA, backoff), in_flight (delivered, not settled), dead_letter.',
      labelNames: ['queue', 'kind'],
      registers,
      collect: async () => {
        const all = await this.stats();
        depth.reset();
        for (const stats of all ?? []) {
          for (const [kind, value] of depthsOf(stats))
            if (value !== undefined) depth.set({ queue: stats.queue, kind }, value);
        }
      },
    });
    const consumers: Gauge<'queue'> = new Gauge({
      name: `${prefix}queue_consumers`,
      help: 'Consumers attached to a queue (where the broker reports them).',
      labelNames: ['queue'],
      registers,
      collect: async () => {
        const all = await this.stats();
        consumers.reset();
        for (const stats of all ?? [])
          if (stats.consumers !== undefined) consumers.set({ queue: stats.queue }, stats.consumers);
      },
    });
  }

  private stats(): Promise<QueueStats[] | undefined> {
    this.scrape ??= statsOf(this.broker, [...new Set(this.queues())]).finally(() => {
      this.scrape = undefined;
    });
    return this.scrape;
  }
}

function depthsOf(stats: QueueStats): [DepthKind, number | undefined][] {
  return [
    ['ready', stats.ready],
    ['delayed', stats.delayed],
    ['in_flight', stats.inFlight],
    ['dead_letter', stats.deadLettered],
  ];
}

async function statsOf(broker: Broker, queues: string[]): Promise<QueueStats[] | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), QUEUE_STATS_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.all(queues.map((queue) => broker.stats(queue))), timeout]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
