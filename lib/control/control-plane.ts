import type { ConnectionOptions } from '../brokers/broker-connection.options.js';
import { redactUrl, schemeOf } from '../brokers/broker-url.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import type { ControlChannel } from './control-channel.interface.js';
import type { EventBus } from './event-bus.interface.js';

/** Remote control and events on one transport: the broker's, by default. */
export interface ControlPlane {
  readonly control: ControlChannel;
  readonly events: EventBus;
  connect(): Promise<void>;
  close(): Promise<void>;
}

/** A control channel and an event bus that connect and close together. */
class PairedControlPlane implements ControlPlane {
  constructor(
    readonly control: ControlChannel,
    readonly events: EventBus,
  ) {}

  async connect(): Promise<void> {
    await Promise.all([this.control.connect(), this.events.connect()]);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.control.close(), this.events.close()]);
  }
}

/**
 * Picks the control plane from a broker URL, as `createBroker` picks the broker, importing it
 * lazily. A process that runs no worker (a producer, a CLI) opens one from the same URL and
 * prefix as its workers to reach them.
 */
export async function createControlPlane(options: ConnectionOptions): Promise<ControlPlane> {
  const scheme = schemeOf(options.url);
  switch (scheme) {
    case 'memory': {
      const { MemoryControlChannel } = await import('../brokers/memory/memory-control-channel.js');
      const { MemoryEventBus } = await import('../brokers/memory/memory-event-bus.js');
      return new PairedControlPlane(new MemoryControlChannel(options), new MemoryEventBus(options));
    }
    case 'redis':
    case 'rediss': {
      const { RedisControlChannel, RedisEventBus } = await import('../redis/redis.entry.js');
      return new PairedControlPlane(new RedisControlChannel(options), new RedisEventBus(options));
    }
    case 'amqp':
    case 'amqps': {
      const { AmqpControlPlane } = await import('../brokers/amqp/amqp-control-plane.js');
      return new AmqpControlPlane(options);
    }
    default:
      throw new TaskDefinitionError(
        `unsupported control-plane URL scheme "${scheme}:" in "${redactUrl(options.url)}"`,
      );
  }
}
