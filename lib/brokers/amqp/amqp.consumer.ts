import type { ConsumeMessage } from 'amqplib';
import type { Consumer, ConsumerLiveness, DeliveryHandler } from '../broker.interface.js';
import type { ResolvedAmqpBrokerOptions } from './amqp-broker.options.js';
import { remainingDelayOf } from './amqp-headers.js';
import type { AmqpNames } from './amqp-names.js';
import type { AmqpConnection } from './amqp.connection.js';
import { AckBatcher } from './ack-batcher.js';
import { closeWithin } from './amqp-deadline.js';
import { oversizedBytes, oversizedReason } from '../oversized-message.js';
import { AmqpDelivery, type ConsumerSession } from './amqp.delivery.js';
import type { AmqpRouter } from './amqp.router.js';
import type { AmqpTopology } from './amqp.topology.js';
import type { CeleriacLogger } from '../../logging/celeriac-logger.js';

/** What a consumer shares with its broker client. */
export interface ConsumerContext {
  connection: AmqpConnection;
  topology: AmqpTopology;
  router: AmqpRouter;
  names: AmqpNames;
  options: ResolvedAmqpBrokerOptions;
  /** Bodies larger than this are dead-lettered at receipt, never decoded nor handed to the handler. */
  maxReceiveBytes?: number;
}

/**
 * One consumer of a work queue, on a channel of its own with a per-consumer prefetch. When the
 * channel or the connection dies it comes back by itself: declares its queue again and resumes
 * (immediately when the connection returns, with backoff while it cannot). Deliveries of the dead
 * channel are left to RabbitMQ, which redelivers them.
 */
export class AmqpConsumer implements Consumer {
  private session?: ConsumerSession;
  private consumerTag?: string;
  private starting?: Promise<void>;
  private retryTimer?: NodeJS.Timeout;
  private retries = 0;
  private stopped = false;
  /** Why the last channel went away (first cause), until a new one consumes. */
  private cut?: string;
  /** Why the last attempt to consume again failed. */
  private resumeFailure?: string;
  private readonly unsubscribe: () => void;
  private readonly logger: CeleriacLogger;

  constructor(
    private readonly queue: string,
    private readonly handler: DeliveryHandler,
    private readonly prefetch: number,
    private readonly context: ConsumerContext,
  ) {
    this.logger = context.connection.loggerFor(`Celeriac amqp consumer ${queue}`);
    this.unsubscribe = context.connection.onReconnect(() => this.restart(0));
  }

  /** Starts consuming; the first failure goes to the caller. */
  start(): Promise<void> {
    this.starting ??= this.open().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Alive while a channel of it consumes; otherwise why the last one went and why it is not back. */
  liveness(): ConsumerLiveness {
    if (this.stopped) return { alive: false, reason: 'cancelled' };
    if (this.session?.open && this.consumerTag !== undefined) return { alive: true };
    const cut = this.connectionFailure() ?? this.cut ?? 'not consuming yet';
    const resume = this.resumeFailure;
    const failure = resume && resume !== cut ? `; cannot resume: ${resume}` : '';
    return { alive: false, reason: `${cut}${failure}` };
  }

  /** A lost connection closes every channel on it: say that, rather than "channel closed". */
  private connectionFailure(): string | undefined {
    try {
      this.context.connection.require();
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  /** Stops new deliveries; the channel stays open until those in hand are settled. */
  async cancel(): Promise<void> {
    if (this.stopped) return;
    this.halt();
    const { session, consumerTag } = this;
    if (!session?.open) return;
    if (consumerTag) await session.channel.cancel(consumerTag).catch(() => undefined);
    if (session.unsettled === 0) await closeSession(session, this.context.connection.closeTimeoutMs);
  }

  /** Closes the channel now: RabbitMQ puts unsettled deliveries back in the queue. */
  async stop(): Promise<void> {
    this.halt();
    const session = this.session;
    if (session?.open) await closeSession(session, this.context.connection.closeTimeoutMs);
  }

  private halt(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.unsubscribe();
  }

  private async open(): Promise<void> {
    if (this.stopped || this.session?.open) return;
    const model = this.context.connection.require();
    await this.context.topology.ensureQueue(this.queue);
    const ladder = this.declareLadder();
    const channel = await model.createChannel();
    const acks = new AckBatcher<ConsumeMessage>((message, multiple) => {
      try {
        if (session.open) channel.ack(message, multiple);
      } catch {
        // The channel is closing: RabbitMQ redelivers what it did not see acked.
      }
    });
    const session: ConsumerSession = { channel, open: true, unsettled: 0, acks };
    channel.on('error', (error: Error) => {
      this.logger.warn(`channel error: ${error.message}`);
      this.cut ??= `channel error: ${error.message}`;
    });
    channel.on('close', () => this.closed(session));
    try {
      await channel.prefetch(this.prefetch, false);
      const queueName = this.context.names.workQueue(this.queue);
      const { consumerTimeoutMs } = this.context.options;
      const reply = await channel.consume(queueName, (message) => this.receive(session, message), {
        noAck: false,
        arguments: consumerTimeoutMs === undefined ? undefined : { 'x-consumer-timeout': consumerTimeoutMs },
      });
      this.session = session;
      this.consumerTag = reply.consumerTag;
      this.retries = 0;
      this.cut = this.resumeFailure = undefined;
    } catch (error) {
      await channel.close().catch(() => undefined);
      throw error;
    } finally {
      await ladder;
    }
    if (this.stopped) await closeSession(session, this.context.connection.closeTimeoutMs);
  }

  /**
   * The queue's delay ladder, declared while the consumer starts rather than when the queue first
   * delays something: a worker delays its own deliveries (rate limits, retries, concurrency waits),
   * and the first of them would otherwise wait for the whole ladder to be declared on top of its
   * delay. Consuming does not depend on it: if it fails, the first delayed send declares it again
   * and reports the failure to its caller.
   */
  private async declareLadder(): Promise<void> {
    try {
      await this.context.topology.ensureLadder(this.queue);
    } catch (error) {
      this.logger.warn(`could not declare the delay ladder yet: ${(error as Error).message}`);
    }
  }

  private closed(session: ConsumerSession): void {
    session.open = false;
    if (this.session === session) this.session = undefined;
    if (this.stopped) return;
    this.cut ??= 'channel closed';
    this.restart();
  }

  private restart(delayMs?: number): void {
    if (this.stopped || this.context.connection.isClosed) return;
    clearTimeout(this.retryTimer);
    const { reconnectInitialDelayMs: initial, reconnectMaxDelayMs: max } = this.context.options;
    const delay = delayMs ?? Math.min(max, initial * 2 ** Math.min(this.retries++, 20));
    this.retryTimer = setTimeout(() => {
      this.start().catch((error: Error) => {
        this.logger.debug?.(`cannot resume yet: ${error.message}`);
        this.resumeFailure = error.message;
        this.restart();
      });
    }, delay);
  }

  private receive(session: ConsumerSession, message: ConsumeMessage | null): void {
    if (message === null) {
      // RabbitMQ cancelled the consumer (its queue was deleted): a new channel declares it again.
      this.logger.warn(`RabbitMQ cancelled the consumer of "${this.queue}"; resuming`);
      this.cut ??= 'RabbitMQ cancelled the consumer';
      void closeSession(session, this.context.connection.closeTimeoutMs);
      return;
    }
    session.unsettled++;
    session.acks.delivered(message);
    const delivery = new AmqpDelivery(this.queue, message, session, this.context.router, this.settled);
    const { maxReceiveBytes } = this.context;
    const bytes = oversizedBytes(message.content, maxReceiveBytes);
    if (bytes !== undefined) {
      const reason = oversizedReason(bytes, maxReceiveBytes!);
      this.logger.warn(`message ${delivery.messageId}: ${reason}`);
      return this.internally(delivery.refuseOversized(reason, bytes));
    }
    const remaining = remainingDelayOf(message.properties.headers);
    if (remaining > 0) return this.internally(delivery.redelay(remaining));
    // Queues in Celery's layout are always classic: RabbitMQ does not count their redeliveries.
    const classic =
      this.context.options.queueType === 'classic' || this.context.names.protocolOf(this.queue) === 'celery';
    if (message.fields.redelivered && classic) {
      return this.internally(this.recount(delivery));
    }
    try {
      this.handler(delivery);
    } catch (error) {
      this.logger.error(`delivery handler threw: ${(error as Error).message}`);
    }
  }

  /**
   * A classic queue redelivered a message its consumer never settled. Count the return; past the
   * delivery limit it is poison (it keeps killing or disconnecting its workers): dead-letter it.
   */
  private recount(delivery: AmqpDelivery): Promise<void> {
    const { deliveryLimit } = this.context.options;
    const returns = delivery.counters.returns + 1;
    if (returns <= deliveryLimit) return delivery.recount();
    return delivery.deadLetter(
      `delivery limit of ${deliveryLimit} exceeded: came back unsettled ${returns} times ` +
        '(the consumer holding it died or lost its connection each time)',
    );
  }

  private internally(settling: Promise<void>): void {
    settling.catch((error: Error) =>
      this.logger.warn(`could not settle a returned message: ${error.message}`),
    );
  }

  private readonly settled = (session: ConsumerSession): void => {
    session.unsettled--;
    if (this.stopped && session.open && session.unsettled === 0)
      void closeSession(session, this.context.connection.closeTimeoutMs);
  };
}

/** Acks requested so far go out before the channel closes; anything unsettled goes back to the queue. */
async function closeSession(session: ConsumerSession, timeoutMs: number): Promise<void> {
  session.acks.flush();
  await closeWithin(session.channel.close(), timeoutMs);
}
