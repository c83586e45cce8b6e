import { TaskDefinitionError } from '../errors/task-definition.error.js';
import type { ConnectionOptions } from './broker-connection.options.js';
import type { Broker } from './broker.interface.js';

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
      const { AmqpBroker } = await import('./amqp/amqp.broker.js');
      return new AmqpBroker(options);
    }
    case 'redis':
    case 'rediss': {
      const { RedisBroker } = await import('./redis/redis.entry.js');
      return new RedisBroker(options);
    }
    default:
      throw new TaskDefinitionError(
        `unsupported broker URL scheme "${scheme}:" in "${redactUrl(options.url)}"`,
      );
  }
}

/** `redis://user:pw@host` → `redis`. */
export function schemeOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (!match)
    throw new TaskDefinitionError(`"${redactUrl(url)}" is not a URL (expected e.g. redis://127.0.0.1:6379)`);
  return match[1].toLowerCase();
}

/** Hides a password before a URL goes into a message or a log. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}
