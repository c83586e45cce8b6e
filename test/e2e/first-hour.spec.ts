import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { deleteKeys } from '../../bench/support/redis-keys.js';
import { installCeleriac } from '../support/installed-package.js';
import { SpawnedProcess } from '../support/spawned-process.js';

jest.setTimeout(240_000);

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const nestCli = join(repo, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js');
const schematicsCli = join(repo, 'node_modules', '@angular-devkit', 'schematics-cli', 'bin', 'schematics.js');
// A database of its own on the shared Redis, so the app can keep Celeriac's default prefix.
const BROKER_URL = `redis://127.0.0.1:6379/${randomInt(1, 16)}`;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * What a new user does, with the real Nest CLI: `nest new`, `nest add celeriac`, the README's
 * schematics commands in order, build, then a worker and the API on Redis — and no hand edits.
 */
describe('the first hour: nest new → nest add celeriac → generate → build → run on Redis', () => {
  let root: string;
  let app: string;
  const nest = (args: string[]) => run(process.execPath, [nestCli, ...args], { cwd: app });
  const read = (path: string) => readFileSync(join(app, path), 'utf8');
  const link = (name: string) =>
    symlinkSync(join(repo, 'node_modules', name), join(app, 'node_modules', name));
  const started: SpawnedProcess[] = [];

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'celeriac-first-hour-'));
    app = join(root, 'reports-app');
    await run(
      process.execPath,
      [nestCli, 'new', 'reports-app', '--skip-install', '--skip-git', '--package-manager', 'npm'],
      {
        cwd: root,
      },
    );
    // `npm install` of the new app, offline: its dependencies from this repository's node_modules.
    mkdirSync(join(app, 'node_modules', '@types'), { recursive: true });
    for (const name of [
      '@nestjs',
      '@angular-devkit',
      'reflect-metadata',
      'rxjs',
      'typescript',
      '@types/node',
    ])
      link(name);
    // vitest (the app's own test runner) is not installed here; `nest build` only needs its types entry.
    mkdirSync(join(app, 'node_modules', 'vitest'));
    writeFileSync(
      join(app, 'node_modules', 'vitest', 'package.json'),
      '{ "name": "vitest", "version": "0.0.0" }\n',
    );
    writeFileSync(join(app, 'node_modules', 'vitest', 'globals.d.ts'), 'export {};\n');
    // `npm install celeriac`.
    await installCeleriac(app);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(started.map((process) => process.stop()));
    const redis = new Redis(BROKER_URL);
    await deleteKeys(redis, 'celeriac');
    redis.disconnect();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('runs the README block in order and ends with tasks run on the default and the cpu (threads) queue', async () => {
    const added = await nest(['add', 'celeriac', '--skip-install']);
    expect(added.stdout).toContain('Next steps:');
    await nest(['g', '-c', 'celeriac', 'task', 'reports']);
    // nest g forwards no options of its own (`--pool threads` is refused), so the pool is the second argument.
    const queue = await nest(['g', '-c', 'celeriac', 'queue', 'cpu', 'threads']);
    expect(queue.stdout).toContain('Queue "cpu" (threads pool) added to src/app.module.ts.');
    // nor `--queue`: a task on another queue goes through the schematics CLI (which @nestjs/cli ships).
    await run(process.execPath, [schematicsCli, 'celeriac:task', 'thumbnails', '--queue=cpu'], { cwd: app });
    const worker = await nest(['g', '-c', 'celeriac', 'worker', 'default,cpu']);
    expect(worker.stdout).toContain('src/worker.main.ts updated: it now consumes queues default, cpu.');

    expect(read('src/app.module.ts')).toContain(
      "      queues: {\n        default: { pool: 'async' },\n        cpu: { pool: 'threads' },\n      },",
    );
    expect(read('src/app.module.ts')).toMatch(
      /controllers: \[AppController, ReportsController, ThumbnailsController\]/,
    );
    expect(read('src/thumbnails/thumbnails.tasks.ts')).toContain("@Task({ queue: 'cpu' })");
    expect(read('src/worker.main.ts')).toMatch(/new CeleriacWorker\(\{ queues: \['default', 'cpu'\] \}\)/);
    expect(JSON.parse(read('package.json'))).toMatchObject({
      scripts: { build: 'nest build', 'start:worker': 'node dist/worker.main.js' },
    });

    // `npm run build`.
    await nest(['build']);

    // The step before `npm install ioredis`: without it, the worker says that is what it needs.
    const env = { BROKER_URL, PORT: String(await freePort()) };
    const early = SpawnedProcess.start(['dist/worker.main.js'], { cwd: app, env });
    started.push(early);
    await early.waitFor(/needs the "ioredis" package, which is not installed: run `npm install ioredis`/);
    await early.exit();
    // `npm install ioredis`.
    link('ioredis');

    // `npm run start:worker`, then `node dist/main.js`.
    const workerProcess = SpawnedProcess.start(['dist/worker.main.js'], { cwd: app, env });
    started.push(workerProcess);
    await workerProcess.waitFor(/consuming default \(async×100\), cpu \(threads×\d+\) on redis/);
    const api = SpawnedProcess.start(['dist/main.js'], { cwd: app, env });
    started.push(api);
    await api.waitFor(/Nest application successfully started/);

    // The two curls: one task on the default (async) queue, one on cpu, whose only consumer is the threads pool.
    const url = `http://127.0.0.1:${env.PORT}`;
    for (const [name, queue] of [
      ['reports', 'default'],
      ['thumbnails', 'cpu'],
    ]) {
      const sent = await fetch(`${url}/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ input: 'first hour' }),
      });
      expect(sent.status).toBe(202);
      const location = sent.headers.get('location');
      expect(location).toMatch(/^\/tasks\/[0-9a-f-]{36}$/);
      // The events stream ends once the task is ready; then its status holds the result.
      await (await fetch(`${url}${location}/events`)).text();
      const status = (await (await fetch(`${url}${location}`)).json()) as Record<string, unknown>;
      expect(status).toMatchObject({ state: 'SUCCESS', queue, result: `${name}: first hour` });
    }
  });
});
