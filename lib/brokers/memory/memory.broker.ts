import { DEFAULT_DEAD_LETTER_READ_LIMIT } from '../../celeriac.constants.js';
import { randomUUID } from 'node:crypto';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
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
import type { MemoryConsumer } from './memory-consumer.js';
import { clampPriority } from '../priority.js';
import { MemoryStore } from './memory-store.js';
import { createCeleriacLogger, type CeleriacLogger } from '../../logging/celeriac-logger.js';

/**
 * The embedded broker (`memory://`): a client of a process-wide store shared by every
 * `MemoryBroker` with the same prefix, so producers and workers in one process exchange messages
 * with the same semantics as over Redis or RabbitMQ — priorities, broker-side delays, prefetch,
 * redelivery and dead letters. Messages live in this process's memory only.
 *
 * Settling a delivery twice rejects with a `DeliverySettledError`; the first settlement stands.
 * `close()` hands every delivery this client left unsettled back to the head of its queue, to be
 * redelivered with `deliveryCount + 1`; settling one of them afterwards is such a second settlement.
 */
export class MemoryBroker implements Broker {
  readonly kind = 'memory';
  private store?: MemoryStore;
  private closed = false;
  private readonly consumers = new Set<MemoryConsumer>();

  /** The receive-side size cap, and where a refusal is reported. */
  private readonly receipt?: { maxBodyBytes: number; logger: CeleriacLogger };

  constructor(private readonly options: ConnectionOptions) {
    const { maxReceiveBytes } = options;
    if (maxReceiveBytes !== undefined) {
      const logger = createCeleriacLogger('CeleriacMemoryBroker', options.logger);
      this.receipt = { maxBodyBytes: maxReceiveBytes, logger };
    }
  }

  connect(): Promise<void> {
    return this.run(() => void this.attach());
  }

  publish(queue: string, body: string, options: PublishOptions = {}): Promise<void> {
    return this.run(() => {
      const message = {
        messageId: options.messageId ?? randomUUID(),
        body,
        priority: clampPriority(options.priority),
        headers: options.headers,
        properties: options.properties,
        deliveries: 0,
      };
      this.attach().queue(queue).publish(message, options.delayMs);
    });
  }

  consume(queue: string, handler: DeliveryHandler, options: ConsumeOptions): Promise<Consumer> {
    return this.run(() => {
      const { prefetch } = options;
      if (!Number.isInteger(prefetch) || prefetch < 1) {
        throw new RangeError(`prefetch must be a whole number of at least 1, got ${prefetch}`);
      }
      for (const consumer of this.consumers) if (consumer.isRetired) this.consumers.delete(consumer);
      const consumer = this.attach().queue(queue).addConsumer(handler, prefetch, this.receipt);
      this.consumers.add(consumer);
      return consumer;
    });
  }

  deadLetters(queue: string, limit = DEFAULT_DEAD_LETTER_READ_LIMIT): Promise<DeadLetter[]> {
    return this.run(() => this.attach().existingQueue(queue)?.listDeadLetters(limit) ?? []);
  }

  replayDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number> {
    return this.run(() => this.attach().existingQueue(queue)?.replayDeadLetters(messageIds) ?? 0);
  }

  deleteDeadLetters(queue: string, messageIds?: readonly string[]): Promise<number> {
    return this.run(() => this.attach().existingQueue(queue)?.deleteDeadLetters(messageIds) ?? 0);
  }

  stats(queue: string): Promise<QueueStats> {
    return this.run(
      () =>
        this.attach().existingQueue(queue)?.stats() ?? {
          queue,
          ready: 0,
          delayed: 0,
          inFlight: 0,
          deadLettered: 0,
          consumers: 0,
        },
    );
  }

  size(queue: string): Promise<number> {
    return this.run(() => this.attach().existingQueue(queue)?.size ?? 0);
  }

  purge(queue: string): Promise<void> {
    return this.run(() => this.attach().existingQueue(queue)?.purge());
  }

  /** Cancels this client's consumers and hands back what they held; safe to call more than once. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const held = [...this.consumers].flatMap((consumer) => {
      void consumer.cancel();
      return consumer.pending;
    });
    // Newest first, each to the head of its queue: the oldest ends up in front, as it was.
    held.sort((a, b) => b.seq - a.seq);
    for (const delivery of held) delivery.giveBack();
    this.consumers.clear();
    this.store?.detach();
    this.store = undefined;
    return Promise.resolve();
  }

  private attach(): MemoryStore {
    if (this.closed) throw new BrokerUnavailableError(this.kind, new Error('this client was closed'));
    this.store ??= MemoryStore.attach(this.options.prefix);
    return this.store;
  }

  /** Runs a synchronous operation as the contract's promise, turning a throw into a rejection. */
  private run<T>(operation: () => T): Promise<T> {
    return new Promise<T>((resolve) => resolve(operation()));
  }
}
