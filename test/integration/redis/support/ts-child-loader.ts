import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Module hooks that let a plain `node` child process run the TypeScript sources, so fault tests can
 * kill a real worker process without a build step: imports written `./x.js` resolve to `./x.ts` when
 * only the TypeScript file exists, and `.ts` files are transpiled one by one. Shipped as a data: URL
 * so no JavaScript file sits beside the typed sources.
 */
function hooksSource(typescriptUrl: string, cacheDir: string): string {
  return `
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The cache folder is named after the TypeScript version, so an upgrade starts afresh.
const cacheDir = ${JSON.stringify(cacheDir)};
let ts;

export async function resolve(specifier, context, nextResolve) {
  if (specifier.endsWith('.js') && context.parentURL?.endsWith('.ts')) {
    const js = new URL(specifier, context.parentURL);
    const source = new URL(specifier.replace(/\\.js$/, '.ts'), context.parentURL);
    if (js.protocol === 'file:' && !existsSync(fileURLToPath(js)) && existsSync(fileURLToPath(source))) {
      return { url: source.href, shortCircuit: true };
    }
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const source = readFileSync(fileName, 'utf8');
  const cached = join(cacheDir, createHash('sha1').update(cacheDir + '\\0' + fileName + '\\0' + source).digest('hex') + '.js');
  if (existsSync(cached)) return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };
  ts ??= (await import(${JSON.stringify(typescriptUrl)})).default;
  const { outputText } = ts.transpileModule(source, {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
  });
  mkdirSync(cacheDir, { recursive: true });
  const partial = cached + '.' + process.pid;
  writeFileSync(partial, outputText);
  renameSync(partial, cached);
  return { format: 'module', source: outputText, shortCircuit: true };
}
`;
}

/**
 * Transpiled files are kept here by a hash of their path and text, so the second child to load a
 * file (and every later run) skips TypeScript altogether.
 */
const CACHE_DIR = join(
  tmpdir(),
  `celeriac-ts-child-cache-${(createRequire(import.meta.url)('typescript/package.json') as { version: string }).version}`,
);

const dataUrl = (source: string): string => `data:text/javascript,${encodeURIComponent(source)}`;

/** Node arguments that register the hooks before the entry point runs. */
export function typeScriptChildArgs(): string[] {
  const typescriptUrl = pathToFileURL(createRequire(import.meta.url).resolve('typescript')).href;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(dataUrl(hooksSource(typescriptUrl, CACHE_DIR)))});`;
  return ['--import', dataUrl(register)];
}
