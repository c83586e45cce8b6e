import { basename, dirname, normalize, relative, type Path } from '@angular-devkit/core';
import type { Tree } from '@angular-devkit/schematics';

const DEFAULT_SOURCE_ROOT = 'src';

function readJson(tree: Tree, path: string): Record<string, unknown> | undefined {
  const buffer = tree.read(path);
  if (!buffer) return undefined;
  try {
    const value: unknown = JSON.parse(buffer.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Nest CLI passes `--sourceRoot`; the schematics CLI does not, so fall back to nest-cli.json and
 * then to Nest's default. Outside a project (no package.json), paths are taken from the root.
 */
export function resolveSourceRoot(tree: Tree, option: string | undefined): string {
  if (option !== undefined) return option;
  const nestCli = readJson(tree, 'nest-cli.json');
  if (typeof nestCli?.sourceRoot === 'string') return nestCli.sourceRoot;
  return tree.exists('package.json') || tree.exists('tsconfig.json') ? DEFAULT_SOURCE_ROOT : '';
}

/** ES module projects need the `.js` extension on relative imports (NodeNext resolution). */
export function isEsmProject(tree: Tree): boolean {
  return readJson(tree, 'package.json')?.type === 'module';
}

export function readPackageJson(tree: Tree): Record<string, unknown> | undefined {
  return readJson(tree, 'package.json');
}

/** Import specifier of `target` (a .ts file) as written in `from` (another .ts file). */
export function importSpecifier(from: Path, target: Path, esm: boolean): string {
  const directory = relative(dirname(from), dirname(target));
  const prefix = directory === '' ? '.' : directory.startsWith('.') ? directory : `./${directory}`;
  const file = basename(target).replace(/\.ts$/, '');
  return `${prefix}/${file}${esm ? '.js' : ''}`;
}

export function toPath(path: string): Path {
  return normalize(`/${path}`);
}
