import { redactUrl, schemeOf } from '../brokers/broker-url.js';
import { importPeer } from '../brokers/import-peer.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import type { ResultBackend } from './result-backend.interface.js';

import type { BackendOptions } from './backend-options.js';

export type { BackendOptions };

/** Picks the result backend from the URL scheme, importing its implementation lazily. */
export async function createBackend(options: BackendOptions): Promise<ResultBackend> {
  const scheme = schemeOf(options.url);
  switch (scheme) {
    case 'memory': {
      const { MemoryBackend } = await import('./memory/memory.backend.js');
      return new MemoryBackend(options);
    }
    case 'redis':
    case 'rediss': {
      const { RedisBackend } = await importPeer(
        'ioredis',
        options.url,
        () => import('../redis/redis.entry.js'),
      );
      return new RedisBackend(options);
    }
    default:
      throw new TaskDefinitionError(
        `unsupported result backend URL scheme "${scheme}:" in "${redactUrl(options.url)}": ` +
          'use redis://, rediss://, or memory:// (or no backend) for the embedded one',
      );
  }
}
