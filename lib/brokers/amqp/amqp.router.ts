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

  async send(queue: string, content: Buffer, options: RouteOptions): Promise<void> {
    const route = options.delayMs ? delayRoute(options.delayMs) : undefined;
    let headers = options.headers;
    if (route?.remainingMs) headers = { ...headers, [Header.delayRemaining]: route.remainingMs };
    const [exchange, routingKey] = route
      ? [this.names.delayLevel(queue, route.entryLevel), route.routingKey]
      : [this.names.tasksExchange, queue];
    const properties = { messageId: options.messageId, priority: options.priority, headers };
    const ensure = () => (route ? this.topology.ensureLadder(queue) : this.topology.ensureQueue(queue));
    await this.deliver(queue, ensure, () =>
      this.publisher.publish(exchange, routingKey, content, properties),
    );
  }

  /** Stores a message in the queue's dead-letter queue with the reason it could not be processed. */
  async deadLetter(
    queue: string,
    content: Buffer,
    options: RouteOptions & { reason: string },
  ): Promise<void> {
    const headers = { [Header.reason]: options.reason, [Header.deadAt]: Date.now() };
    const properties = { messageId: options.messageId, priority: options.priority, headers };
    await this.deliver(
      queue,
      () => this.topology.ensureQueue(queue),
      () => this.publisher.publish(this.names.deadLetterExchange, queue, content, properties),
    );
  }

  /** A returned message means the queue vanished (deleted by hand): declare again and retry once. */
  private async deliver(
    queue: string,
    ensure: () => Promise<void>,
    publish: () => Promise<void>,
  ): Promise<void> {
    try {
      await ensure();
      try {
        await publish();
      } catch (error) {
        if (!(error instanceof UnroutableMessageError)) throw error;
        this.topology.forget(queue);
        await ensure();
        await publish();
      }
    } catch (error) {
      if (error instanceof CeleriacError) throw error;
      throw new BrokerUnavailableError('amqp', error);
    }
  }
}
