import type { Broker, Consumer, ConsumerLiveness, Delivery } from '../brokers/broker.interface.js';
import type { ResolvedQueueOptions } from '../celeriac-options.interface.js';
import type { WorkerQueueState } from '../control/celeriac-event.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { createPool } from './pools/create-pool.js';
import type { Pool, TaskInvoker } from './pools/pool.interface.js';
import type { CeleriacLoggerOption } from '../logging/celeriac-logger.js';

/** A queue a worker consumes, and whether its consumer receives now. */
export interface QueueLiveness {
  queue: string;
  liveness: ConsumerLiveness;
}

/** One queue a worker has a pool for, and its consumer while it consumes. */
interface ServedQueue {
  queue: string;
  pool: Pool;
  consumer?: Consumer;
}

/**
 * The queues one worker consumes: a pool and a consumer per queue, the consumer's prefetch equal to
 * the pool's concurrency. Remote control changes them at run time: `add` / `cancel` start and stop
 * consuming (a cancelled queue keeps its pool for a later `add`, and its held tasks finish),
 * `resize` changes the pool and replaces the consumer with one of the new prefetch (deliveries of
 * the old one stay valid until settled).
 */
export class WorkerQueues {
  private readonly served = new Map<string, ServedQueue>();

  constructor(
    private readonly broker: Broker,
    private readonly table: Readonly<Record<string, ResolvedQueueOptions>>,
    private readonly invoke: TaskInvoker,
    private readonly handle: (delivery: Delivery, pool: Pool) => void,
    private readonly logger?: CeleriacLoggerOption,
  ) {}

  /** Starts consuming `queue`; false when it already was. */
  async add(queue: string): Promise<boolean> {
    const options = this.table[queue];
    if (!options) {
      const known = Object.keys(this.table).join(', ');
      throw new TaskDefinitionError(`unknown queue "${queue}" (configured: ${known})`);
    }
    let served = this.served.get(queue);
    if (served?.consumer) return false;
    if (!served) {
      const pool = createPool(queue, options, this.invoke, this.logger);
      await pool.start();
      served = { queue, pool };
      this.served.set(queue, served);
    }
    served.consumer = await this.consume(served);
    return true;
  }

  /** Stops consuming `queue` (held tasks finish); false when it was not consumed. */
  async cancel(queue: string): Promise<boolean> {
    const served = this.served.get(queue);
    const consumer = served?.consumer;
    if (!served || !consumer) return false;
    served.consumer = undefined;
    await consumer.cancel();
    return true;
  }

  async resize(queue: string, concurrency: number): Promise<void> {
    const served = this.served.get(queue);
    if (!served) throw new TaskDefinitionError(`this worker has no pool for queue "${queue}"`);
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a whole number of at least 1, got ${concurrency}`);
    }
    if (concurrency === served.pool.concurrency) return;
    await served.pool.resize(concurrency);
    const old = served.consumer;
    if (!old) return;
    served.consumer = await this.consume(served);
    await old.cancel();
  }

  consuming(queue: string): boolean {
    return this.served.get(queue)?.consumer !== undefined;
  }

  /**
   * Each queue consumed now (not those cancelled by remote control) and what its consumer says of
   * itself; a consumer whose broker cannot tell counts as alive.
   */
  liveness(): QueueLiveness[] {
    const live: QueueLiveness[] = [];
    for (const { queue, consumer } of this.served.values()) {
      if (consumer) live.push({ queue, liveness: consumer.liveness?.() ?? { alive: true } });
    }
    return live;
  }

  /** Each queue with a pool: pool kind, concurrency, and how many deliveries of it are held. */
  states(held: (queue: string) => number): WorkerQueueState[] {
    return [...this.served.values()].map(({ queue, pool }) => ({
      queue,
      pool: pool.kind,
      concurrency: pool.concurrency,
      held: held(queue),
    }));
  }

  summary(): string {
    return [...this.served.values()]
      .map((s) => `${s.queue} (${s.pool.kind}×${s.pool.concurrency})`)
      .join(', ');
  }

  async cancelAll(): Promise<void> {
    await Promise.allSettled([...this.served.keys()].map((queue) => this.cancel(queue)));
  }

  async closePools(): Promise<void> {
    await Promise.allSettled([...this.served.values()].map((served) => served.pool.close()));
  }

  private consume(served: ServedQueue): Promise<Consumer> {
    return this.broker.consume(served.queue, (delivery) => this.handle(delivery, served.pool), {
      prefetch: served.pool.concurrency,
    });
  }
}
