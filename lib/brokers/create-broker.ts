import { TaskDefinitionError } from '../errors/task-definition.error.js';
import type { ConnectionOptions } from './broker-connection.options.js';
import type { Broker } from './broker.interface.js';
import { redactUrl, schemeOf } from './broker-url.js';
import { importPeer } from './import-peer.js';

export { redactUrl, schemeOf };

/**
 * Picks the broker implementation from the URL scheme. Implementations are imported lazily so an
 * application that uses only one broker needs only that broker's client library installed.
 */
export async function createBroker(options: ConnectionOptions): Promise<Broker> {
  const scheme = schemeOf(options.url);
  switch (scheme) {
    case 'memory': {
      const { MemoryBroker } = await import('./memory/memory.broker.js');
      return new MemoryBroker(options);
    }
    case 'amqp':
    case 'amqps': {
      const { AmqpBroker } = await importPeer('amqplib', options.url, () => import('./amqp/amqp.broker.js'));
      return new AmqpBroker(options);
    }
    case 'redis':
    case 'rediss': {
      const { RedisBroker } = await importPeer(
        'ioredis',
        options.url,
        () => import('../redis/redis.entry.js'),
      );
      return new RedisBroker(options);
    }
    default:
      throw new TaskDefinitionError(
        `unsupported broker URL scheme "${scheme}:" in "${redactUrl(options.url)}": ` +
          'use redis://, rediss://, amqp://, amqps://, or memory:// (or no broker) for the embedded one',
      );
  }
}
