import type { Channel } from 'amqplib';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import { CeleriacError } from '../../errors/celeriac.error.js';
import type { ResolvedAmqpBrokerOptions } from './amqp-broker.options.js';
import type { AmqpNames } from './amqp-names.js';
import type { AmqpPublisher } from './amqp.publisher.js';
import { DELAY_LEVELS, levelPattern, levelTtlMs } from './delay-ladder.js';
import { MAX_PRIORITY } from '../../celeriac.constants.js';

/** RabbitMQ refused a declaration because the object exists with other settings. */
export class TopologyMismatchError extends CeleriacError {
  constructor(what: string, cause: Error) {
    super(
      'TOPOLOGY_MISMATCH',
      `RabbitMQ refused to declare ${what}: ${cause.message}. It exists with other settings ` +
        '(queue type, x-max-priority, delivery limit, dead-letter exchange); delete it or use the same brokerOptions.',
    );
  }
}

/**
 * Declares, idempotently and once per connection, what a logical queue needs: its durable work
 * queue bound to the tasks exchange, its dead-letter queue, and (on first delayed use) its delay
 * ladder. Declarations are forgotten when the connection is replaced, so they run again after a
 * reconnect — RabbitMQ may have been reset in between.
 */
export class AmqpTopology {
  private readonly queues = new Map<string, Promise<void>>();
  /** Queues whose declaration has completed on the current connection. */
  private readonly declared = new Set<string>();
  private readonly ladders = new Map<string, Promise<void>>();

  constructor(
    private readonly names: AmqpNames,
    private readonly options: ResolvedAmqpBrokerOptions,
    private readonly publisher: AmqpPublisher,
  ) {}

  ensureQueue(queue: string): Promise<void> {
    return this.once(this.queues, queue, async () => {
      await this.publisher.withAdmin((channel) => this.declareQueue(channel, queue));
      if (this.queues.has(queue)) this.declared.add(queue);
    });
  }

  isDeclared(queue: string): boolean {
    return this.declared.has(queue);
  }

  async ensureLadder(queue: string): Promise<void> {
    await this.ensureQueue(queue);
    // Level by level: each admin run has its own deadline, and a ladder is many declarations.
    await this.once(this.ladders, queue, async () => {
      for (let level = 0; level < DELAY_LEVELS; level++) {
        await this.publisher.withAdmin((channel) => this.declareLevel(channel, queue, level));
      }
    });
  }

  /** Declare again on next use (after a reconnect, or when a publish found no queue). */
  forget(queue?: string): void {
    if (queue === undefined) {
      this.queues.clear();
      this.ladders.clear();
      this.declared.clear();
    } else {
      this.queues.delete(queue);
      this.ladders.delete(queue);
      this.declared.delete(queue);
    }
  }

  /** Every queue that holds a logical queue's waiting messages: the work queue, then the ladder. */
  waitingQueues(queue: string): string[] {
    const levels = Array.from({ length: DELAY_LEVELS }, (_, level) => this.names.delayLevel(queue, level));
    return [this.names.workQueue(queue), ...levels];
  }

  private once(cache: Map<string, Promise<void>>, queue: string, declare: () => Promise<void>) {
    let declared = cache.get(queue);
    if (!declared) {
      declared = declare().catch((error: unknown) => {
        cache.delete(queue);
        throw explain(error, `the topology of queue "${queue}"`);
      });
      cache.set(queue, declared);
    }
    return declared;
  }

  private async declareQueue(channel: Channel, queue: string): Promise<void> {
    const { names } = this;
    await channel.assertExchange(names.tasksExchange, 'direct', { durable: true });
    await channel.assertExchange(names.deadLetterExchange, 'direct', { durable: true });
    // Dead letters are only browsed and purged; a classic queue keeps them in order, and no
    // delivery limit can drop them while they are being browsed.
    await channel.assertQueue(names.deadLetterQueue(queue), { durable: true });
    await channel.bindQueue(names.deadLetterQueue(queue), names.deadLetterExchange, queue);
    if (names.protocolOf(queue) === 'celery') {
      // Declared exactly as Celery declares it (a durable direct exchange and queue of the queue's
      // name, no arguments), or RabbitMQ refuses whichever side comes second.
      await channel.assertExchange(queue, 'direct', { durable: true });
      await channel.assertQueue(queue, { durable: true });
      await channel.bindQueue(queue, queue, queue);
      return;
    }
    await channel.assertQueue(names.workQueue(queue), {
      durable: true,
      arguments: this.workQueueArguments(queue),
    });
    await channel.bindQueue(names.workQueue(queue), names.tasksExchange, queue);
  }

  private workQueueArguments(queue: string): Record<string, unknown> {
    const deadLettering = {
      'x-dead-letter-exchange': this.names.deadLetterExchange,
      'x-dead-letter-routing-key': queue,
    };
    if (this.options.queueType === 'classic') return { ...deadLettering, 'x-max-priority': MAX_PRIORITY };
    return {
      ...deadLettering,
      ...QUORUM_SAFE_DEAD_LETTERING,
      'x-delivery-limit': this.options.deliveryLimit,
    };
  }

  /**
   * Level k: a topic exchange and a queue of the same name. The exchange routes keys whose bit k
   * is 1 into the queue and the others on to level k − 1; the queue holds each message 2^k ms and
   * dead-letters it to level k − 1 with its routing key intact. Level 0 leads to the work queue.
   */
  private async declareLevel(channel: Channel, queue: string, level: number): Promise<void> {
    const { names } = this;
    const name = names.delayLevel(queue, level);
    const below = level === 0 ? undefined : names.delayLevel(queue, level - 1);
    await channel.assertExchange(name, 'topic', { durable: true });
    await channel.assertQueue(name, { durable: true, arguments: this.levelArguments(queue, level, below) });
    await channel.bindQueue(name, name, levelPattern(level, 1));
    if (below) await channel.bindExchange(below, name, levelPattern(level, 0));
    else await channel.bindQueue(names.workQueue(queue), name, levelPattern(level, 0));
  }

  private levelArguments(queue: string, level: number, below: string | undefined): Record<string, unknown> {
    const args: Record<string, unknown> = {
      'x-message-ttl': levelTtlMs(level),
      'x-dead-letter-exchange': below ?? this.names.workExchange(queue),
    };
    if (!below) args['x-dead-letter-routing-key'] = queue;
    if (this.options.queueType === 'quorum') Object.assign(args, QUORUM_SAFE_DEAD_LETTERING);
    return args;
  }
}

/**
 * Quorum queues dead-letter at most once unless told otherwise; at-least-once dead-lettering
 * (so no delayed or poison message is lost on its way) requires publishes to be refused, not
 * dropped, at overflow.
 */
const QUORUM_SAFE_DEAD_LETTERING = {
  'x-queue-type': 'quorum',
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
};

/** A 406 from RabbitMQ is a settings clash the user must fix; anything else is the broker being away. */
function explain(error: unknown, what: string): Error {
  if (error instanceof CeleriacError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === 406 && error instanceof Error) return new TopologyMismatchError(what, error);
  return new BrokerUnavailableError('amqp', error instanceof Error ? error : undefined);
}
