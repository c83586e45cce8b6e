import type { Channel } from 'amqplib';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import { CeleriacError } from '../../errors/celeriac.error.js';
import type { CeleriacLogger } from '../../logging/celeriac-logger.js';
import type { ResolvedAmqpBrokerOptions } from './amqp-broker.options.js';
import { withDeadline } from './amqp-deadline.js';
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

/** How often a dead-letter queue that could not be declared (its node is down) is tried again. */
export const DEAD_LETTER_RETRY_MS = 5_000;

/**
 * Declares, idempotently and once per connection, what a logical queue needs: its durable work
 * queue bound to the tasks exchange, its dead-letter queue, and its delay ladder (when a consumer
 * starts, or on first delayed use). Declarations are forgotten when the connection is replaced, so they run again after a
 * reconnect — RabbitMQ may have been reset in between.
 *
 * The dead-letter queue is a classic queue, which lives on one node of a cluster; while that node
 * is down RabbitMQ refuses to declare it (404, "home node … is down or inaccessible") and closes
 * the channel. So it is declared apart, on a channel of its own, after the work queue: its failure
 * is one WARN line, the work queue serves on, and the dead-letter queue is tried again every
 * {@link DEAD_LETTER_RETRY_MS} and whenever a dead letter needs it.
 */
export class AmqpTopology {
  private readonly queues = new Map<string, Promise<void>>();
  /** Queues whose declaration has completed on the current connection. */
  private readonly declared = new Set<string>();
  private readonly ladders = new Map<string, Promise<void>>();
  private readonly deadLetterQueues = new Map<string, Promise<void>>();
  /** Dead-letter queues that could not be declared, with the timer that tries again. */
  private readonly deadLetterRetries = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly names: AmqpNames,
    private readonly options: ResolvedAmqpBrokerOptions,
    private readonly publisher: AmqpPublisher,
    private readonly logger: CeleriacLogger,
  ) {}

  /** The work queue (and its exchanges); its dead-letter queue is declared too, but may fail alone. */
  ensureQueue(queue: string): Promise<void> {
    return this.once(this.queues, queue, async () => {
      await this.publisher.withAdmin((channel) => this.declareQueue(channel, queue));
      if (this.queues.has(queue)) this.declared.add(queue);
      // Awaited, so in the usual case it exists before anything can be dead-lettered; a failure is
      // logged and retried by ensureDeadLetterQueue, and the work queue serves regardless.
      await this.ensureDeadLetterQueue(queue).catch(() => undefined);
    });
  }

  /** The work queue and its dead-letter queue; rejects while the dead-letter queue's node is down. */
  async ensureDeadLetters(queue: string): Promise<void> {
    await this.ensureQueue(queue);
    await this.ensureDeadLetterQueue(queue);
  }

  isDeclared(queue: string): boolean {
    return this.declared.has(queue);
  }

  async ensureLadder(queue: string): Promise<void> {
    await this.ensureQueue(queue);
    // Every level at once, each on a channel of its own: RabbitMQ answers a channel's declarations
    // one after the other, and a ladder is about 140 of them (half a second or more one by one on a
    // busy machine, which the first delayed message of a queue would wait on top of its delay).
    await this.once(this.ladders, queue, async () => {
      const levels = Array.from({ length: DELAY_LEVELS }, (_, level) => level);
      await Promise.all(
        levels.map((level) =>
          this.publisher.withSideAdmin((channel) => this.declareLevel(channel, queue, level)),
        ),
      );
    });
  }

  /** Declare again on next use (after a reconnect, or when a publish found no queue). */
  forget(queue?: string): void {
    if (queue === undefined) {
      this.queues.clear();
      this.ladders.clear();
      this.declared.clear();
      this.deadLetterQueues.clear();
    } else {
      this.queues.delete(queue);
      this.ladders.delete(queue);
      this.declared.delete(queue);
      this.deadLetterQueues.delete(queue);
    }
  }

  /** Stops trying again to declare dead-letter queues. */
  close(): void {
    this.closed = true;
    for (const timer of this.deadLetterRetries.values()) clearTimeout(timer);
    this.deadLetterRetries.clear();
  }

  /**
   * On a channel of its own (a refusal closes the channel it came on), with the command deadline.
   * The first failure of a run of them is a WARN and arms the retry timer; success after one says so.
   */
  private ensureDeadLetterQueue(queue: string): Promise<void> {
    return this.once(this.deadLetterQueues, queue, async () => {
      const name = this.names.deadLetterQueue(queue);
      try {
        await withDeadline(
          this.publisher.withScratch(async (channel) => {
            // Dead letters are only browsed and purged; a classic queue keeps them in order, and no
            // delivery limit can drop them while they are being browsed.
            await channel.assertQueue(name, { durable: true });
            await channel.bindQueue(name, this.names.deadLetterExchange, queue);
          }),
          this.options.commandTimeoutMs,
          `declaring the dead-letter queue "${name}"`,
        );
      } catch (error) {
        this.deadLetterDown(queue, name, error);
        throw error;
      }
      if (this.deadLetterRetries.has(queue)) {
        clearTimeout(this.deadLetterRetries.get(queue));
        this.deadLetterRetries.delete(queue);
        this.logger.log(`dead-letter queue "${name}" declared again; dead letters are kept again`);
      }
    });
  }

  private deadLetterDown(queue: string, name: string, error: unknown): void {
    if (this.closed) return;
    if (!this.deadLetterRetries.has(queue)) {
      this.logger.warn(
        `dead-letter queue "${name}" could not be declared (${(error as Error).message}); queue "${queue}" ` +
          `serves on, and a message that must be dead-lettered goes back to its queue until the ` +
          `dead-letter queue is back (tried again every ${DEAD_LETTER_RETRY_MS / 1_000} s)`,
      );
    }
    clearTimeout(this.deadLetterRetries.get(queue));
    const timer = setTimeout(() => {
      if (this.closed) return;
      this.ensureDeadLetterQueue(queue).catch(() => undefined);
    }, DEAD_LETTER_RETRY_MS);
    timer.unref();
    this.deadLetterRetries.set(queue, timer);
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
   * Needs nothing of the other levels' declarations, so the levels are declared side by side.
   */
  private async declareLevel(channel: Channel, queue: string, level: number): Promise<void> {
    const { names } = this;
    const name = names.delayLevel(queue, level);
    const below = level === 0 ? undefined : names.delayLevel(queue, level - 1);
    await channel.assertExchange(name, 'topic', { durable: true });
    // The level below is declared beside this one, maybe not yet: the binding needs its exchange.
    if (below) await channel.assertExchange(below, 'topic', { durable: true });
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
