import { normalize, relative, type Path } from '@angular-devkit/core';
import type { Rule, Tree } from '@angular-devkit/schematics';
import ts from 'typescript';
import { toPath } from './project.js';

/** tsc's output directory for the project (tsconfig.json may carry comments, as tsc allows). */
function outDirOf(tree: Tree): string {
  const text = tree.exists('tsconfig.json') ? tree.readText('tsconfig.json') : '{}';
  const { config } = ts.parseConfigFileTextToJson('tsconfig.json', text) as {
    config?: { compilerOptions?: { outDir?: unknown } };
  };
  const outDir = config?.compilerOptions?.outDir;
  return typeof outDir === 'string' ? normalize(outDir).replace(/^\.\//, '') : 'dist';
}

/** `src/worker.main.ts` → `dist/worker.main.js`: sources under the source root compile to outDir. */
export function compiledPath(tree: Tree, file: Path, sourceRoot: string): string {
  const inside = relative(toPath(sourceRoot), file).replace(/\.ts$/, '.js');
  return `${outDirOf(tree)}/${inside}`;
}

/**
 * Adds an npm script unless one of that name exists; a different existing script is kept (it may
 * be the user's own) and reported instead.
 */
export function addPackageScript(name: string, command: string): Rule {
  return (tree, context) => {
    const raw = tree.exists('package.json') ? tree.readText('package.json') : undefined;
    if (raw === undefined) {
      context.logger.warn(`No package.json: add the script "${name}": "${command}" yourself.`);
      return tree;
    }
    const pkg = JSON.parse(raw) as { scripts?: Record<string, string> };
    const existing = pkg.scripts?.[name];
    if (existing === command) return tree;
    if (existing !== undefined) {
      context.logger.warn(
        `package.json already has a "${name}" script ("${existing}"); kept. Run: ${command}`,
      );
      return tree;
    }
    pkg.scripts = { ...pkg.scripts, [name]: command };
    const indent = /^\{\r?\n([ \t]+)"/.exec(raw)?.[1] ?? '  ';
    tree.overwrite('package.json', `${JSON.stringify(pkg, null, indent)}\n`);
    return tree;
  };
}
