import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { installCeleriac } from '../support/installed-package.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const schematicsCli = join(repo, 'node_modules', '@angular-devkit', 'schematics-cli', 'bin', 'schematics.js');

/**
 * The arguments `nest g -c celeriac <schematic> [name]` gives the schematics CLI (Nest CLI 12, after the
 * shell has removed its quotes): its own flags, kebab-cased, booleans as `--flag` or `--flag=false`.
 */
function nestGenerate(schematic: string, name?: string): string[] {
  return [
    `celeriac:${schematic}`,
    ...(name === undefined ? [] : [`--name=${name}`]),
    '--collection=celeriac',
    '--language=ts',
    '--source-root=src',
    '--spec',
    '--flat=false',
    '--spec-file-suffix=spec',
    '--format=false',
  ];
}

const APP_MODULE = `import { Module } from '@nestjs/common';
import { CeleriacModule } from 'celeriac';

@Module({
  imports: [
    CeleriacModule.forRoot({
      broker: process.env.BROKER_URL,
      queues: {
        default: { pool: 'async' },
      },
    }),
  ],
})
export class AppModule {}
`;

/**
 * Starts the generated worker entry, then sends each generated task once from a second, send-only
 * context of the same module; the embedded broker is shared by everything in the process.
 */
const RUN_ONCE = `import { NestFactory } from '@nestjs/core';
import { TaskClient } from 'celeriac';
import { CeleriacTesting, createCeleriacTestingModule } from 'celeriac/testing';
import { AppModule } from './dist/app.module.js';
import { ReportsTasks } from './dist/reports/reports.tasks.js';
import { ThumbnailsTasks } from './dist/thumbnails/thumbnails.tasks.js';
import './dist/worker.main.js';

const sender = await NestFactory.createApplicationContext(AppModule, { logger: false });
const client = sender.get(TaskClient);
const reports = await client.send(ReportsTasks, 'run', ['once']);
const thumbnails = await client.send(ThumbnailsTasks, 'run', ['once']);
const results = [await reports.wait({ timeout: 10000 }), await thumbnails.wait({ timeout: 10000 })];
await sender.close();

// The package's testing subpath, as a user's spec imports it: an eager send returns a settled handle.
const testing = await createCeleriacTestingModule({ imports: [AppModule] }, { eager: true }).compile();
await testing.init();
const eager = await testing.get(TaskClient).send(ReportsTasks, 'run', ['eager']);
testing.get(CeleriacTesting).expectTaskSent(ReportsTasks, 'run', ['eager']);
results.push(await eager.state(), await eager.wait());
await testing.close();
console.log(JSON.stringify({ results }));
process.exit(0);
`;

describe('schematics in a scratch Nest app', () => {
  let root: string;
  let app: string;

  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(app, path)), { recursive: true });
    writeFileSync(join(app, path), content);
  };
  const read = (path: string) => readFileSync(join(app, path), 'utf8');
  const schematics = (args: string[]) => run(process.execPath, [schematicsCli, ...args], { cwd: app });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'celeriac-schematics-'));
    app = join(root, 'app');
    const modules = join(app, 'node_modules');
    mkdirSync(join(modules, '@types'), { recursive: true });
    for (const name of ['@nestjs', '@angular-devkit', 'reflect-metadata', 'rxjs', 'typescript']) {
      symlinkSync(join(repo, 'node_modules', name), join(modules, name));
    }
    for (const name of ['node', 'jest']) {
      symlinkSync(join(repo, 'node_modules', '@types', name), join(modules, '@types', name));
    }
    await installCeleriac(app);

    write('package.json', `${JSON.stringify({ name: 'scratch', private: true, type: 'module' }, null, 2)}\n`);
    write('tsconfig.json', JSON.stringify({ compilerOptions: COMPILER_OPTIONS, include: ['src'] }, null, 2));
    write('src/app.module.ts', APP_MODULE);
  }, 180_000);

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('generates tasks, a queue and a worker that compile, boot on the embedded broker and run', async () => {
    await schematics(nestGenerate('task', 'reports'));
    await schematics(nestGenerate('queue', 'io'));
    await schematics([
      'celeriac:task',
      'thumbnails',
      '--queue=cpu',
      '--pool=solo',
      '--module=src/app.module.ts',
    ]);
    await schematics(nestGenerate('worker', 'default,cpu,io'));

    expect(read('src/app.module.ts')).toBe(
      APP_MODULE.replace(
        "import { CeleriacModule } from 'celeriac';",
        "import { CeleriacModule } from 'celeriac';\n" +
          "import { ReportsTasks } from './reports/reports.tasks.js';\n" +
          "import { ReportsController } from './reports/reports.controller.js';\n" +
          "import { ThumbnailsTasks } from './thumbnails/thumbnails.tasks.js';\n" +
          "import { ThumbnailsController } from './thumbnails/thumbnails.controller.js';",
      )
        .replace(
          "        default: { pool: 'async' },\n",
          "        default: { pool: 'async' },\n        io: { pool: 'async' },\n        cpu: { pool: 'solo' },\n",
        )
        .replace(
          '  ],\n})',
          '  ],\n  providers: [ReportsTasks, ThumbnailsTasks],\n  controllers: [ReportsController, ThumbnailsController],\n})',
        ),
    );
    expect(read('src/worker.main.ts')).toContain("new CeleriacWorker({ queues: ['default', 'cpu', 'io'] })");
    expect(JSON.parse(read('package.json'))).toMatchObject({
      scripts: { 'start:worker': 'node dist/worker.main.js' },
    });
    for (const file of [
      'reports/reports.tasks.spec.ts',
      'reports/reports.controller.ts',
      'thumbnails/thumbnails.tasks.spec.ts',
      'thumbnails/thumbnails.controller.ts',
    ]) {
      expect(existsSync(join(app, 'src', file))).toBe(true);
    }

    await run(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { cwd: app });
    expect(existsSync(join(app, 'dist', 'worker.main.js'))).toBe(true);

    write('run-once.js', RUN_ONCE);
    const { stdout } = await run(process.execPath, ['run-once.js'], { cwd: app, timeout: 30_000 });
    expect(JSON.parse(stdout.trim().split('\n').pop() ?? '')).toEqual({
      results: ['reports: once', 'thumbnails: once', 'SUCCESS', 'reports: eager'],
    });
  }, 180_000);
});

/** A Nest 12 app's compiler options: ES modules, decorators with metadata, strict. */
const COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  strict: true,
  skipLibCheck: true,
  types: ['node', 'jest'],
  outDir: './dist',
  rootDir: './src',
};
