import type { Options } from 'amqplib';
import type { MessageProperties } from '../broker.interface.js';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import { CeleriacError } from '../../errors/celeriac.error.js';
import { Header } from './amqp-headers.js';
import type { AmqpNames } from './amqp-names.js';
import { UnroutableMessageError, type AmqpPublisher } from './amqp.publisher.js';
import type { AmqpTopology } from './amqp.topology.js';
import { delayRoute } from './delay-ladder.js';

/** What goes with a message besides its body. */
export interface RouteOptions {
  messageId: string;
  priority: number;
  delayMs?: number;
  headers?: Record<string, unknown>;
  properties?: MessageProperties;
}

/**
 * Sends messages where they belong: straight to a work queue, into its delay ladder, or to its
 * dead-letter queue — declaring the topology first and resolving only on RabbitMQ's confirm.
 */
export class AmqpRouter {
  constructor(
    private readonly names: AmqpNames,
    private readonly topology: AmqpTopology,
    private readonly publisher: AmqpPublisher,
  ) {}

  send(queue: string, content: Buffer, options: RouteOptions): Promise<void> {
    const route = options.delayMs ? delayRoute(options.delayMs) : undefined;
    let headers = options.headers;
    if (route?.remainingMs) headers = { ...headers, [Header.delayRemaining]: route.remainingMs };
    const exchange = route ? this.names.delayLevel(queue, route.entryLevel) : this.names.workExchange(queue);
    const routingKey = route ? route.routingKey : queue;
    const properties = publishProperties(options, headers);
    const publish = () => this.publisher.publish(exchange, routingKey, content, properties);
    if (!route && this.topology.isDeclared(queue)) {
      // Fast path: topology known; only an unroutable return (queue deleted) takes the slow path.
      return publish().catch((error: unknown) =>
        this.recover(queue, error, () => this.topology.ensureQueue(queue), publish),
      );
    }
    const ensure = () => (route ? this.topology.ensureLadder(queue) : this.topology.ensureQueue(queue));
    return this.deliver(queue, ensure, publish);
  }

  /** Stores a message in the queue's dead-letter queue with the reason it could not be processed. */
  async deadLetter(
    queue: string,
    content: Buffer,
    options: RouteOptions & { reason: string },
  ): Promise<void> {
    const headers = { ...options.headers, [Header.reason]: options.reason, [Header.deadAt]: Date.now() };
    const properties = publishProperties(options, headers);
    await this.deliver(
      queue,
      () => this.topology.ensureDeadLetters(queue),
      () => this.publisher.publish(this.names.deadLetterExchange, queue, content, properties),
    );
  }

  private async deliver(
    queue: string,
    ensure: () => Promise<void>,
    publish: () => Promise<void>,
  ): Promise<void> {
    try {
      await ensure();
      await publish();
    } catch (error) {
      await this.recover(queue, error, ensure, publish);
    }
  }

  /** A returned message means the queue vanished (deleted by hand): declare again and retry once. */
  private async recover(
    queue: string,
    error: unknown,
    ensure: () => Promise<void>,
    publish: () => Promise<void>,
  ): Promise<void> {
    try {
      if (!(error instanceof UnroutableMessageError)) throw error;
      this.topology.forget(queue);
      await ensure();
      await publish();
    } catch (failure) {
      if (failure instanceof CeleriacError) throw failure;
      throw new BrokerUnavailableError('amqp', failure);
    }
  }
}

/**
 * Every message is mandatory: RabbitMQ must store it or say it could not route it. It is persistent
 * unless its producer asked for delivery mode 1.
 */
function publishProperties(
  options: RouteOptions,
  headers: Record<string, unknown> | undefined,
): Options.Publish {
  const extra = options.properties;
  return {
    ...(extra && {
      correlationId: extra.correlationId,
      replyTo: extra.replyTo,
      contentType: extra.contentType,
      contentEncoding: extra.contentEncoding,
    }),
    deliveryMode: extra?.deliveryMode ?? 2,
    messageId: options.messageId,
    priority: options.priority,
    headers,
    mandatory: true,
  };
}
