import { DeliverySettledError } from '../../errors/delivery-settled.error.js';
import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Delivery, MessageHeaders, MessageProperties, RequeueOptions } from '../broker.interface.js';
import {
  applicationHeaders,
  counterHeaders,
  countersOf,
  deliveryCountOf,
  Header,
  messagePropertiesOf,
  type MessageCounters,
} from './amqp-headers.js';
import type { AckBatcher } from './ack-batcher.js';
import type { AmqpRouter } from './amqp.router.js';
import { clampPriority } from '../priority.js';
import { bodyPrefix } from '../oversized-message.js';

/** One consumer channel's life: deliveries from it can only be settled while it is open. */
export interface ConsumerSession {
  readonly channel: Channel;
  open: boolean;
  unsettled: number;
  /** Acks of this channel go out in batches, once per I/O turn. */
  readonly acks: AckBatcher<ConsumeMessage>;
}

const SETTLED = Promise.resolve();

/** After a failed re-publish, the original goes back to its queue after this pause, not at once. */
const RETRY_PAUSE_MS = 1_000;

/**
 * One AMQP delivery. `requeue` and `deadLetter` publish the replacement (with confirm) before
 * acking the original, so a crash in between duplicates the message rather than losing it. If the
 * channel the message came on has died, nothing is sent — not even an ack, since its delivery tag
 * means nothing on any other channel — and RabbitMQ redelivers the message instead.
 */
export class AmqpDelivery implements Delivery {
  readonly messageId: string;
  readonly priority: number;
  readonly deliveryCount: number;
  readonly headers: MessageHeaders;
  readonly properties: MessageProperties;
  readonly counters: MessageCounters;
  private outcome?: string;
  private decoded?: string;

  constructor(
    readonly queue: string,
    private readonly message: ConsumeMessage,
    private readonly session: ConsumerSession,
    private readonly router: AmqpRouter,
    private readonly onSettled: (session: ConsumerSession) => void,
  ) {
    const { properties } = message;
    this.messageId = typeof properties.messageId === 'string' ? properties.messageId : randomUUID();
    this.priority = clampPriority(properties.priority as number | undefined);
    this.counters = countersOf(properties.headers);
    this.deliveryCount = deliveryCountOf(this.counters);
    this.headers = applicationHeaders(properties.headers);
    this.properties = messagePropertiesOf(properties);
  }

  /** Decoded on first read, so a message refused for its size is never turned into a string. */
  get body(): string {
    this.decoded ??= this.message.content.toString('utf8');
    return this.decoded;
  }

  ack(): Promise<void> {
    if (this.outcome) return this.settle('acknowledged');
    // Nothing to publish first: ack synchronously, without an async frame per message.
    this.outcome = 'acknowledged';
    this.send(() => this.session.acks.ack(this.message));
    return SETTLED;
  }

  requeue(options: RequeueOptions = {}): Promise<void> {
    const counters = { ...this.counters, requeues: this.counters.requeues + 1 };
    const body = options.body === undefined ? this.message.content : Buffer.from(options.body);
    const priority = options.priority === undefined ? this.priority : clampPriority(options.priority);
    const next = { headers: options.headers, properties: options.properties };
    return this.settle('requeued', () => this.resend(body, counters, priority, options.delayMs, next));
  }

  deadLetter(reason: string): Promise<void> {
    const options = {
      messageId: this.messageId,
      priority: this.priority,
      reason: String(reason),
      headers: this.headers,
      properties: this.properties,
    };
    return this.settle('dead-lettered', () =>
      this.router.deadLetter(this.queue, this.message.content, options),
    );
  }

  /** Dead-letters the message unread for its size: the letter keeps the start of the body and its size. */
  refuseOversized(reason: string, bodyBytes: number): Promise<void> {
    const options = {
      messageId: this.messageId,
      priority: this.priority,
      reason,
      headers: { ...this.headers, [Header.bodyBytes]: bodyBytes },
      properties: this.properties,
    };
    const prefix = bodyPrefix(this.message.content);
    return this.settle('dead-lettered', () => this.router.deadLetter(this.queue, prefix, options));
  }

  /** A message whose delay outlasts one pass through the ladder goes round again. */
  redelay(remainingMs: number): Promise<void> {
    return this.settle('re-delayed', () =>
      this.resend(this.message.content, this.counters, this.priority, remainingMs),
    );
  }

  /**
   * A classic queue only flags a redelivery; to count them, the returned message is re-published
   * with its count in a header and the original acked, so the next return is counted too.
   */
  recount(): Promise<void> {
    const counters = { ...this.counters, returns: this.counters.returns + 1 };
    return this.settle('re-counted', () => this.resend(this.message.content, counters, this.priority));
  }

  /** Re-publishes the message; its headers and properties go along unless `replace` gives new ones. */
  private resend(
    body: Buffer,
    counters: MessageCounters,
    priority: number,
    delayMs?: number,
    replace: { headers?: MessageHeaders; properties?: MessageProperties } = {},
  ): Promise<void> {
    const headers = { ...(replace.headers ?? this.headers), ...counterHeaders(counters) };
    const properties = replace.properties ?? this.properties;
    const options = { messageId: this.messageId, priority, delayMs, headers, properties };
    return this.router.send(this.queue, body, options);
  }

  private async settle(outcome: string, publishFirst?: () => Promise<void>): Promise<void> {
    if (this.outcome) {
      throw new DeliverySettledError(this.messageId, this.queue, this.outcome);
    }
    this.outcome = outcome;
    try {
      if (publishFirst && this.session.open) await publishFirst();
    } catch (error) {
      this.giveBackLater();
      throw error;
    }
    this.send(() => this.session.acks.ack(this.message));
  }

  /** The replacement was not stored: hand the original back (after a pause, so this cannot spin). */
  private giveBackLater(): void {
    const timer = setTimeout(
      () =>
        this.send((channel) => {
          channel.nack(this.message, false, true);
          this.session.acks.settledElsewhere(this.message);
        }),
      RETRY_PAUSE_MS,
    );
    timer.unref();
  }

  private send(frame: (channel: Channel) => void): void {
    const { session } = this;
    try {
      if (session.open) frame(session.channel);
    } catch {
      // The channel closed under us: RabbitMQ redelivers the message.
    } finally {
      this.onSettled(session);
    }
  }
}
