import type { Consumer, ConsumerLiveness, DeliveryHandler } from '../../broker.interface.js';
import { PrefetchSlots } from '../prefetch-slots.js';
import { whenReady, type RedisClient } from '../../../redis/redis-connection.js';
import type { RedisDelivery } from '../redis-delivery.js';
import type { CeleriacLogger } from '../../../logging/celeriac-logger.js';
import type { OutageLog } from '../../outage-log.js';
import { cutByDeadline, untilAnswering } from '../until-answering.js';
import { redisConsumerLiveness } from '../consumer-liveness.js';

/** An element BRPOP took off a list and the fetch script has not recorded yet. */
export interface PoppedElement {
  list: string;
  raw: string;
}

/** What one fetch handed over, and when a restore is next due (`-1`: nothing in `unacked`). */
export interface KombuTake {
  now: number;
  nextRestore: number;
  deliveries: RedisDelivery[];
}

/** What a kombu-layout consumer needs from its transport. */
export interface KombuConsumerHost {
  readonly logger: CeleriacLogger;
  readonly maxBlockMs: number;
  readonly commandClient: RedisClient;
  readonly outages: OutageLog;
  /** Records `popped` (if any) and takes up to `count` messages in all, as deliveries. */
  take(queue: string, count: number, onReleased: () => void, popped?: string): Promise<KombuTake>;
  /** Restores unacked entries that are visible again (any queue's, as kombu does); resolves with how many. */
  restoreDue(queue: string): Promise<number>;
  /** The queue's lists, in reading order. */
  listsOf(queue: string): string[];
}

const RECONNECT_CHECK_MS = 1_000;
const INTERRUPT_RETRY_MS = 20;
const RESTORE_RETRY_MS = 1_000;
const INTERRUPT_BOUND_MS = 2_000;

/**
 * One consumer of a kombu-layout queue. While it has free prefetch slots it takes messages with the
 * fetch script (pop and record in one step). With nothing to take it blocks with BRPOP across the
 * queue's lists on its own connection, as kombu's consumers do, until a message arrives or the next
 * unacked entry falls visible; the element BRPOP returns is recorded by the very next script call.
 * Cancelling unblocks the read with CLIENT UNBLOCK (a dropped connection could lose a popped
 * element), and an element popped as the cancel arrives is pushed back to the head of its list.
 * A BRPOP ioredis cut by its deadline (Redis frozen) still blocks on the server, which would pop the
 * next element after the thaw into a reply nobody reads: the blocking connection is dropped at once
 * (Redis removes a closed client's blocked command, popping nothing), and the consumer waits for a
 * PING answer before fetching again.
 */
export class KombuConsumer implements Consumer {
  private cancelled = false;
  private readonly slots: PrefetchSlots;
  private loop?: Promise<void>;
  private popped?: PoppedElement;
  private blockingId?: number;
  private blocked = false;
  private degraded = false;

  constructor(
    private readonly host: KombuConsumerHost,
    private readonly queue: string,
    private readonly blocking: RedisClient,
    private readonly handler: DeliveryHandler,
    prefetch: number,
  ) {
    this.slots = new PrefetchSlots(prefetch);
    blocking.on('ready', () => void this.learnId());
  }

  async start(): Promise<void> {
    await this.learnId();
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
    await this.interrupt();
    await this.pushBack();
    this.blocking.disconnect();
    this.host.outages.forget(this);
  }

  /**
   * Unblocks a pending BRPOP until the loop has ended. The UNBLOCK may reach Redis before the BRPOP
   * it is meant for, so it is sent again shortly; past a bound the connection is dropped instead.
   */
  private async interrupt(): Promise<void> {
    let ended = false;
    const loop = (this.loop ?? Promise.resolve()).finally(() => (ended = true));
    const giveUpAt = Date.now() + INTERRUPT_BOUND_MS;
    while (!ended) {
      if (Date.now() > giveUpAt) this.blocking.disconnect();
      else if (this.blocked && this.blockingId !== undefined)
        await this.host.commandClient.client('UNBLOCK', this.blockingId).catch(() => 0);
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, INTERRUPT_RETRY_MS))]);
    }
  }

  private async learnId(): Promise<void> {
    this.blockingId = Number(await this.blocking.client('ID').catch(() => this.blockingId));
  }

  private async run(): Promise<void> {
    while (!this.cancelled) {
      await this.slots.whenFree();
      if (this.cancelled) return;
      const wanted = this.slots.free;
      const take = await this.take(wanted);
      if (!take) continue;
      for (const delivery of take.deliveries) this.dispatch(delivery);
      if (take.nextRestore >= 0 && take.nextRestore <= take.now) {
        if (await this.restore()) continue;
        // Nothing could be restored (Redis failing, or the entries changed meanwhile): retry after a
        // pause, still woken at once by new work, rather than spinning on the same entries.
        await this.block({ ...take, nextRestore: take.now + RESTORE_RETRY_MS });
        continue;
      }
      if (take.deliveries.length < wanted) await this.block(take);
    }
  }

  private async restore(): Promise<boolean> {
    try {
      return (await this.host.restoreDue(this.queue)) > 0;
    } catch (error) {
      if (!this.cancelled) this.warn('restore', error as Error);
      return false;
    }
  }

  private async take(wanted: number): Promise<KombuTake | undefined> {
    const popped = this.popped;
    try {
      const take = await this.host.take(this.queue, wanted, () => this.slots.release(), popped?.raw);
      this.popped = undefined;
      if (this.degraded) this.host.outages.up(this);
      this.degraded = false;
      return take;
    } catch (error) {
      if (this.cancelled) return undefined;
      this.host.outages.down(this, `queue "${this.queue}": cannot fetch: ${(error as Error).message}`);
      await this.untilAnswering();
      return undefined;
    }
  }

  private async block(take: KombuTake): Promise<void> {
    const untilRestore = take.nextRestore < 0 ? Infinity : take.nextRestore - take.now + 1;
    const waitMs = Math.min(this.host.maxBlockMs, untilRestore);
    if (waitMs <= 0 || this.cancelled) return;
    this.blocked = true;
    const started = Date.now();
    try {
      const reply = await this.blocking.brpop(
        ...this.host.listsOf(this.queue),
        Math.max(0.01, waitMs / 1000),
      );
      if (reply) this.popped = { list: reply[0], raw: reply[1] };
      else if (cutByDeadline(this.blocking, started, waitMs) && !this.cancelled) await this.afterCut();
    } catch {
      // Dropped connection (or cancel): the next fetch finds whatever happened meanwhile.
      if (!this.cancelled) await whenReady(this.blocking, RECONNECT_CHECK_MS);
    } finally {
      this.blocked = false;
    }
  }

  /** Cancels the server-side BRPOP by dropping its connection, then waits for Redis to answer. */
  private async afterCut(): Promise<void> {
    this.blocking.disconnect(true);
    await this.untilAnswering();
    await whenReady(this.blocking, RECONNECT_CHECK_MS);
  }

  /**
   * Waits for Redis to answer before the next fetch: a fetch sent into a freeze would still run at
   * the thaw and record what it pops as unacked for a reply nobody reads (hidden until restored).
   */
  private async untilAnswering(): Promise<void> {
    this.degraded = true;
    const { commandClient, outages } = this.host;
    const stopped = (): boolean => this.cancelled;
    await untilAnswering({ commandClient, outages, owner: this, what: `queue "${this.queue}"`, stopped });
  }

  /** An element popped as the consumer stopped goes back where kombu reads next. */
  private async pushBack(): Promise<void> {
    const popped = this.popped;
    if (!popped) return;
    this.popped = undefined;
    await this.host.commandClient.rpush(popped.list, popped.raw).catch((error: Error) => {
      this.host.logger.error(
        `queue "${this.queue}": could not push back a message taken as the consumer stopped (${error.message}): ${popped.raw}`,
      );
    });
  }

  private dispatch(delivery: RedisDelivery): void {
    this.slots.dispatch(delivery, this.handler, this.host.logger, this.queue);
  }

  private warn(what: string, error: Error): void {
    this.host.logger.warn(`queue "${this.queue}": cannot ${what} (${error.message}); waiting for Redis`);
  }
}
