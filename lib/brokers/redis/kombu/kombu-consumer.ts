import type { Consumer, ConsumerLiveness, DeliveryHandler } from '../../broker.interface.js';
import { PrefetchSlots } from '../prefetch-slots.js';
import { whenReady, type RedisClient } from '../../../redis/redis-connection.js';
import type { RedisDelivery } from '../redis-delivery.js';
import type { CeleriacLogger } from '../../../logging/celeriac-logger.js';
import type { OutageLog } from '../../outage-log.js';
import { blockingMarginOf } from '../../../redis/redis-deadlines.js';
import { untilAnswering } from '../until-answering.js';
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

/** What a BRPOP gave: the list and the element it popped, `null` (Redis timed it out), or `dropped`. */
type ReadOutcome = [string, string] | null | 'dropped';
/** A read that had not settled within the time it was given. */
const PENDING = Symbol('pending');

/**
 * One consumer of a kombu-layout queue. While it has free prefetch slots it takes messages with the
 * fetch script (pop and record in one step). With nothing to take it blocks with BRPOP across the
 * queue's lists on its own connection, as kombu's consumers do, until a message arrives or the next
 * unacked entry falls visible; the element BRPOP returns is recorded by the very next script call.
 * Cancelling unblocks the read with CLIENT UNBLOCK (a dropped connection could lose a popped
 * element), and an element popped as the cancel arrives is pushed back to the head of its list.
 *
 * The consumer times its reads itself: its connection has no ioredis read deadline, which would end
 * a read with no reply and drop the reply that comes later. A read unanswered past its block time
 * plus margin means Redis is frozen (SIGSTOP, a hung host), and the read is kept, not dropped by
 * closing the connection: Redis still holds it, and once thawed it runs what waited in its sockets
 * (pushes made during the freeze among it) before it times the read out or reads the close, and a
 * read that reached it only at the thaw is not even due; so it may pop a message into the reply of
 * a connection already closed — lost. Kept, the read's reply comes on this connection: the consumer
 * waits for Redis to answer a PING, then for that reply, and records what it popped. (Reading into
 * a list of Celeriac's own, BLMOVE or BRPOPLPUSH, would keep such an element in Redis, but reads a
 * single list, not kombu's list per priority step.)
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
    try {
      const read: Promise<ReadOutcome> = this.blocking
        .brpop(...this.host.listsOf(this.queue), Math.max(0.01, waitMs / 1000))
        .catch(() => 'dropped' as const);
      let outcome = await within(read, waitMs + blockingMarginOf(this.blocking));
      if (outcome === PENDING) outcome = await this.afterCut(read, waitMs);
      if (outcome === 'dropped') {
        // Dropped connection (or cancel): the next fetch finds whatever happened meanwhile.
        if (!this.cancelled) await whenReady(this.blocking, RECONNECT_CHECK_MS);
      } else if (outcome) this.popped = { list: outcome[0], raw: outcome[1] };
    } finally {
      this.blocked = false;
    }
  }

  /**
   * The read passed its deadline unanswered (Redis frozen): waits for Redis to answer a PING, then
   * for the read's own reply, which comes within its block time (served, or timed out by Redis).
   * A connection still silent then is lost while Redis answers: CLIENT UNBLOCK ends the read in
   * Redis (nothing popped) before the connection is dropped.
   */
  private async afterCut(read: Promise<ReadOutcome>, waitMs: number): Promise<ReadOutcome> {
    await this.untilAnswering();
    // cancel() unblocks the read, or drops the connection past its bound: either settles it.
    if (this.cancelled) return read;
    const marginMs = blockingMarginOf(this.blocking);
    const late = await within(read, waitMs + marginMs);
    if (late !== PENDING) return late;
    if (this.blockingId !== undefined)
      await this.host.commandClient.client('UNBLOCK', this.blockingId).catch(() => 0);
    const unblocked = await within(read, marginMs);
    if (unblocked !== PENDING) return unblocked;
    this.blocking.disconnect(true);
    return read;
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

/** `promise`'s value if it settles within `ms`, else {@link PENDING} (the promise is left running). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof PENDING> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<typeof PENDING>((resolve) => (timer = setTimeout(() => resolve(PENDING), ms)));
  try {
    return await Promise.race([promise, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}
