import { join, type Path } from '@angular-devkit/core';
import {
  chain,
  noop,
  schematic,
  SchematicsException,
  type Rule,
  type SchematicContext,
  type Tree,
} from '@angular-devkit/schematics';
import { assertTypeScript } from '../utils/language.js';
import { addModuleImport } from '../utils/module-declarator.js';
import { resolveModuleOption } from '../utils/module-finder.js';
import { resolveSourceRoot, toPath } from '../utils/project.js';
import { findQueueTableModule } from '../utils/queue.rule.js';
import { FOR_ROOT_PATTERN } from '../utils/queue-table.js';
import type { InitSchematicOptions } from './init-options.interface.js';

/** What `nest add celeriac` puts in the root module's imports. */
const FOR_ROOT = [
  'CeleriacModule.forRoot({',
  '  broker: process.env.BROKER_URL,',
  '  queues: {',
  "    default: { pool: 'async' },",
  '  },',
  '  statusController: true,',
  '})',
];

const NEXT_STEPS = `Next steps:
  nest g -c celeriac task reports          a provider with one @Task, and POST /reports that sends it
  nest g -c celeriac queue cpu threads     a queue of its own on the threads pool
  npm install ioredis                      for BROKER_URL=redis://127.0.0.1:6379 (API and workers in separate processes)
  npm install amqplib                      for BROKER_URL=amqp://… (results then need RESULT_URL=redis://…)
  npm run build && npm run start:worker    the worker; npm start in another terminal for the API
Without BROKER_URL both run on the embedded broker, which lives inside one process: a separate
worker never sees the API's tasks there (connect the worker to the API instead; see the README).`;

/**
 * `nest add celeriac` (and `celeriac:init`): imports `CeleriacModule.forRoot` into the root module,
 * creates `worker.main.ts` with its `start:worker` script, and prints what to do next. It installs
 * nothing: the broker client (`ioredis` or `amqplib`) depends on the broker the user picks.
 */
export function main(options: InitSchematicOptions): Rule {
  return (tree: Tree, context: SchematicContext) => {
    assertTypeScript(options.language);
    const sourceRoot = resolveSourceRoot(tree, options.sourceRoot);
    const module = rootModule(tree, options.module, sourceRoot);
    const worker = join(toPath(sourceRoot), 'worker.main.ts');
    return chain([
      importCeleriac(module, sourceRoot),
      options.skipWorker || tree.exists(worker)
        ? noop()
        : schematic('worker', { sourceRoot, module: options.module, language: options.language }),
      () => context.logger.info(NEXT_STEPS),
    ]);
  };
}

function rootModule(tree: Tree, option: string | undefined, sourceRoot: string): Path {
  if (option !== undefined) return resolveModuleOption(tree, option, sourceRoot);
  const app = join(toPath(sourceRoot), 'app.module.ts');
  if (!tree.exists(app)) {
    throw new SchematicsException(`No root module at ${app.slice(1)}: pass --module <file>.`);
  }
  return app;
}

function importCeleriac(module: Path, sourceRoot: string): Rule {
  return (tree, context) => {
    const existing = findQueueTableModule(tree, sourceRoot);
    const content = tree.readText(module);
    if (existing || FOR_ROOT_PATTERN.test(content)) {
      const where = (existing ?? module).slice(1);
      context.logger.info(`CeleriacModule is already imported in ${where}; left as it is.`);
      return tree;
    }
    tree.overwrite(module, addModuleImport(module.slice(1), content, FOR_ROOT, 'CeleriacModule', 'celeriac'));
    context.logger.info(
      `CeleriacModule.forRoot({ broker: process.env.BROKER_URL, … }) added to ${module.slice(1)}.`,
    );
    return tree;
  };
}
