import { DEFAULT_DEAD_LETTER_READ_LIMIT } from '../../celeriac.constants.js';
import { randomUUID } from 'node:crypto';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import { CeleriacError } from '../../errors/celeriac.error.js';
import type { ConnectionOptions } from '../broker-connection.options.js';
import type {
  Broker,
  ConsumeOptions,
  Consumer,
  DeadLetter,
  DeliveryHandler,
  PublishOptions,
  QueueStats,
} from '../broker.interface.js';
import { amqpPostureWarning } from './amqp-posture.js';
import { settleDeadLetters } from './amqp-dead-letters.js';
import { resolveAmqpOptions, type ResolvedAmqpBrokerOptions } from './amqp-broker.options.js';
import { applicationHeaders, bodyBytesOf, deadLetterCause, messagePropertiesOf } from './amqp-headers.js';
import { AmqpNames } from './amqp-names.js';
import { AmqpConnection } from './amqp.connection.js';
import { AmqpConsumer } from './amqp.consumer.js';
import { AmqpPublisher } from './amqp.publisher.js';
import { AmqpRouter } from './amqp.router.js';
import { AmqpTopology } from './amqp.topology.js';
import { clampPriority } from '../priority.js';
import { createCeleriacLogger, type CeleriacLogger } from '../../logging/celeriac-logger.js';

/**
 * The RabbitMQ broker (`amqp://`, `amqps://`), on amqplib. Work queues are durable, messages
 * persistent, and `publish` resolves on the publisher confirm. Delays wait in a per-queue ladder
 * of TTL queues, so they survive worker restarts and never meet `consumer_timeout`; settled
 * deliveries are acked only after their replacement or dead letter is confirmed. Publishing and
 * consuming use separate connections, so flow control that blocks publishers never stops acks.
 * Both reconnect by themselves; consumers then re-declare their queues and resume.
 *
 * `brokerOptions` are {@link AmqpBrokerOptions}. See `README.md` beside this file for the topology.
 */
export class AmqpBroker implements Broker {
  readonly kind = 'amqp';
  private readonly options: ResolvedAmqpBrokerOptions;
  private readonly names: AmqpNames;
  private readonly publishing: AmqpConnection;
  private readonly consuming: AmqpConnection;
  private readonly publisher: AmqpPublisher;
  private readonly topology: AmqpTopology;
  private readonly router: AmqpRouter;
  private readonly consumers = new Set<AmqpConsumer>();
  private closed = false;
  private readonly url: string;
  private readonly logger: CeleriacLogger;
  private readonly maxReceiveBytes?: number;

  constructor(connection: ConnectionOptions) {
    this.url = connection.url;
    this.options = resolveAmqpOptions(connection.extra);
    this.maxReceiveBytes = connection.maxReceiveBytes;
    this.names = new AmqpNames(connection.prefix, connection.protocols);
    this.logger = createCeleriacLogger('CeleriacAmqpBroker', connection.logger);
    this.publishing = new AmqpConnection(
      connection.url,
      'publish',
      this.options,
      connection.tls,
      connection.logger,
    );
    this.consuming = new AmqpConnection(
      connection.url,
      'consume',
      this.options,
      connection.tls,
      connection.logger,
    );
    this.publisher = new AmqpPublisher(this.publishing, this.options);
    this.topology = new AmqpTopology(
      this.names,
      this.options,
      this.publisher,
      this.publishing.loggerFor('Celeriac amqp topology'),
    );
    this.router = new AmqpRouter(this.names, this.topology, this.publisher);
    this.publishing.onReconnect(() => this.topology.forget());
  }

  async connect(): Promise<void> {
    this.assertOpen();
    await this.publishing.open();
    for (const url of new Set([this.url, ...this.options.urls])) {
      const warning = amqpPostureWarning(url);
      if (warning) this.logger.warn(warning);
    }
  }

  publish(queue: string, body: string, options: PublishOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    return this.router.send(queue, Buffer.from(body), {
      messageId: options.messageId ?? randomUUID(),
      priority: clampPriority(options.priority),
      delayMs: options.delayMs,
      headers: options.headers,
      properties: options.properties,
    });
  }

  async consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer> {
    const { prefetch } = options;
    if (!Number.isInteger(prefetch) || prefetch < 1) {
      throw new RangeError(`prefetch must be a whole number of at least 1, got ${prefetch}`);
    }
    this.assertOpen();
    await this.consuming.acquire();
    const { topology, router, names, options: settings, maxReceiveBytes } = this;
    const context = {
      connection: this.consuming,
      topology,
      router,
      names,
      options: settings,
      maxReceiveBytes,
    };
    const consumer = new AmqpConsumer(queue, handler, prefetch, context);
    // Registered before it starts: a handler may close the broker before `consume` resolves.
    this.consumers.add(consumer);
    try {
      await consumer.start();
    } catch (error) {
      this.consumers.delete(consumer);
      await consumer.stop();
      throw error;
    }
    return consumer;
  }

  /**
   * Reads dead letters with `basic.get` on a channel of its own and then closes it, which hands
   * them all back in their original order: reading loses nothing.
   */
  async deadLetters(queue: string, limit = DEFAULT_DEAD_LETTER_READ_LIMIT): Promise<DeadLetter[]> {
    return this.run(async () => {
      await this.topology.ensureDeadLetters(queue);
      return this.publisher.withScratch(async (channel) => {
        const letters: DeadLetter[] = [];
        while (letters.length < limit) {
          const message = await channel.get(this.names.deadLetterQueue(queue), { noAck: false });
          if (!message) break;
          const { reason, at } = deadLetterCause(message.properties.headers, this.options.deliveryLimit);
          const messageId = String(message.properties.messageId ?? '');
          const letter: DeadLetter = { messageId, queue, body: message.content.toString('utf8'), reason, at };
          const headers = applicationHeaders(message.properties.headers);
          const properties = messagePropertiesOf(message.properties);
          if (Object.keys(headers).length > 0) letter.headers = headers;
          if (Object.keys(properties).length > 0) letter.properties = properties;
          const bodyBytes = bodyBytesOf(message.properties.headers);
          if (bodyBytes !== undefined) letter.bodyBytes = bodyBytes;
          letters.push(letter);
        }
        return letters;
      });
    });
  }

  replayDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number> {
    return this.run(async () => {
      await this.topology.ensureDeadLetters(queue);
      return settleDeadLetters(this.parts(), queue, 'replay', messageIds);
    });
  }

  deleteDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number> {
    return this.run(async () => {
      await this.topology.ensureDeadLetters(queue);
      return settleDeadLetters(this.parts(), queue, 'delete', messageIds);
    });
  }

  /**
   * Ready and consumers from the work queue's declaration, delayed from its ladder, dead-lettered
   * from its dead-letter queue. AMQP does not report unacknowledged messages: `inFlight` is
   * undefined (the management HTTP API has them; worker heartbeats count what each worker holds).
   */
  async stats(queue: string): Promise<QueueStats> {
    return this.run(async () => {
      await this.topology.ensureLadder(queue);
      await this.topology.ensureDeadLetters(queue);
      return this.publisher.withAdmin(async (channel) => {
        const [work, ...ladder] = this.topology.waitingQueues(queue);
        const { messageCount: ready, consumerCount: consumers } = await channel.checkQueue(work);
        let delayed = 0;
        for (const name of ladder) delayed += (await channel.checkQueue(name)).messageCount;
        const dead = await channel.checkQueue(this.names.deadLetterQueue(queue));
        return { queue, ready, delayed, inFlight: undefined, deadLettered: dead.messageCount, consumers };
      });
    });
  }

  /** Ready messages of the work queue plus those waiting in its delay ladder. */
  async size(queue: string): Promise<number> {
    return this.run(async () => {
      await this.topology.ensureLadder(queue);
      return this.publisher.withAdmin(async (channel) => {
        let total = 0;
        for (const name of this.topology.waitingQueues(queue))
          total += (await channel.checkQueue(name)).messageCount;
        return total;
      });
    });
  }

  async purge(queue: string): Promise<void> {
    return this.run(async () => {
      await this.topology.ensureLadder(queue);
      await this.topology.ensureDeadLetters(queue);
      await this.publisher.withAdmin(async (channel) => {
        for (const name of this.topology.waitingQueues(queue)) await channel.purgeQueue(name);
        await channel.purgeQueue(this.names.deadLetterQueue(queue));
      });
    });
  }

  /** Closes consumer channels (RabbitMQ requeues what they held unsettled), then the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.consumers].map((consumer) => consumer.stop()));
    this.consumers.clear();
    this.topology.close();
    await this.publisher.close();
    await Promise.allSettled([this.consuming.close(), this.publishing.close()]);
  }

  private parts(): { names: AmqpNames; publisher: AmqpPublisher; router: AmqpRouter } {
    return { names: this.names, publisher: this.publisher, router: this.router };
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): BrokerUnavailableError {
    return new BrokerUnavailableError(this.kind, new Error('this broker client was closed'));
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    this.assertOpen();
    try {
      return await operation();
    } catch (error) {
      if (error instanceof CeleriacError) throw error;
      throw new BrokerUnavailableError(this.kind, error);
    }
  }
}
