import type { SchematicTestRunner } from '@angular-devkit/schematics/testing/index.js';
import { projectTree, runWithLogs } from './support/project-tree.js';
import { createSchematicRunner } from './support/schematic-runner.js';

/** src/app.module.ts as `nest new` writes it. */
const NEW_APP_MODULE = `import { Module } from '@nestjs/common';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';

@Module({
  imports: [],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
`;

const WITH_CELERIAC = `import { Module } from '@nestjs/common';
import { AppController } from './app.controller.js';
import { AppService } from './app.service.js';
import { CeleriacModule } from 'celeriac';

@Module({
  imports: [
    CeleriacModule.forRoot({
      broker: process.env.BROKER_URL,
      queues: {
        default: { pool: 'async' },
      },
      statusController: true,
    }),
  ],
  controllers: [AppController],
  providers: [AppService],
})
export class AppModule {}
`;

describe('init schematic (nest add celeriac)', () => {
  let runner: SchematicTestRunner;
  const freshApp = () => projectTree({ files: { 'src/app.module.ts': NEW_APP_MODULE } });

  beforeAll(async () => {
    runner = await createSchematicRunner();
  });

  it('imports CeleriacModule.forRoot, creates the worker and its script, and prints the next steps', async () => {
    const { tree, logs } = await runWithLogs(runner, 'nest-add', { sourceRoot: 'src' }, freshApp());

    expect(tree.readContent('/src/app.module.ts')).toBe(WITH_CELERIAC);
    expect(tree.readContent('/src/worker.main.ts')).toContain('strategy: new CeleriacWorker(),');
    expect(JSON.parse(tree.readContent('/package.json'))).toMatchObject({
      scripts: { 'start:worker': 'node dist/worker.main.js' },
    });
    expect(logs[0]).toBe(
      'info: CeleriacModule.forRoot({ broker: process.env.BROKER_URL, … }) added to src/app.module.ts.',
    );
    expect(logs[logs.length - 1]).toMatch(/^info: Next steps:\n {2}nest g -c celeriac task reports/);
    expect(logs[logs.length - 1]).toContain('npm install ioredis');
  });

  it('appends to imports that already list modules, one per line', async () => {
    const module = NEW_APP_MODULE.replace('imports: [],', 'imports: [\n    ConfigModule.forRoot(),\n  ],');
    const tree = await runner.runSchematic(
      'init',
      {},
      projectTree({ files: { 'src/app.module.ts': module } }),
    );
    expect(tree.readContent('/src/app.module.ts')).toContain(
      "  imports: [\n    ConfigModule.forRoot(),\n    CeleriacModule.forRoot({\n      broker: process.env.BROKER_URL,\n      queues: {\n        default: { pool: 'async' },\n      },\n      statusController: true,\n    }),\n  ],",
    );
  });

  it('run twice, changes nothing the second time', async () => {
    const once = await runner.runSchematic('init', {}, freshApp());
    const { tree, logs } = await runWithLogs(runner, 'init', {}, once);
    expect(tree.readContent('/src/app.module.ts')).toBe(WITH_CELERIAC);
    expect(logs[0]).toBe('info: CeleriacModule is already imported in src/app.module.ts; left as it is.');
  });

  it('--skip-worker leaves the worker out', async () => {
    const tree = await runner.runSchematic('init', { skipWorker: true }, freshApp());
    expect(tree.exists('/src/worker.main.ts')).toBe(false);
  });

  it('says what to do without a root module', async () => {
    const tree = freshApp();
    tree.delete('/src/app.module.ts');
    await expect(runner.runSchematic('init', {}, tree)).rejects.toThrow(
      'No root module at src/app.module.ts: pass --module <file>.',
    );
  });
});
