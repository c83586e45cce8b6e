import type { Channel, ConfirmChannel, Message, Options } from 'amqplib';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import { CeleriacError } from '../../errors/celeriac.error.js';
import type { AmqpConnection } from './amqp.connection.js';
import { closeWithin, withDeadline } from './amqp-deadline.js';
import { ConfirmWatch } from './confirm-watch.js';
import type { CeleriacLogger } from '../../logging/celeriac-logger.js';

/** How long each step of a send may wait for RabbitMQ. */
export interface PublishDeadlines {
  /** How long RabbitMQ may confirm nothing while a publish waits for its confirm. */
  confirmTimeoutMs: number;
  /** A channel opened, or one run of admin work (declarations, counts, purges). */
  commandTimeoutMs: number;
}

/** RabbitMQ had no queue to route a mandatory message to (it returned it). */
export class UnroutableMessageError extends CeleriacError {
  constructor(exchange: string, routingKey: string) {
    super(
      'UNROUTABLE',
      `RabbitMQ has no queue bound to exchange "${exchange}" for routing key "${routingKey}"`,
    );
  }
}

/**
 * The channels of the publishing connection: a confirm channel for messages, an admin channel for
 * declarations and counts, and throw-away channels for reads that must hand messages back.
 * Channels are opened on first use and again after they close (a channel error such as a failed
 * passive declare closes only that channel).
 */
export class AmqpPublisher {
  private confirm?: Promise<ConfirmChannel>;
  private confirmChannel?: ConfirmChannel;
  private admin?: Promise<Channel>;
  /** Message ids RabbitMQ returned as unroutable; the confirm that follows each return settles it. */
  private readonly returned = new Set<string>();
  private readonly logger: CeleriacLogger;
  private readonly confirms: ConfirmWatch;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly deadlines: PublishDeadlines,
  ) {
    this.logger = connection.loggerFor('Celeriac amqp publish');
    const { confirmTimeoutMs } = deadlines;
    this.confirms = new ConfirmWatch(
      confirmTimeoutMs,
      () =>
        new BrokerUnavailableError(
          'amqp',
          new Error(
            `RabbitMQ confirmed nothing for ${confirmTimeoutMs} ms (confirmTimeoutMs) while the message ` +
              'waited: frozen, blocking publishers, or unreachable; it was not accepted',
          ),
        ),
    );
  }

  /**
   * Publishes a message and resolves once RabbitMQ confirmed it (callers set `persistent` and
   * `mandatory`); rejects
   * with `BrokerUnavailableError` if it was nacked, the channel died first, RabbitMQ is refusing
   * publishes (a resource alarm) or no confirm came within `confirmTimeoutMs`, and with
   * `UnroutableMessageError` if no queue took it.
   */
  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    // The common case stays synchronous up to the confirm: no await per message.
    if (this.confirmChannel) return this.send(this.confirmChannel, exchange, routingKey, content, options);
    return (this.confirm ?? this.openConfirm()).then((channel) =>
      this.send(channel, exchange, routingKey, content, options),
    );
  }

  private send(
    channel: ConfirmChannel,
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
  ): Promise<void> {
    const messageId = options.messageId as string;
    return new Promise<void>((resolve, reject) => {
      const settle = this.confirms.track((error) => {
        this.returned.delete(messageId);
        reject(error);
      });
      const confirmed = (error: unknown): void => {
        if (!settle()) return;
        if (this.returned.size > 0 && this.returned.delete(messageId)) {
          return reject(new UnroutableMessageError(exchange, routingKey));
        }
        if (error) {
          this.retire(channel);
          return reject(unavailable(error, 'RabbitMQ did not confirm the message'));
        }
        resolve();
      };
      try {
        // Under a resource alarm RabbitMQ would hold the message unread: refuse it at once instead.
        this.connection.require();
        channel.publish(exchange, routingKey, content, options, confirmed);
      } catch (error) {
        settle();
        // amqplib throws synchronously when the channel is already closed.
        reject(unavailable(error, 'the publishing channel is closed'));
      }
    });
  }

  /**
   * Stops publishing on a channel RabbitMQ nacked a message on: the next publish opens a fresh one,
   * and this one closes once its outstanding publishes are settled. A nack says a queue could not
   * take the message, and after a cluster node died a channel can go on nacking every publish to a
   * quorum queue whose leader moved (its per-channel view of the queue stays stale) while a new
   * channel on the same connection publishes to it at once.
   */
  private retire(channel: ConfirmChannel): void {
    if (this.confirmChannel !== channel) return;
    this.confirmChannel = this.confirm = undefined;
    this.logger.debug?.('RabbitMQ nacked a publish: later publishes go through a fresh channel');
    const { confirmTimeoutMs, commandTimeoutMs } = this.deadlines;
    void closeWithin(channel.waitForConfirms(), confirmTimeoutMs).then(() =>
      closeWithin(channel.close(), commandTimeoutMs),
    );
  }

  /** Runs `work` on the shared admin channel. */
  withAdmin<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => work(await (this.admin ?? this.openAdmin()));
    return withDeadline(run(), this.deadlines.commandTimeoutMs, 'a declaration or count');
  }

  /**
   * Runs `work` like {@link withAdmin} (same deadline), but on a channel of its own: declarations
   * sent this way run side by side, where the admin channel answers one after the other.
   */
  withSideAdmin<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    return withDeadline(this.withScratch(work), this.deadlines.commandTimeoutMs, 'a declaration or count');
  }

  /** Runs `work` on a channel of its own, closed afterwards: whatever it left unacked goes back. */
  async withScratch<T>(work: (channel: Channel) => Promise<T>): Promise<T> {
    const model = await this.connection.acquire();
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    try {
      return await work(channel);
    } finally {
      await channel.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const opened: Promise<Channel>[] = [];
    if (this.confirm) opened.push(this.confirm);
    if (this.admin) opened.push(this.admin);
    this.confirm = this.admin = this.confirmChannel = undefined;
    for (const result of await Promise.allSettled(opened)) {
      if (result.status === 'fulfilled')
        await closeWithin(result.value.close(), this.deadlines.commandTimeoutMs);
    }
  }

  private openConfirm(): Promise<ConfirmChannel> {
    const opening = this.connection.acquire().then(async (model) => {
      const channel = await withDeadline(
        model.createConfirmChannel(),
        this.deadlines.commandTimeoutMs,
        'opening the publishing channel',
      );
      this.watch(channel, () => {
        if (this.confirmChannel === channel) this.confirmChannel = undefined;
        if (this.confirm === opening) this.confirm = undefined;
      });
      channel.on('return', (message: Message) => this.returned.add(message.properties.messageId as string));
      if (this.confirm === opening) this.confirmChannel = channel;
      return channel;
    });
    this.confirm = opening;
    opening.catch(() => this.confirm === opening && (this.confirm = undefined));
    return opening;
  }

  private openAdmin(): Promise<Channel> {
    const opening = this.connection.acquire().then(async (model) => {
      const channel = await model.createChannel();
      this.watch(channel, () => this.admin === opening && (this.admin = undefined));
      return channel;
    });
    this.admin = opening;
    opening.catch(() => this.admin === opening && (this.admin = undefined));
    return opening;
  }

  private watch(channel: Channel, forget: () => void): void {
    channel.on('error', (error: Error) => this.logger.debug?.(`channel error: ${error.message}`));
    channel.on('close', forget);
  }
}

function unavailable(error: unknown, fallback: string): BrokerUnavailableError {
  if (error instanceof BrokerUnavailableError) return error;
  return new BrokerUnavailableError('amqp', error instanceof Error ? error : new Error(fallback));
}
