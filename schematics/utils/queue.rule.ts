import { SchematicsException, type Rule, type Tree } from '@angular-devkit/schematics';
import { findModulesContaining, resolveModuleOption } from './module-finder.js';
import { toPath } from './project.js';
import { addQueue, FOR_ROOT_PATTERN, queueEntryText, type QueueEntry } from './queue-table.js';

export interface EnsureQueueOptions {
  sourceRoot: string;
  /** The file holding `CeleriacModule.forRoot`; searched for under the source root when absent. */
  module?: string;
  /** `queue` fails when the table cannot be edited; `task` only warns, since its files are still right. */
  onProblem: 'error' | 'warn';
}

/** The module that holds the queue table: the given one, or the shallowest with a forRoot call. */
export function findQueueTableModule(tree: Tree, sourceRoot: string, module?: string): string | undefined {
  if (module !== undefined) return resolveModuleOption(tree, module, sourceRoot);
  return findModulesContaining(tree, toPath(sourceRoot), FOR_ROOT_PATTERN)[0];
}

/** Adds the queue to the `CeleriacModule.forRoot` queue table when it is missing. */
export function ensureQueue(entry: QueueEntry, options: EnsureQueueOptions): Rule {
  return (tree, context) => {
    const problem = (message: string): void => {
      if (options.onProblem === 'error') throw new SchematicsException(message);
      context.logger.warn(message);
    };
    const path = findQueueTableModule(tree, options.sourceRoot, options.module);
    if (!path) {
      problem(
        `No CeleriacModule.forRoot({ … }) found under "${options.sourceRoot || '/'}": ` +
          `add \`${queueEntryText(entry)}\` to its queues, or pass --module.`,
      );
      return tree;
    }
    try {
      const edit = addQueue(path.slice(1), tree.readText(path), entry);
      if (edit.added) {
        tree.overwrite(path, edit.content);
        context.logger.info(`Queue "${entry.name}" (${entry.pool} pool) added to ${path.slice(1)}.`);
      } else {
        context.logger.info(`Queue "${entry.name}" is already in the queue table of ${path.slice(1)}.`);
      }
    } catch (error) {
      if (!(error instanceof SchematicsException)) throw error;
      problem(error.message);
    }
    return tree;
  };
}
