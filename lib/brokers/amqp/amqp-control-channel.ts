import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';
import type { Unsubscribe } from '../../backends/result-backend.interface.js';
import type {
  ControlChannel,
  ControlInbox,
  ControlMessageListener,
} from '../../control/control-channel.interface.js';
import { BrokerUnavailableError } from '../../errors/broker-unavailable.error.js';
import type { AmqpConnection } from './amqp.connection.js';
import { AmqpSideChannel } from './amqp-side-channel.js';
import type { CeleriacLogger } from '../../logging/celeriac-logger.js';

/**
 * Remote control over RabbitMQ: commands go to the fanout exchange `<prefix>.control`, where each
 * listener has an exclusive, auto-deleted queue of its own; replies go through the default
 * exchange straight to the requester's exclusive inbox queue (`<prefix>.control.inbox.<uuid>`),
 * which RabbitMQ deletes with the requester's connection. Nothing here is durable or confirmed:
 * control messages are meant for whoever listens now. Queues are declared again on a new channel
 * after a reconnect, under the same names.
 */
export class AmqpControlChannel implements ControlChannel {
  readonly kind = 'amqp';
  private readonly side: AmqpSideChannel;
  private readonly resumed = new Set<() => void>();
  private readonly held = new Set<Unsubscribe>();
  private readonly exchange: string;
  private declared?: WeakRef<Channel>;
  private readonly logger: CeleriacLogger;

  constructor(
    private readonly connection: AmqpConnection,
    private readonly prefix: string,
  ) {
    this.logger = connection.loggerFor('CeleriacControl');
    this.exchange = `${prefix}.control`;
    this.side = new AmqpSideChannel(connection, () => {
      for (const resumed of [...this.resumed]) resumed();
    });
  }

  async connect(): Promise<void> {
    await this.connection.open();
  }

  async broadcast(message: string): Promise<void> {
    const channel = await this.readyChannel();
    publish(() => channel.publish(this.exchange, '', Buffer.from(message), { persistent: false }));
  }

  async listen(listener: ControlMessageListener, onResumed?: () => void): Promise<Unsubscribe> {
    const queue = `${this.prefix}.control.listener.${randomUUID()}`;
    return this.consume(queue, listener, onResumed, async (channel) => {
      await channel.assertExchange(this.exchange, 'fanout', { durable: false });
      await channel.bindQueue(queue, this.exchange, '');
    });
  }

  async openInbox(listener: ControlMessageListener): Promise<ControlInbox> {
    const address = `${this.prefix}.control.inbox.${randomUUID()}`;
    return { address, close: await this.consume(address, listener) };
  }

  async send(address: string, message: string): Promise<void> {
    const channel = await this.side.channel();
    // A requester that is gone has no queue any more: the reply is dropped, as it should be.
    publish(() => channel.publish('', address, Buffer.from(message), { persistent: false }));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.held].map((release) => release()));
    this.resumed.clear();
    await this.side.close();
  }

  /** The channel, with the command exchange declared on it. */
  private async readyChannel(): Promise<Channel> {
    const channel = await this.side.channel();
    if (this.declared?.deref() !== channel) {
      await channel.assertExchange(this.exchange, 'fanout', { durable: false });
      this.declared = new WeakRef(channel);
    }
    return channel;
  }

  private async consume(
    queue: string,
    listener: ControlMessageListener,
    onResumed?: () => void,
    bind?: (channel: Channel) => Promise<void>,
  ): Promise<Unsubscribe> {
    let tag: { channel: Channel; consumerTag: string } | undefined;
    const setup = async (channel: Channel): Promise<void> => {
      await channel.assertQueue(queue, { exclusive: true, autoDelete: true, durable: false });
      await bind?.(channel);
      const onMessage = (message: ConsumeMessage | null): void => {
        if (!message) return;
        try {
          listener(message.content.toString('utf8'));
        } catch (error) {
          this.logger.warn(`a control listener failed: ${(error as Error).message}`);
        }
      };
      const { consumerTag } = await channel.consume(queue, onMessage, { noAck: true });
      tag = { channel, consumerTag };
    };
    const forget = await this.side.keep(setup);
    if (onResumed) this.resumed.add(onResumed);
    const release: Unsubscribe = async () => {
      this.held.delete(release);
      forget();
      if (onResumed) this.resumed.delete(onResumed);
      await tag?.channel.deleteQueue(queue).catch(() => undefined);
    };
    this.held.add(release);
    return release;
  }
}

/** amqplib throws at once when the channel is already closed; that is the broker being away. */
function publish(send: () => boolean): void {
  try {
    send();
  } catch (error) {
    throw new BrokerUnavailableError('amqp', error instanceof Error ? error : undefined);
  }
}
