import type { ResolvedQueueOptions } from '../../celeriac-options.interface.js';
import { childPoolSettings } from './child-pool-options.js';
import { ChildPool } from './child.pool.js';
import { InProcessPool } from './in-process.pool.js';
import type { Pool, TaskInvoker } from './pool.interface.js';
import { spawnProcess } from './process-child.js';
import { spawnThread } from './thread-child.js';
import type { CeleriacLoggerOption } from '../../logging/celeriac-logger.js';

/** Builds the pool a queue asked for. */
export function createPool(
  queue: string,
  options: ResolvedQueueOptions,
  invoke: TaskInvoker,
  logger?: CeleriacLoggerOption,
): Pool {
  switch (options.pool) {
    case 'solo':
    case 'async':
      return new InProcessPool(options.pool, options.concurrency, invoke);
    case 'threads':
      return new ChildPool(
        'threads',
        options.concurrency,
        queue,
        childPoolSettings(queue, options),
        spawnThread,
        logger,
      );
    case 'processes':
      return new ChildPool(
        'processes',
        options.concurrency,
        queue,
        childPoolSettings(queue, options),
        spawnProcess,
        logger,
      );
  }
}
