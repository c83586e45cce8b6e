import type { QueueOptions } from '../../celeriac-options.interface.js';
import { TaskDefinitionError } from '../../errors/task-definition.error.js';
import { InProcessPool } from './in-process.pool.js';
import type { Pool, TaskInvoker } from './pool.interface.js';

/** Builds the pool a queue asked for. */
export function createPool(queue: string, options: Required<QueueOptions>, invoke: TaskInvoker): Pool {
  switch (options.pool) {
    case 'solo':
    case 'async':
      return new InProcessPool(options.pool, options.concurrency, invoke);
    default:
      throw new TaskDefinitionError(
        `queue "${queue}": the ${options.pool} pool is not available in this build`,
      );
  }
}
