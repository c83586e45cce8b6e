import { SchematicsException, type Rule, type Tree } from '@angular-devkit/schematics';
import { assertQueueName } from '../utils/names.js';
import { resolveSourceRoot } from '../utils/project.js';
import { ensureQueue } from '../utils/queue.rule.js';
import { assertPool } from '../utils/queue-table.js';
import type { QueueSchematicOptions } from './queue-options.interface.js';

/**
 * `nest g -c celeriac queue <name> [pool]`: adds the queue to the `CeleriacModule.forRoot` table, or
 * changes the pool / concurrency of a queue already there when they are given.
 */
export function main(options: QueueSchematicOptions): Rule {
  return (tree: Tree) => {
    const name = options.name?.trim();
    if (!name) {
      throw new SchematicsException('A queue name is required, e.g. "nest g -c celeriac queue cpu".');
    }
    const { concurrency } = options;
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
      throw new SchematicsException(`Invalid concurrency ${concurrency}: use a whole number of 1 or more.`);
    }
    const pool = requestedPool(options);
    const entry = { name: assertQueueName(name), pool: assertPool(pool ?? 'async'), concurrency };
    const sourceRoot = resolveSourceRoot(tree, options.sourceRoot);
    const changes = { pool: pool !== undefined, concurrency: concurrency !== undefined };
    return ensureQueue(entry, { sourceRoot, module: options.module, onProblem: 'error', changes });
  };
}

/**
 * `--pool`, or the Nest CLI's second positional argument: `nest g` forwards only options of its
 * own, so `nest g -c celeriac queue cpu threads` arrives as `--path=threads`.
 */
function requestedPool(options: QueueSchematicOptions): string | undefined {
  const positional = options.path?.replace(/^\/+|\/+$/g, '');
  if (options.pool !== undefined && positional && positional !== options.pool) {
    throw new SchematicsException(`Two pools given ("${options.pool}" and "${positional}"): give one.`);
  }
  return options.pool ?? (positional || undefined);
}
