import { SchematicsException, type Rule, type Tree } from '@angular-devkit/schematics';
import { assertQueueName } from '../utils/names.js';
import { resolveSourceRoot } from '../utils/project.js';
import { ensureQueue } from '../utils/queue.rule.js';
import { assertPool } from '../utils/queue-table.js';
import type { QueueSchematicOptions } from './queue-options.interface.js';

/** `nest g -c celeriac queue <name>`: adds the queue to the `CeleriacModule.forRoot` table if missing. */
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
    const entry = { name: assertQueueName(name), pool: assertPool(options.pool ?? 'async'), concurrency };
    const sourceRoot = resolveSourceRoot(tree, options.sourceRoot);
    return ensureQueue(entry, { sourceRoot, module: options.module, onProblem: 'error' });
  };
}
