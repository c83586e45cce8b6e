import { SchematicsException } from '@angular-devkit/schematics';
import ts from 'typescript';
import {
  addNamedImport,
  appendToList,
  applyInsertions,
  findNode,
  findProperty,
  parseTypeScript,
  type Insertion,
} from './source-edits.js';

/** A class decorated with `@Module({ … })` and that object literal. */
export interface ModuleClass {
  className: string;
  metadata: ts.ObjectLiteralExpression;
}

function moduleMetadataOf(node: ts.ClassDeclaration): ts.ObjectLiteralExpression | undefined {
  for (const decorator of ts.getDecorators(node) ?? []) {
    const call = decorator.expression;
    if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) continue;
    const [metadata] = call.arguments;
    if (call.expression.text === 'Module' && metadata && ts.isObjectLiteralExpression(metadata)) {
      return metadata;
    }
  }
  return undefined;
}

export function findModuleClass(source: ts.SourceFile): ModuleClass | undefined {
  const declaration = findNode(
    source,
    (node): node is ts.ClassDeclaration =>
      ts.isClassDeclaration(node) && moduleMetadataOf(node) !== undefined,
  );
  const metadata = declaration && moduleMetadataOf(declaration);
  if (!declaration?.name || !metadata) return undefined;
  return { className: declaration.name.text, metadata };
}

/** The module's class name, or a clear error when the file declares no module. */
export function readModuleClassName(path: string, content: string): string {
  const found = findModuleClass(parseTypeScript(path, content));
  if (!found) {
    throw new SchematicsException(`${path} declares no class decorated with @Module({ … }).`);
  }
  return found.className;
}

/**
 * Adds `symbol` to the module's `providers` (creating the array if needed) and imports it from
 * `specifier`. Already registered: the content comes back unchanged.
 */
export function addProvider(path: string, content: string, symbol: string, specifier: string): string {
  const source = parseTypeScript(path, content);
  const module = findModuleClass(source);
  if (!module) {
    throw new SchematicsException(`Cannot register ${symbol}: ${path} declares no @Module({ … }) class.`);
  }
  const providers = findProperty(module.metadata, 'providers');
  const insertions: Insertion[] = [];
  if (!providers) {
    insertions.push(appendToList(module.metadata, `providers: [${symbol}]`));
  } else if (ts.isPropertyAssignment(providers) && ts.isArrayLiteralExpression(providers.initializer)) {
    const list = providers.initializer;
    const listed = list.elements.some((element) => ts.isIdentifier(element) && element.text === symbol);
    if (!listed) insertions.push(appendToList(list, symbol));
  } else {
    throw new SchematicsException(
      `Cannot register ${symbol}: the providers of ${module.className} (${path}) are not an array literal. ` +
        'Add it there yourself and run again with --skip-import.',
    );
  }
  insertions.push(...addNamedImport(source, symbol, specifier));
  return applyInsertions(content, insertions);
}
