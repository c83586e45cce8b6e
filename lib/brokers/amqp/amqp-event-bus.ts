import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Unsubscribe } from '../../backends/result-backend.interface.js';
import { decodeEventBatch, type CeleriacEvent } from '../../control/celeriac-event.js';
import type { EventBatchListener, EventBus } from '../../control/event-bus.interface.js';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import type { AmqpConnection } from './amqp.connection.js';
import { AmqpSideChannel } from './amqp-side-channel.js';
import type { CeleriacLogger } from '../../logging/celeriac-logger.js';

/** Batches a slow subscriber's queue holds before the oldest are dropped. */
const SUBSCRIBER_QUEUE_LIMIT = 100_000;

/**
 * Events over RabbitMQ: batches go to the topic exchange `<prefix>.events` (routing key = the
 * first event's type), transient and unconfirmed, on the control plane's own connection. The
 * subscribers of one bus object share an exclusive, auto-deleted queue bound to every key, capped
 * so that a subscriber that cannot keep up loses the oldest batches rather than fill RabbitMQ.
 */
export class AmqpEventBus implements EventBus {
  readonly kind = 'amqp';
  private readonly side: AmqpSideChannel;
  private readonly exchange: string;
  private readonly listeners = new Set<EventBatchListener>();
  private readonly logger: CeleriacLogger;
  private declared?: WeakRef<Channel>;
  private subscription?: Promise<() => Promise<void>>;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly prefix: string,
  ) {
    this.logger = connection.loggerFor('CeleriacEvents');
    this.exchange = `${prefix}.events`;
    this.side = new AmqpSideChannel(connection, () => undefined);
  }

  async connect(): Promise<void> {
    await this.connection.open();
  }

  async publish(events: readonly CeleriacEvent[]): Promise<void> {
    if (events.length === 0) return;
    const channel = await this.readyChannel();
    const content = Buffer.from(JSON.stringify(events));
    try {
      channel.publish(this.exchange, events[0].type, content, {
        persistent: false,
        contentType: 'application/json',
      });
    } catch (error) {
      throw new BrokerUnavailableError('amqp', error instanceof Error ? error : undefined);
    }
  }

  async subscribe(listener: EventBatchListener): Promise<Unsubscribe> {
    const own: EventBatchListener = (events) => listener(events);
    this.subscription ??= this.openQueue().catch((error: unknown) => {
      this.subscription = undefined;
      throw error;
    });
    await this.subscription;
    this.listeners.add(own);
    return async () => {
      this.listeners.delete(own);
      if (this.listeners.size > 0 || !this.subscription) return;
      const closing = this.subscription;
      this.subscription = undefined;
      await (
        await closing
      )();
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    const closing = this.subscription;
    this.subscription = undefined;
    await (
      await closing?.catch(() => undefined)
    )?.();
    await this.side.close();
  }

  private async readyChannel(): Promise<Channel> {
    const channel = await this.side.channel();
    if (this.declared?.deref() !== channel) {
      await channel.assertExchange(this.exchange, 'topic', { durable: false });
      this.declared = new WeakRef(channel);
    }
    return channel;
  }

  private async openQueue(): Promise<() => Promise<void>> {
    const queue = `${this.prefix}.events.subscriber.${randomUUID()}`;
    let current: Channel | undefined;
    const forget = await this.side.keep(async (channel) => {
      await channel.assertExchange(this.exchange, 'topic', { durable: false });
      await channel.assertQueue(queue, {
        exclusive: true,
        autoDelete: true,
        durable: false,
        arguments: { 'x-max-length': SUBSCRIBER_QUEUE_LIMIT, 'x-overflow': 'drop-head' },
      });
      await channel.bindQueue(queue, this.exchange, '#');
      await channel.consume(queue, (message) => this.deliver(message), { noAck: true });
      current = channel;
    });
    return async () => {
      forget();
      await current?.deleteQueue(queue).catch(() => undefined);
    };
  }

  private deliver(message: ConsumeMessage | null): void {
    if (!message) return;
    let events: CeleriacEvent[];
    try {
      events = decodeEventBatch(message.content.toString('utf8'));
    } catch (error) {
      this.logger.warn(`dropped a malformed event batch: ${(error as Error).message}`);
      return;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(events);
      } catch (error) {
        this.logger.warn(`an event listener failed: ${(error as Error).message}`);
      }
    }
  }
}
