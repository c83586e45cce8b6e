import { SchematicsException, type Rule, type Tree } from '@angular-devkit/schematics';
import { findModulesContaining, resolveModuleOption } from './module-finder.js';
import { toPath } from './project.js';
import {
  addQueue,
  FOR_ROOT_PATTERN,
  queueEntryText,
  type QueueChanges,
  type QueueEntry,
} from './queue-table.js';

export interface EnsureQueueOptions {
  sourceRoot: string;
  /** The file holding `CeleriacModule.forRoot`; searched for under the source root when absent. */
  module?: string;
  /** `queue` fails when the table cannot be edited; `task` only warns, since its files are still right. */
  onProblem: 'error' | 'warn';
  /** Settings of an existing queue to set to the entry's (those the user asked for explicitly). */
  changes?: QueueChanges;
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
      const edit = addQueue(path.slice(1), tree.readText(path), entry, options.changes);
      const where = path.slice(1);
      if (edit.outcome !== 'unchanged') tree.overwrite(path, edit.content);
      if (edit.outcome === 'added') {
        context.logger.info(`Queue "${entry.name}" (${entry.pool} pool) added to ${where}.`);
      } else if (edit.outcome === 'changed') {
        context.logger.info(`Queue "${entry.name}" changed in ${where}: ${edit.change}.`);
      } else {
        context.logger.info(
          `Queue "${entry.name}" is already in the queue table of ${where}${hintFor(options.changes)}.`,
        );
      }
    } catch (error) {
      if (!(error instanceof SchematicsException)) throw error;
      problem(error.message);
    }
    return tree;
  };
}

/** The queue schematic (which passes `changes`) can change a queue; say how, or that nothing had to. */
function hintFor(changes: QueueChanges | undefined): string {
  if (!changes) return '';
  return changes.pool || changes.concurrency
    ? ' with these settings'
    : '; give --pool or --concurrency to change it';
}
