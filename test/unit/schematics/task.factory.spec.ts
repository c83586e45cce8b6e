import type { SchematicTestRunner } from '@angular-devkit/schematics/testing/index.js';
import type { TaskSchematicOptions } from '../../../schematics/task/task-options.interface.js';
import { APP_MODULE, projectTree, runWithLogs } from './support/project-tree.js';
import { createSchematicRunner } from './support/schematic-runner.js';

const REPORTS_TASKS = `import { Injectable } from '@nestjs/common';
import { Task } from 'celeriac';

@Injectable()
export class ReportsTasks {
  @Task({ queue: 'default' })
  run(input: string): string {
    return \`reports: \${input}\`;
  }
}
`;

const REPORTS_SPEC = `import { Test, TestingModule } from '@nestjs/testing';
import { ReportsTasks } from './reports.tasks.js';

describe('ReportsTasks', () => {
  let tasks: ReportsTasks;

  beforeEach(async () => {
    const module: TestingModule = await Test.createTestingModule({
      providers: [ReportsTasks],
    }).compile();

    tasks = module.get(ReportsTasks);
  });

  it('runs', () => {
    expect(tasks.run('input')).toBe('reports: input');
  });
});
`;

const REPORTS_CONTROLLER = `import { Body, Controller, Post } from '@nestjs/common';
import { Accepted, TaskClient } from 'celeriac';
import { ReportsTasks } from './reports.tasks.js';

/** POST /reports { "input": "…" } → 202 Accepted, Location: /tasks/<id> (GET it for the state and result). */
@Controller('reports')
export class ReportsController {
  constructor(private readonly tasks: TaskClient) {}

  @Post()
  @Accepted()
  run(@Body('input') input: string) {
    return this.tasks.send(ReportsTasks, 'run', [input]);
  }
}
`;

/** APP_MODULE with `ReportsTasks` imported from `specifier` and added to its providers. */
function appModuleWith(specifier: string): string {
  return APP_MODULE.replace(
    "import { AppController } from './app.controller.js';",
    `import { AppController } from './app.controller.js';\nimport { ReportsTasks } from '${specifier}';`,
  ).replace(
    '  controllers: [AppController],\n',
    '  controllers: [AppController],\n  providers: [ReportsTasks],\n',
  );
}

describe('task schematic', () => {
  let runner: SchematicTestRunner;
  // The controller has a test of its own; the others leave it out to keep their expectations short.
  const run = (options: TaskSchematicOptions, tree = projectTree()) =>
    runner.runSchematic('task', { controller: false, ...options }, tree);

  beforeAll(async () => {
    runner = await createSchematicRunner();
  });

  it('creates the provider and its spec in their own directory and registers it in the app module', async () => {
    const tree = await run({ name: 'reports' });

    expect(tree.files.sort()).toEqual([
      '/package.json',
      '/src/app.module.ts',
      '/src/reports/reports.tasks.spec.ts',
      '/src/reports/reports.tasks.ts',
      '/tsconfig.json',
    ]);
    expect(tree.readContent('/src/reports/reports.tasks.ts')).toBe(REPORTS_TASKS);
    expect(tree.readContent('/src/reports/reports.tasks.spec.ts')).toBe(REPORTS_SPEC);
    expect(tree.readContent('/src/app.module.ts')).toBe(appModuleWith('./reports/reports.tasks.js'));
  });

  it('generates a controller whose POST sends the task, registered beside it', async () => {
    const tree = await runner.runSchematic('task', { name: 'reports' }, projectTree());

    expect(tree.files.filter((file) => file.includes('reports')).sort()).toEqual([
      '/src/reports/reports.controller.ts',
      '/src/reports/reports.tasks.spec.ts',
      '/src/reports/reports.tasks.ts',
    ]);
    expect(tree.readContent('/src/reports/reports.controller.ts')).toBe(REPORTS_CONTROLLER);
    expect(tree.readContent('/src/app.module.ts')).toBe(
      appModuleWith('./reports/reports.tasks.js')
        .replace(
          "import { ReportsTasks } from './reports/reports.tasks.js';",
          "import { ReportsTasks } from './reports/reports.tasks.js';\nimport { ReportsController } from './reports/reports.controller.js';",
        )
        .replace('controllers: [AppController]', 'controllers: [AppController, ReportsController]'),
    );
  });

  it('keeps a controller file that already exists, and says so', async () => {
    const mine = '// my own reports controller\n';
    const { tree, logs } = await runWithLogs(
      runner,
      'task',
      { name: 'reports' },
      projectTree({ files: { 'src/reports/reports.controller.ts': mine } }),
    );
    expect(tree.readContent('/src/reports/reports.controller.ts')).toBe(mine);
    expect(tree.readContent('/src/app.module.ts')).not.toContain('ReportsController');
    expect(logs).toContain(
      'warn: src/reports/reports.controller.ts already exists: no controller generated.',
    );
  });

  it('--flat puts the files in the path itself', async () => {
    const tree = await run({ name: 'reports', flat: true });

    expect(tree.files.filter((file) => file.includes('reports')).sort()).toEqual([
      '/src/reports.tasks.spec.ts',
      '/src/reports.tasks.ts',
    ]);
    expect(tree.readContent('/src/reports.tasks.ts')).toBe(REPORTS_TASKS);
    expect(tree.readContent('/src/app.module.ts')).toBe(appModuleWith('./reports.tasks.js'));
  });

  it('--no-spec leaves the spec out', async () => {
    const tree = await run({ name: 'reports', spec: false });

    expect(tree.files.filter((file) => file.includes('reports'))).toEqual(['/src/reports/reports.tasks.ts']);
  });

  it('--spec-file-suffix names the spec file', async () => {
    const tree = await run({ name: 'reports', specFileSuffix: 'test' });

    expect(tree.exists('/src/reports/reports.tasks.test.ts')).toBe(true);
    expect(tree.exists('/src/reports/reports.tasks.spec.ts')).toBe(false);
  });

  it('--path and a name with a directory place the files under the source root', async () => {
    const tree = await run({ name: 'billing/dailyReports', path: 'features' });

    expect(tree.files.filter((file) => file.includes('daily')).sort()).toEqual([
      '/src/features/billing/daily-reports/daily-reports.tasks.spec.ts',
      '/src/features/billing/daily-reports/daily-reports.tasks.ts',
    ]);
    const content = tree.readContent('/src/features/billing/daily-reports/daily-reports.tasks.ts');
    expect(content).toContain('export class DailyReportsTasks {');
    expect(content).toContain('return `daily-reports: ${input}`;');
    expect(tree.readContent('/src/app.module.ts')).toContain(
      "import { DailyReportsTasks } from './features/billing/daily-reports/daily-reports.tasks.js';",
    );
  });

  it('registers the provider in the nearest module, not the root one', async () => {
    const feature =
      "import { Module } from '@nestjs/common';\n\n@Module({})\nexport class BillingModule {}\n";
    const tree = await run(
      { name: 'billing/invoices' },
      projectTree({ files: { 'src/billing/billing.module.ts': feature } }),
    );

    expect(tree.readContent('/src/app.module.ts')).toBe(APP_MODULE);
    expect(tree.readContent('/src/billing/billing.module.ts')).toBe(
      "import { Module } from '@nestjs/common';\n" +
        "import { InvoicesTasks } from './invoices/invoices.tasks.js';\n\n" +
        '@Module({ providers: [InvoicesTasks] })\nexport class BillingModule {}\n',
    );
  });

  it('prefers the module named after its directory when a directory has several', async () => {
    const module = (name: string) =>
      `import { Module } from '@nestjs/common';\n\n@Module({})\nexport class ${name} {}\n`;
    const tree = await run(
      { name: 'billing/invoices', flat: true },
      projectTree({
        files: {
          'src/billing/audit.module.ts': module('AuditModule'),
          'src/billing/billing.module.ts': module('BillingModule'),
        },
      }),
    );

    expect(tree.readContent('/src/billing/audit.module.ts')).toBe(module('AuditModule'));
    expect(tree.readContent('/src/billing/billing.module.ts')).toContain(
      '@Module({ providers: [InvoicesTasks] })',
    );
  });

  it('--module registers the provider in the given module, named from the root or the source root', async () => {
    const jobs =
      "import { Module } from '@nestjs/common';\n\n@Module({ providers: [] })\nexport class JobsModule {}\n";
    for (const module of ['src/jobs/jobs.module.ts', 'jobs/jobs.module.ts', 'jobs/jobs']) {
      const tree = await run(
        { name: 'reports', module },
        projectTree({ files: { 'src/jobs/jobs.module.ts': jobs } }),
      );

      expect(tree.readContent('/src/app.module.ts')).toBe(APP_MODULE);
      expect(tree.readContent('/src/jobs/jobs.module.ts')).toBe(
        "import { Module } from '@nestjs/common';\n" +
          "import { ReportsTasks } from '../reports/reports.tasks.js';\n\n" +
          '@Module({ providers: [ReportsTasks] })\nexport class JobsModule {}\n',
      );
    }
  });

  it('appends to a providers list one per line, keeping its indentation and trailing comma', async () => {
    const module = APP_MODULE.replace(
      '  controllers: [AppController],\n',
      '  controllers: [AppController],\n  providers: [\n    AppService,\n    MailService,\n  ],\n',
    );
    const tree = await run(
      { name: 'reports', flat: true },
      projectTree({ files: { 'src/app.module.ts': module } }),
    );

    expect(tree.readContent('/src/app.module.ts')).toContain(
      '  providers: [\n    AppService,\n    MailService,\n    ReportsTasks,\n  ],\n',
    );
  });

  it('--skip-import leaves every module alone', async () => {
    const tree = await run({ name: 'reports', skipImport: true });

    expect(tree.readContent('/src/app.module.ts')).toBe(APP_MODULE);
    expect(tree.exists('/src/reports/reports.tasks.ts')).toBe(true);
  });

  it('imports without an extension in a CommonJS project', async () => {
    const tree = await run({ name: 'reports' }, projectTree({ esm: false }));

    expect(tree.readContent('/src/app.module.ts')).toContain(
      "import { ReportsTasks } from './reports/reports.tasks';",
    );
    expect(tree.readContent('/src/reports/reports.tasks.spec.ts')).toContain(
      "import { ReportsTasks } from './reports.tasks';",
    );
  });

  it('--queue sets the task queue and adds it, with --pool, to the queue table', async () => {
    const { tree, logs } = await runWithLogs(
      runner,
      'task',
      { name: 'reports', queue: 'cpu', pool: 'threads' },
      projectTree(),
    );

    expect(tree.readContent('/src/reports/reports.tasks.ts')).toContain("@Task({ queue: 'cpu' })");
    expect(tree.readContent('/src/app.module.ts')).toContain(
      "      queues: {\n        default: { pool: 'async' },\n        cpu: { pool: 'threads' },\n      },\n",
    );
    expect(logs).toContain('info: Queue "cpu" (threads pool) added to src/app.module.ts.');
  });

  it('leaves a queue that is already in the table as it is', async () => {
    const module = APP_MODULE.replace(
      "default: { pool: 'async' },",
      "default: { pool: 'async' },\n        cpu: { pool: 'solo' },",
    );
    const tree = await run(
      { name: 'reports', queue: 'cpu', pool: 'threads', skipImport: true },
      projectTree({ files: { 'src/app.module.ts': module } }),
    );

    expect(tree.readContent('/src/app.module.ts')).toBe(module);
  });

  it('warns, and still generates, when no queue table can be found', async () => {
    const bare = "import { Module } from '@nestjs/common';\n\n@Module({})\nexport class AppModule {}\n";
    const { tree, logs } = await runWithLogs(
      runner,
      'task',
      { name: 'reports', queue: 'cpu' },
      projectTree({ files: { 'src/app.module.ts': bare } }),
    );

    expect(tree.exists('/src/reports/reports.tasks.ts')).toBe(true);
    expect(logs).toContain(
      'warn: No CeleriacModule.forRoot({ … }) found under "src": ' +
        "add `cpu: { pool: 'async' }` to its queues, or pass --module.",
    );
  });

  describe('errors', () => {
    it.each([['1reports'], ['re$ports'], ['reports!']])('rejects the name %p', async (name) => {
      await expect(run({ name })).rejects.toThrow(`Invalid task name "${name}"`);
    });

    it('rejects an empty name', async () => {
      await expect(run({ name: '  ' })).rejects.toThrow('A task name is required');
    });

    it('rejects a bad queue name', async () => {
      await expect(run({ name: 'reports', queue: 'my queue' })).rejects.toThrow(
        'Invalid queue name "my queue"',
      );
    });

    it('rejects an unknown pool', async () => {
      await expect(run({ name: 'reports', pool: 'fibers' })).rejects.toThrow(
        '"/pool" must be equal to one of the allowed values',
      );
    });

    it('names a --module that does not exist', async () => {
      await expect(run({ name: 'reports', module: 'src/missing.module.ts' })).rejects.toThrow(
        'Module "src/missing.module.ts" not found',
      );
    });

    it('says what to do when there is no module at all', async () => {
      const tree = projectTree();
      tree.delete('/src/app.module.ts');

      await expect(run({ name: 'reports' }, tree)).rejects.toThrow(
        'No module found in src/reports or its parent directories: pass --module <file>, ' +
          'or --skip-import to register the provider yourself.',
      );
    });

    it('refuses to overwrite a task that already exists', async () => {
      const tree = projectTree({ files: { 'src/reports/reports.tasks.ts': '// mine\n' } });

      await expect(run({ name: 'reports' }, tree)).rejects.toThrow(
        'src/reports/reports.tasks.ts already exists: choose another name or --path.',
      );
      expect(tree.readText('/src/reports/reports.tasks.ts')).toBe('// mine\n');
    });

    it('refuses providers it cannot edit', async () => {
      const module = APP_MODULE.replace('  controllers: [AppController],\n', '  providers: PROVIDERS,\n');

      await expect(
        run({ name: 'reports' }, projectTree({ files: { 'src/app.module.ts': module } })),
      ).rejects.toThrow(
        'Cannot register ReportsTasks: the providers of AppModule (src/app.module.ts) are not an array literal.',
      );
    });

    it('generates TypeScript only', async () => {
      await expect(run({ name: 'reports', language: 'js' })).rejects.toThrow('TypeScript only');
    });
  });
});
