import { join, type Path } from '@angular-devkit/core';
import { SchematicsException, type DirEntry, type Tree } from '@angular-devkit/schematics';
import { toPath } from './project.js';

const MODULE_FILE = /\.module\.ts$/;

/**
 * `--module` may name the file from the project root or from the source root, with or without
 * `.module.ts`: `src/app.module.ts`, `app.module.ts` and `app` all find `src/app.module.ts`.
 */
export function resolveModuleOption(tree: Tree, option: string, sourceRoot: string): Path {
  const names = [option, `${option}.ts`, `${option}.module.ts`];
  const candidates = [...names.map(toPath), ...names.map((name) => join(toPath(sourceRoot), name))];
  const found = candidates.find((candidate) => MODULE_FILE.test(candidate) && tree.exists(candidate));
  if (!found) {
    throw new SchematicsException(
      `Module "${option}" not found: looked for ${[...new Set(candidates)].join(', ')}.`,
    );
  }
  return found;
}

/** The module closest to `from`: the directory itself, then each parent up to the root. */
export function findNearestModule(tree: Tree, from: Path): Path | undefined {
  for (let directory: DirEntry | null = tree.getDir(from); directory; directory = directory.parent) {
    const modules = directory.subfiles.filter((file) => MODULE_FILE.test(file)).sort();
    const own = `${directory.path.split('/').pop()}.module.ts`;
    const chosen = modules.find((file) => file === own) ?? modules[0];
    if (chosen) return join(directory.path, chosen);
  }
  return undefined;
}

/** The module files under `root` whose text matches `pattern`, shallowest first. */
export function findModulesContaining(tree: Tree, root: Path, pattern: RegExp): Path[] {
  const found: Path[] = [];
  const visit = (directory: DirEntry): void => {
    for (const file of directory.subfiles) {
      const path = join(directory.path, file);
      if (MODULE_FILE.test(file) && pattern.test(tree.readText(path))) found.push(path);
    }
    for (const sub of directory.subdirs) {
      if (sub !== 'node_modules' && !sub.startsWith('.')) visit(directory.dir(sub));
    }
  };
  visit(tree.getDir(root));
  return found.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
}
