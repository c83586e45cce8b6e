import { join, strings, type Path } from '@angular-devkit/core';
import {
  apply,
  applyTemplates,
  chain,
  filter,
  mergeWith,
  move,
  noop,
  SchematicsException,
  url,
  type Rule,
  type Tree,
} from '@angular-devkit/schematics';
import { assertTypeScript } from '../utils/language.js';
import { addController, addProvider } from '../utils/module-declarator.js';
import { findNearestModule, resolveModuleOption } from '../utils/module-finder.js';
import { assertQueueName, locateElement } from '../utils/names.js';
import { importSpecifier, isEsmProject, resolveSourceRoot } from '../utils/project.js';
import { ensureQueue } from '../utils/queue.rule.js';
import { assertPool } from '../utils/queue-table.js';
import type { TaskSchematicOptions } from './task-options.interface.js';

/** `nest g -c celeriac task <name>`: a provider with one `@Task` method, registered in its module. */
export function main(options: TaskSchematicOptions): Rule {
  return (tree: Tree) => {
    assertTypeScript(options.language);
    const sourceRoot = resolveSourceRoot(tree, options.sourceRoot);
    const { name, directory } = locateElement('task', options, sourceRoot);
    const queue = assertQueueName(options.queue ?? 'default');
    const pool = assertPool(options.pool ?? 'async');
    const className = `${strings.classify(name)}Tasks`;
    const controllerClass = `${strings.classify(name)}Controller`;
    const file = join(directory, `${name}.tasks.ts`);
    const controllerFile = join(directory, `${name}.controller.ts`);
    if (tree.exists(file)) {
      throw new SchematicsException(`${file.slice(1)} already exists: choose another name or --path.`);
    }
    // Found before anything is written, so a missing module fails the run with the tree untouched.
    const module = options.skipImport ? undefined : targetModule(tree, options.module, sourceRoot, directory);
    const esm = isEsmProject(tree);
    const controller = options.controller !== false && !tree.exists(controllerFile);
    const files = apply(url('./files'), [
      options.spec === false ? filter((path) => !path.includes('__specFileSuffix__')) : noop(),
      controller ? noop() : filter((path) => !path.endsWith('.controller.ts.template')),
      applyTemplates({
        name,
        className,
        controllerClass,
        queue,
        specFileSuffix: options.specFileSuffix ?? 'spec',
        importExtension: esm ? '.js' : '',
      }),
      move(directory),
    ]);
    return chain([
      mergeWith(files),
      module ? registerProvider(module, className, importSpecifier(module, file, esm)) : noop(),
      module && controller
        ? registerController(module, controllerClass, importSpecifier(module, controllerFile, esm))
        : noop(),
      controller || options.controller === false
        ? noop()
        : (_tree, context) =>
            context.logger.warn(`${controllerFile.slice(1)} already exists: no controller generated.`),
      ensureQueue({ name: queue, pool }, { sourceRoot, onProblem: 'warn' }),
    ]);
  };
}

function targetModule(tree: Tree, option: string | undefined, sourceRoot: string, directory: Path): Path {
  if (option !== undefined) return resolveModuleOption(tree, option, sourceRoot);
  const nearest = findNearestModule(tree, directory);
  if (!nearest) {
    throw new SchematicsException(
      `No module found in ${directory.slice(1) || '/'} or its parent directories: pass --module <file>, ` +
        'or --skip-import to register the provider yourself.',
    );
  }
  return nearest;
}

function registerProvider(module: Path, className: string, specifier: string): Rule {
  return (tree) => {
    tree.overwrite(module, addProvider(module.slice(1), tree.readText(module), className, specifier));
    return tree;
  };
}

function registerController(module: Path, className: string, specifier: string): Rule {
  return (tree) => {
    tree.overwrite(module, addController(module.slice(1), tree.readText(module), className, specifier));
    return tree;
  };
}
