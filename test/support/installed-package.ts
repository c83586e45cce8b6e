import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * `npm install celeriac` in a scratch app, offline: the package as published (its package.json, a fresh
 * build of lib/ and schematics/, the Lua scripts it ships) and its own runtime dependencies, linked from
 * this repository's node_modules — so a dependency added to package.json is there without editing a test.
 */
export async function installCeleriac(app: string): Promise<void> {
  const modules = join(app, 'node_modules');
  const celeriac = join(modules, 'celeriac');
  mkdirSync(celeriac, { recursive: true });
  copyFileSync(join(repo, 'package.json'), join(celeriac, 'package.json'));
  // The copy step reads ../../schematics; the brokers read their Lua scripts from lib/.
  symlinkSync(join(repo, 'schematics'), join(celeriac, 'schematics'));
  symlinkSync(join(repo, 'lib'), join(celeriac, 'lib'));
  await run(process.execPath, [
    tsc,
    '-p',
    join(repo, 'tsconfig.build.json'),
    '--outDir',
    join(celeriac, 'dist'),
    // Its own record of what it built: the repository's says what its own dist/ holds.
    '--tsBuildInfoFile',
    join(celeriac, 'dist', 'tsconfig.build.tsbuildinfo'),
  ]);
  await run(process.execPath, [join(celeriac, 'dist', 'schematics', 'copy-assets.js')]);
  const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  for (const name of Object.keys(manifest.dependencies ?? {})) linkModule(app, name);
}

/** Links one package (or a whole `@scope`) from this repository's node_modules into the app's, once. */
export function linkModule(app: string, name: string): void {
  const target = join(app, 'node_modules', name);
  if (existsSync(target)) return;
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(join(repo, 'node_modules', name), target);
}
