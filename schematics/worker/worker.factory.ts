import { join, type Path } from '@angular-devkit/core';
import {
  apply,
  applyTemplates,
  chain,
  mergeWith,
  move,
  SchematicsException,
  url,
  type Rule,
  type SchematicContext,
  type Tree,
} from '@angular-devkit/schematics';
import { assertTypeScript } from '../utils/language.js';
import { readModuleClassName } from '../utils/module-declarator.js';
import { findNearestModule, resolveModuleOption } from '../utils/module-finder.js';
import { parseQueueList, toKebabCase } from '../utils/names.js';
import { addPackageScript, compiledPath } from '../utils/package-scripts.js';
import { importSpecifier, isEsmProject, resolveSourceRoot, toPath } from '../utils/project.js';
import { findQueueTableModule } from '../utils/queue.rule.js';
import { listQueues } from '../utils/queue-table.js';
import type { WorkerSchematicOptions } from './worker-options.interface.js';

const WORKER_FILE = 'worker.main.ts';

/** `nest g -c celeriac worker [queues]`: a standalone worker entry and its start:worker script. */
export function main(options: WorkerSchematicOptions): Rule {
  return (tree: Tree, context: SchematicContext) => {
    assertTypeScript(options.language);
    const sourceRoot = resolveSourceRoot(tree, options.sourceRoot);
    const directory = join(toPath(sourceRoot), toKebabCase(options.path ?? ''));
    const file = join(directory, WORKER_FILE);
    const queues = parseQueueList(options.queues ?? options.name);
    const module = appModule(tree, options.module, sourceRoot, directory);
    const moduleClass = readModuleClassName(module.slice(1), tree.readText(module));
    warnAboutUnknownQueues(tree, context, sourceRoot, queues);
    const workerOptions = queues.length
      ? `{ queues: [${queues.map((queue) => `'${queue}'`).join(', ')}] }`
      : '';
    const script = addPackageScript('start:worker', `node ${compiledPath(tree, file, sourceRoot)}`);
    if (tree.exists(file)) return chain([updateQueues(file, workerOptions, queues), script]);
    const files = apply(url('./files'), [
      applyTemplates({
        moduleClass,
        moduleImport: importSpecifier(file, module, isEsmProject(tree)),
        workerOptions,
      }),
      move(directory),
    ]);
    return chain([mergeWith(files), script]);
  };
}

/** The module the worker boots: --module, else the source root's app.module.ts, else the nearest one. */
function appModule(tree: Tree, option: string | undefined, sourceRoot: string, directory: Path): Path {
  if (option !== undefined) return resolveModuleOption(tree, option, sourceRoot);
  const app = join(toPath(sourceRoot), 'app.module.ts');
  const found = tree.exists(app) ? app : findNearestModule(tree, directory);
  if (!found) {
    throw new SchematicsException(
      `No application module found (looked for ${app.slice(1)}): pass --module <file>.`,
    );
  }
  return found;
}

/** A worker asked to consume a queue the table lacks cannot start; say so while it is easy to fix. */
function warnAboutUnknownQueues(
  tree: Tree,
  context: SchematicContext,
  sourceRoot: string,
  queues: string[],
): void {
  const table = findQueueTableModule(tree, sourceRoot);
  const known = table && listQueues(table, tree.readText(table));
  if (!table || !known) return;
  for (const queue of queues.filter((name) => !known.includes(name))) {
    context.logger.warn(
      `Queue "${queue}" is not in the queue table of ${table.slice(1)}: ` +
        `add it with "nest g -c celeriac queue ${queue}" before starting the worker.`,
    );
  }
}

/**
 * An existing worker entry keeps everything but the queues it consumes (`new CeleriacWorker(…)`),
 * so `nest g -c celeriac worker cpu,io` after `nest add celeriac` retargets the worker it created.
 */
function updateQueues(file: Path, workerOptions: string, queues: string[]): Rule {
  return (tree, context) => {
    const content = tree.readText(file);
    const calls = content.match(/new CeleriacWorker\((?:[^()]|\([^()]*\))*\)/g) ?? [];
    if (calls.length !== 1) {
      throw new SchematicsException(
        `${file.slice(1)} already exists and has ${calls.length === 0 ? 'no' : 'more than one'} ` +
          '`new CeleriacWorker(…)` to update: remove it or choose another --path.',
      );
    }
    const updated = content.replace(calls[0], `new CeleriacWorker(${workerOptions})`);
    const consumes = queues.length ? `queues ${queues.join(', ')}` : 'every queue of the table';
    if (updated === content) {
      context.logger.info(`${file.slice(1)} already consumes ${consumes}; left as it is.`);
      return tree;
    }
    tree.overwrite(file, updated);
    context.logger.info(`${file.slice(1)} updated: it now consumes ${consumes}.`);
    return tree;
  };
}
