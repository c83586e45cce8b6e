import type { SchematicTestRunner } from '@angular-devkit/schematics/testing/index.js';
import type { WorkerSchematicOptions } from '../../../schematics/worker/worker-options.interface.js';
import { APP_MODULE, projectTree, runWithLogs } from './support/project-tree.js';
import { createSchematicRunner } from './support/schematic-runner.js';

function workerMain(
  workerOptions: string,
  moduleClass = 'AppModule',
  moduleImport = './app.module.js',
): string {
  return `import { NestFactory } from '@nestjs/core';
import { CeleriacWorker } from 'celeriac';
import { ${moduleClass} } from '${moduleImport}';

async function bootstrap(): Promise<void> {
  const worker = await NestFactory.createMicroservice(${moduleClass}, {
    strategy: new CeleriacWorker(${workerOptions}),
  });
  worker.enableShutdownHooks();
  await worker.listen();
}

void bootstrap();
`;
}

describe('worker schematic', () => {
  let runner: SchematicTestRunner;
  const run = (options: WorkerSchematicOptions, tree = projectTree()) =>
    runner.runSchematic('worker', options, tree);

  beforeAll(async () => {
    runner = await createSchematicRunner();
  });

  it('creates worker.main.ts for the app module and a start:worker script', async () => {
    const tree = await run({});

    expect(tree.files.sort()).toEqual([
      '/package.json',
      '/src/app.module.ts',
      '/src/worker.main.ts',
      '/tsconfig.json',
    ]);
    expect(tree.readContent('/src/worker.main.ts')).toBe(workerMain(''));
    expect(tree.readContent('/package.json')).toBe(
      '{\n  "name": "app",\n  "version": "0.0.1",\n  "type": "module",\n  "scripts": {\n' +
        '    "build": "nest build",\n    "start:worker": "node dist/worker.main.js"\n  }\n}\n',
    );
    expect(tree.readContent('/src/app.module.ts')).toBe(APP_MODULE);
  });

  it('consumes the queues given, as --queues or as the name the Nest CLI passes', async () => {
    const module = APP_MODULE.replace(
      "default: { pool: 'async' },",
      "default: { pool: 'async' },\n        cpu: { pool: 'threads' },\n        io: { pool: 'async' },",
    );
    for (const options of [{ queues: 'cpu,io' }, { queues: 'cpu io' }, { name: 'cpu,io' }]) {
      const { tree, logs } = await runWithLogs(
        runner,
        'worker',
        options,
        projectTree({ files: { 'src/app.module.ts': module } }),
      );

      expect(tree.readContent('/src/worker.main.ts')).toBe(workerMain("{ queues: ['cpu', 'io'] }"));
      expect(logs.filter((line) => line.startsWith('warn'))).toEqual([]);
    }
  });

  it('warns about a queue missing from the queue table', async () => {
    const { logs } = await runWithLogs(runner, 'worker', { queues: 'default,emails' }, projectTree());

    expect(logs).toEqual([
      'warn: Queue "emails" is not in the queue table of src/app.module.ts: ' +
        'add it with "nest g -c celeriac queue emails" before starting the worker.',
    ]);
  });

  it('--module boots another module, and --path places the file under the source root', async () => {
    const module = "import { Module } from '@nestjs/common';\n\n@Module({})\nexport class JobsModule {}\n";
    const tree = await run(
      { module: 'jobs/jobs.module.ts', path: 'workers' },
      projectTree({ files: { 'src/jobs/jobs.module.ts': module } }),
    );

    expect(tree.readContent('/src/workers/worker.main.ts')).toBe(
      workerMain('', 'JobsModule', '../jobs/jobs.module.js'),
    );
    expect(tree.readContent('/package.json')).toContain('"start:worker": "node dist/workers/worker.main.js"');
  });

  it("takes tsc's outDir and a CommonJS project's import style into account", async () => {
    const tree = projectTree({ esm: false });
    tree.overwrite('/tsconfig.json', '{ "compilerOptions": { "outDir": "build/" } }\n');

    const result = await run({}, tree);

    expect(result.readContent('/src/worker.main.ts')).toContain("import { AppModule } from './app.module';");
    expect(result.readContent('/package.json')).toContain('"start:worker": "node build/worker.main.js"');
  });

  it('keeps a start:worker script the project already has, and says so', async () => {
    const tree = projectTree();
    tree.overwrite('/package.json', '{\n    "scripts": { "start:worker": "node worker.js" }\n}\n');

    const { tree: result, logs } = await runWithLogs(runner, 'worker', {}, tree);

    expect(result.readContent('/package.json')).toBe(
      '{\n    "scripts": { "start:worker": "node worker.js" }\n}\n',
    );
    expect(logs).toContain(
      'warn: package.json already has a "start:worker" script ("node worker.js"); kept. Run: node dist/worker.main.js',
    );
  });

  it('updates the queues of an existing worker entry, keeping the rest of it', async () => {
    const mine = workerMain('').replace('await worker.listen();', 'await worker.listen(); // mine');
    const first = await runWithLogs(
      runner,
      'worker',
      { queues: 'default,cpu' },
      projectTree({ files: { 'src/worker.main.ts': mine } }),
    );
    expect(first.tree.readContent('/src/worker.main.ts')).toBe(
      mine.replace('new CeleriacWorker()', "new CeleriacWorker({ queues: ['default', 'cpu'] })"),
    );
    expect(first.logs).toContain('info: src/worker.main.ts updated: it now consumes queues default, cpu.');

    const again = await runWithLogs(
      runner,
      'worker',
      {},
      projectTree({ files: { 'src/worker.main.ts': mine } }),
    );
    expect(again.tree.readContent('/src/worker.main.ts')).toBe(mine);
    expect(again.logs).toContain(
      'info: src/worker.main.ts already consumes every queue of the table; left as it is.',
    );
  });

  describe('errors', () => {
    it('refuses to touch an existing worker.main.ts that has no CeleriacWorker to update', async () => {
      const tree = projectTree({ files: { 'src/worker.main.ts': '// mine\n' } });

      await expect(run({}, tree)).rejects.toThrow(
        'src/worker.main.ts already exists and has no `new CeleriacWorker(…)` to update: remove it or choose another --path.',
      );
    });

    it('says what to do when there is no application module', async () => {
      const tree = projectTree();
      tree.delete('/src/app.module.ts');

      await expect(run({}, tree)).rejects.toThrow(
        'No application module found (looked for src/app.module.ts): pass --module <file>.',
      );
    });

    it('names a --module that does not exist', async () => {
      await expect(run({ module: 'src/missing.module.ts' })).rejects.toThrow(
        'Module "src/missing.module.ts" not found',
      );
    });

    it('rejects a module file without a @Module class', async () => {
      const tree = projectTree({ files: { 'src/app.module.ts': 'export const nothing = 1;\n' } });

      await expect(run({}, tree)).rejects.toThrow(
        'src/app.module.ts declares no class decorated with @Module({ … }).',
      );
    });

    it('rejects a bad queue name', async () => {
      await expect(run({ queues: 'cpu,9lives' })).rejects.toThrow('Invalid queue name "9lives"');
    });
  });
});
