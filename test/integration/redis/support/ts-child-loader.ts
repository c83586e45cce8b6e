import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Module hooks that let a plain `node` child process run the TypeScript sources, so fault tests can
 * kill a real worker process without a build step: imports written `./x.js` resolve to `./x.ts` when
 * only the TypeScript file exists, and `.ts` files are transpiled one by one. Shipped as a data: URL
 * so no JavaScript file sits beside the typed sources.
 */
function hooksSource(typescriptUrl: string): string {
  return `
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from ${JSON.stringify(typescriptUrl)};

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
  const { outputText } = ts.transpileModule(readFileSync(fileName, 'utf8'), {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
`;
}

const dataUrl = (source: string): string => `data:text/javascript,${encodeURIComponent(source)}`;

/** Node arguments that register the hooks before the entry point runs. */
export function typeScriptChildArgs(): string[] {
  const typescriptUrl = pathToFileURL(createRequire(import.meta.url).resolve('typescript')).href;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(dataUrl(hooksSource(typescriptUrl)))});`;
  return ['--import', dataUrl(register)];
}
