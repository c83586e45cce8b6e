import type { Consumer, ConsumerLiveness, DeliveryHandler } from '../broker.interface.js';
import { PrefetchSlots } from './prefetch-slots.js';
import type { OutageLog } from '../outage-log.js';
import { whenReady, type RedisClient } from '../../redis/redis-connection.js';
import { cutByDeadline, untilAnswering } from './until-answering.js';
import { RedisDelivery, type FetchedMessage } from './redis-delivery.js';
import type { CeleriacLogger } from '../../logging/celeriac-logger.js';
import { redisConsumerLiveness } from './consumer-liveness.js';

/** One fetch: the messages taken, the server's clock and when a timer next needs attention. */
export interface FetchResult {
  now: number;
  /** Epoch ms (server clock) when a delayed message falls due or a lease ends; -1 if never. */
  nextWake: number;
  messages: FetchedMessage[];
  /** Messages the fetch dead-lettered unread for their size. */
  refused?: { messageId: string; bytes: number }[];
}

/** What a consumer needs from its broker. */
export interface ConsumerHost {
  readonly commandClient: RedisClient;
  readonly logger: CeleriacLogger;
  readonly maxBlockMs: number;
  /** Where a consumer that cannot fetch reports it: one line per outage for the whole process. */
  readonly outages: OutageLog;
  fetch(queue: string, count: number): Promise<FetchResult>;
  /** Re-arms the queue's wake-up marker if ready work exists. */
  signal(queue: string): Promise<void>;
  /** Wraps a fetched message in a delivery that frees `onReleased`'s slot when settled. */
  deliver(queue: string, message: FetchedMessage, onReleased: () => void): RedisDelivery;
}

const RECONNECT_CHECK_MS = 1_000;

/**
 * One consumer of one queue. It fetches while it has free prefetch slots; when the queue is empty it
 * blocks on its own connection (BZPOPMIN of the wake-up marker) until new work arrives or the next
 * delayed message or lease end it was told of, so an idle consumer sends almost nothing.
 */
export class RedisConsumer implements Consumer {
  private cancelled = false;
  private readonly slots: PrefetchSlots;
  private loop?: Promise<void>;
  private degraded = false;

  constructor(
    private readonly host: ConsumerHost,
    private readonly queue: string,
    private readonly wakeKey: string,
    private readonly blocking: RedisClient,
    private readonly handler: DeliveryHandler,
    prefetch: number,
  ) {
    this.slots = new PrefetchSlots(prefetch);
  }

  start(): void {
    this.loop = this.run();
  }

  liveness(): ConsumerLiveness {
    const { cancelled, blocking } = this;
    return redisConsumerLiveness({ cancelled, owner: this, outages: this.host.outages, blocking });
  }

  async cancel(): Promise<void> {
    if (this.cancelled) return this.loop;
    this.cancelled = true;
    this.slots.wake();
    // Interrupts a blocking read. If that read had already taken the wake-up marker, signal() puts
    // it back so another consumer still hears of the ready work.
    this.blocking.disconnect();
    await this.loop;
    this.host.outages.forget(this);
    await this.host.signal(this.queue).catch(() => undefined);
  }

  private async run(): Promise<void> {
    while (!this.cancelled) {
      await this.slots.whenFree();
      if (this.cancelled) return;
      const wanted = this.slots.free;
      const result = await this.fetch(wanted);
      if (!result) continue;
      for (const message of result.messages) this.dispatch(message);
      if (result.messages.length < wanted) await this.sleep(result);
    }
  }

  private async fetch(count: number): Promise<FetchResult | undefined> {
    try {
      const result = await this.host.fetch(this.queue, count);
      if (this.degraded) this.host.outages.up(this);
      this.degraded = false;
      return result;
    } catch (error) {
      if (this.cancelled) return undefined;
      // A frozen server breaks no connection: the consumer's failed fetch is what reports it.
      this.host.outages.down(this, `queue "${this.queue}": cannot fetch: ${(error as Error).message}`);
      this.degraded = true;
      await this.untilAnswering();
      return undefined;
    }
  }

  /** Waits for Redis to answer before the next fetch (see {@link untilAnswering}). */
  private async untilAnswering(): Promise<void> {
    this.degraded = true;
    const { commandClient, outages } = this.host;
    const stopped = (): boolean => this.cancelled;
    await untilAnswering({ commandClient, outages, owner: this, what: `queue "${this.queue}"`, stopped });
  }

  private async sleep(result: FetchResult): Promise<void> {
    const untilWake =
      result.nextWake < 0
        ? this.host.maxBlockMs
        : Math.min(this.host.maxBlockMs, result.nextWake - result.now + 1);
    if (untilWake <= 0 || this.cancelled) return;
    const started = Date.now();
    try {
      const reply = await this.blocking.bzpopmin(this.wakeKey, untilWake / 1000);
      // No reply well past the block time: ioredis ended a read Redis left unanswered (frozen). A
      // fetch now would be cut by its deadline too, and still lease messages once Redis thaws.
      const cut = reply === null && cutByDeadline(this.blocking, started, untilWake);
      if (cut && !this.cancelled) await this.untilAnswering();
    } catch {
      // Dropped connection (or cancel): the next fetch finds whatever happened meanwhile.
      if (!this.cancelled) await whenReady(this.blocking, RECONNECT_CHECK_MS);
    }
  }

  private dispatch(message: FetchedMessage): void {
    const delivery = this.host.deliver(this.queue, message, () => this.slots.release());
    this.slots.dispatch(delivery, this.handler, this.host.logger, this.queue);
  }
}
