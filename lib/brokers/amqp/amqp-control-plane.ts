import type { ControlPlane } from '../../control/control-plane.js';
import type { ConnectionOptions } from '../broker-connection.options.js';
import { resolveAmqpOptions } from './amqp-broker.options.js';
import { AmqpConnection } from './amqp.connection.js';
import { AmqpControlChannel } from './amqp-control-channel.js';
import { AmqpEventBus } from './amqp-event-bus.js';

/**
 * The control plane on RabbitMQ: one connection of its own (named `… (control)`), dialled on first
 * use, so flow control on the task connections never holds back a control reply or an event.
 */
export class AmqpControlPlane implements ControlPlane {
  readonly control: AmqpControlChannel;
  readonly events: AmqpEventBus;
  private readonly connection: AmqpConnection;

  constructor(options: ConnectionOptions) {
    this.connection = new AmqpConnection(
      options.url,
      'control',
      resolveAmqpOptions(options.extra),
      options.tls,
      options.logger,
    );
    this.control = new AmqpControlChannel(this.connection, options.prefix);
    this.events = new AmqpEventBus(this.connection, options.prefix);
  }

  async connect(): Promise<void> {
    await this.connection.open();
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.control.close(), this.events.close()]);
    await this.connection.close();
  }
}
