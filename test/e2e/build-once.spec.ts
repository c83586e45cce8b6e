import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RedisServer } from '../integration/redis/support/redis-server.js';
import { SpawnedProcess } from '../support/spawned-process.js';

/**
 * `npm start` and `npm run start:worker` in two terminals: `npm run build` compiles once, and a
 * start whose sources have not changed finds the build up to date and runs it as it is. Both run on a
 * Redis of their own that asks for a password, given in BROKER_URL, which no line they print may show.
 */
jest.setTimeout(300_000);

const root = fileURLToPath(new URL('../../', import.meta.url));
const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
const PASSWORD = `pw-${randomUUID()}`;

/** Every file of dist/ with its modification time. */
async function distFiles(): Promise<Map<string, number>> {
  const dist = join(root, 'dist');
  const entries = await readdir(dist, { recursive: true, withFileTypes: true });
  const files = new Map<string, number>();
  for (const entry of entries.filter((file) => file.isFile())) {
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dist.length + 1), (await stat(path)).mtimeMs);
  }
  return files;
}

function npm(args: string[], env: Record<string, string | undefined> = {}): SpawnedProcess {
  return SpawnedProcess.start([npmCli, ...args], { cwd: root, env });
}

/** `npm run build && node <entry>`: the entry a start script runs once its build step is done. */
function entryOf(script: string): string {
  const scripts = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  const match = /^npm run build && node (\S+)$/.exec(scripts[script]);
  if (!match) throw new Error(`"${script}" is not "npm run build && node <entry>": ${scripts[script]}`);
  return match[1];
}

/** The build step of a start: runs to its end, and must not fail. */
async function build(): Promise<SpawnedProcess> {
  const run = npm(['run', 'build']);
  const code = await run.exit();
  if (code !== 0) throw new Error(`npm run build exited with ${code}:\n${run.output()}`);
  return run;
}

describe('npm start and npm run start:worker share one build', () => {
  const prefix = `build-once-${randomUUID()}`;
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await RedisServer.start(['--requirepass', PASSWORD]);
  });

  afterAll(() => redis?.stop());

  it('after npm run build, the build step of each start rewrites no file of dist/, and both entries run without printing the password', async () => {
    await build();
    const before = await distFiles();
    expect(before.has('tsconfig.build.tsbuildinfo')).toBe(true);

    // The two starts, as two terminals run them: the build step, then the entry (signalled
    // directly when the test is done with it: npm would not pass a signal on through its shell).
    const BROKER_URL = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
    const starts: [string, Record<string, string | undefined>, RegExp][] = [
      [
        'start',
        { PORT: '0', CELERIAC_PREFIX: prefix, BROKER_URL },
        /listening on http:\/\/.*\(broker: (.*)\)/,
      ],
      ['start:worker', { BROKER_URL, CELERIAC_PREFIX: prefix }, /consuming .* on redis/],
    ];
    const steps: SpawnedProcess[] = [];
    const apps: SpawnedProcess[] = [];
    for (const [script, env, ready] of starts) {
      steps.push(await build());
      const app = SpawnedProcess.start([entryOf(script)], { cwd: root, env });
      apps.push(app);
      try {
        await app.waitFor(ready, 120_000);
      } finally {
        await app.stop();
      }
    }
    // The API names its broker, with the password hidden; nothing either process printed shows it.
    expect(await apps[0].waitFor(/\(broker: (.*)\)/)).toContain(`redis://:***@127.0.0.1:${redis.port}`);
    for (const app of apps) expect(app.output()).not.toContain(PASSWORD);

    const after = await distFiles();
    const changed = [...after].filter(([file, mtime]) => before.get(file) !== mtime).map(([file]) => file);
    expect(changed).toEqual([]);
    expect(after.size).toBe(before.size);
    // The schematics' assets were already in place: the copy step copied none again.
    for (const step of steps) expect(step.lines).toContain('schematics: 0 assets copied to dist/schematics');
  });
});
