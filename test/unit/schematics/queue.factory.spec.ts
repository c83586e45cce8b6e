import type { SchematicTestRunner } from '@angular-devkit/schematics/testing/index.js';
import type { QueueSchematicOptions } from '../../../schematics/queue/queue-options.interface.js';
import { APP_MODULE, projectTree, runWithLogs } from './support/project-tree.js';
import { createSchematicRunner } from './support/schematic-runner.js';

/** An app module importing `CeleriacModule.<forRoot>`. */
function appModuleWithForRoot(forRoot: string): string {
  return `import { Module } from '@nestjs/common';
import { CeleriacModule } from 'celeriac';

@Module({
  imports: [CeleriacModule.${forRoot}],
})
export class AppModule {}
`;
}

describe('queue schematic', () => {
  let runner: SchematicTestRunner;
  const run = (options: QueueSchematicOptions, tree = projectTree()) =>
    runner.runSchematic('queue', options, tree);
  const withModule = (content: string) => projectTree({ files: { 'src/app.module.ts': content } });

  beforeAll(async () => {
    runner = await createSchematicRunner();
  });

  it('adds the queue and its pool to a table written one entry per line', async () => {
    const { tree, logs } = await runWithLogs(
      runner,
      'queue',
      { name: 'cpu', pool: 'threads', concurrency: 2 },
      projectTree(),
    );

    expect(tree.files.sort()).toEqual(['/package.json', '/src/app.module.ts', '/tsconfig.json']);
    expect(tree.readContent('/src/app.module.ts')).toBe(
      APP_MODULE.replace(
        "default: { pool: 'async' },",
        "default: { pool: 'async' },\n        cpu: { pool: 'threads', concurrency: 2 },",
      ),
    );
    expect(logs).toEqual(['info: Queue "cpu" (threads pool) added to src/app.module.ts.']);
  });

  it('adds to an inline table, quoting a name that is not an identifier', async () => {
    const tree = await run(
      { name: 'io-bound' },
      withModule(appModuleWithForRoot("forRoot({ queues: { default: { pool: 'async' } } })")),
    );

    expect(tree.readContent('/src/app.module.ts')).toBe(
      appModuleWithForRoot(
        "forRoot({ queues: { default: { pool: 'async' }, 'io-bound': { pool: 'async' } } })",
      ),
    );
  });

  it('writes a table where there was none, keeping the implicit default queue', async () => {
    const tree = await run(
      { name: 'serial', pool: 'solo' },
      withModule(appModuleWithForRoot('forRoot({ broker: process.env.BROKER_URL })')),
    );

    expect(tree.readContent('/src/app.module.ts')).toBe(
      appModuleWithForRoot(
        "forRoot({ broker: process.env.BROKER_URL, queues: { default: { pool: 'async' }, serial: { pool: 'solo' } } })",
      ),
    );
  });

  it('gives forRoot() its options when it had none', async () => {
    const tree = await run({ name: 'cpu', pool: 'processes' }, withModule(appModuleWithForRoot('forRoot()')));

    expect(tree.readContent('/src/app.module.ts')).toBe(
      appModuleWithForRoot("forRoot({ queues: { default: { pool: 'async' }, cpu: { pool: 'processes' } } })"),
    );
  });

  it('leaves a queue already in the table as it is when no setting is given', async () => {
    const { tree, logs } = await runWithLogs(runner, 'queue', { name: 'default' }, projectTree());

    expect(tree.readContent('/src/app.module.ts')).toBe(APP_MODULE);
    expect(logs).toEqual([
      'info: Queue "default" is already in the queue table of src/app.module.ts; give --pool or --concurrency to change it.',
    ]);
  });

  it("changes an existing queue's pool when one is given, and says what changed", async () => {
    const { tree, logs } = await runWithLogs(
      runner,
      'queue',
      { name: 'default', pool: 'threads' },
      projectTree(),
    );

    expect(tree.readContent('/src/app.module.ts')).toBe(
      APP_MODULE.replace("default: { pool: 'async' }", "default: { pool: 'threads' }"),
    );
    expect(logs).toEqual([`info: Queue "default" changed in src/app.module.ts: pool 'async' → 'threads'.`]);
  });

  it("takes the Nest CLI's second argument as the pool (nest g -c celeriac queue cpu threads)", async () => {
    const inline = withModule(appModuleWithForRoot("forRoot({ queues: { cpu: { pool: 'solo' } } })"));
    const tree = await run({ name: 'cpu', path: 'threads' }, inline);
    expect(tree.readContent('/src/app.module.ts')).toBe(
      appModuleWithForRoot("forRoot({ queues: { cpu: { pool: 'threads' } } })"),
    );
    await expect(run({ name: 'cpu', path: 'threads', pool: 'solo' }, inline)).rejects.toThrow(
      'Two pools given ("solo" and "threads"): give one.',
    );
    await expect(run({ name: 'cpu', path: 'fast' }, inline)).rejects.toThrow('Invalid pool "fast"');
  });

  it('sets a concurrency the entry did not have, keeping the rest as written', async () => {
    const module = appModuleWithForRoot("forRoot({ queues: { io: { pool: 'async', prefetch: 5 } } })");
    const { tree, logs } = await runWithLogs(
      runner,
      'queue',
      { name: 'io', concurrency: 50 },
      withModule(module),
    );
    expect(tree.readContent('/src/app.module.ts')).toBe(
      appModuleWithForRoot("forRoot({ queues: { io: { pool: 'async', prefetch: 5, concurrency: 50 } } })"),
    );
    expect(logs).toEqual(['info: Queue "io" changed in src/app.module.ts: concurrency (default) → 50.']);
    const same = await runWithLogs(runner, 'queue', { name: 'io', pool: 'async' }, withModule(module));
    expect(same.logs).toEqual([
      'info: Queue "io" is already in the queue table of src/app.module.ts with these settings.',
    ]);
  });

  it('finds the forRoot call in a feature module, or takes --module', async () => {
    const feature = appModuleWithForRoot('forRoot({ queues: {} })').replace('AppModule', 'TasksModule');
    const bare = "import { Module } from '@nestjs/common';\n\n@Module({})\nexport class AppModule {}\n";
    for (const module of [undefined, 'tasks/tasks']) {
      const tree = await run(
        { name: 'cpu', module },
        projectTree({ files: { 'src/app.module.ts': bare, 'src/tasks/tasks.module.ts': feature } }),
      );

      expect(tree.readContent('/src/tasks/tasks.module.ts')).toContain(
        "CeleriacModule.forRoot({ queues: { cpu: { pool: 'async' } } })",
      );
    }
  });

  describe('errors', () => {
    it('rejects a bad queue name', async () => {
      await expect(run({ name: 'cpu queue' })).rejects.toThrow(
        'Invalid queue name "cpu queue": use letters, digits, "-" or "_", starting with a letter',
      );
    });

    it('rejects an unknown pool and a bad concurrency', async () => {
      await expect(run({ name: 'cpu', pool: 'fibers' })).rejects.toThrow(
        '"/pool" must be equal to one of the allowed values',
      );
      await expect(run({ name: 'cpu', concurrency: 0 })).rejects.toThrow('"/concurrency" must be >= 1');
    });

    it('says where it looked when no forRoot call exists', async () => {
      const bare = "import { Module } from '@nestjs/common';\n\n@Module({})\nexport class AppModule {}\n";

      await expect(run({ name: 'cpu' }, withModule(bare))).rejects.toThrow(
        'No CeleriacModule.forRoot({ … }) found under "src": add `cpu: { pool: \'async\' }` to its queues, or pass --module.',
      );
    });

    it.each([
      ['forRootAsync({ useFactory: () => ({}) })', 'forRootAsync builds its options at run time'],
      ['forRoot(options)', 'the options of forRoot are not an object literal'],
      ['forRoot({ queues: QUEUES })', 'its queues are not an object literal'],
    ])('explains why it cannot edit %s', async (forRoot, why) => {
      await expect(run({ name: 'cpu' }, withModule(appModuleWithForRoot(forRoot)))).rejects.toThrow(
        `Cannot add queue "cpu" to src/app.module.ts: ${why}. Add \`cpu: { pool: 'async' }\` to its queues yourself.`,
      );
    });

    it('names a --module that does not exist', async () => {
      await expect(run({ name: 'cpu', module: 'celeriac.module.ts' })).rejects.toThrow(
        'Module "celeriac.module.ts" not found',
      );
    });
  });
});
