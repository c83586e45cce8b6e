import { SchematicsException } from '@angular-devkit/schematics';
import ts from 'typescript';
import {
  addNamedImport,
  appendToList,
  applyInsertions,
  findNode,
  findProperty,
  parseTypeScript,
  replaceNode,
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
  return addToModuleList(path, content, 'providers', symbol, specifier);
}

/** The same for `controllers`. */
export function addController(path: string, content: string, symbol: string, specifier: string): string {
  return addToModuleList(path, content, 'controllers', symbol, specifier);
}

function addToModuleList(
  path: string,
  content: string,
  list: 'providers' | 'controllers',
  symbol: string,
  specifier: string,
): string {
  const source = parseTypeScript(path, content);
  const module = findModuleClass(source);
  if (!module) {
    throw new SchematicsException(`Cannot register ${symbol}: ${path} declares no @Module({ … }) class.`);
  }
  const entries = findProperty(module.metadata, list);
  const insertions: Insertion[] = [];
  if (!entries) {
    insertions.push(appendToList(module.metadata, `${list}: [${symbol}]`));
  } else if (ts.isPropertyAssignment(entries) && ts.isArrayLiteralExpression(entries.initializer)) {
    const elements = entries.initializer;
    const listed = elements.elements.some((element) => ts.isIdentifier(element) && element.text === symbol);
    if (!listed) insertions.push(appendToList(elements, symbol));
  } else {
    throw new SchematicsException(
      `Cannot register ${symbol}: the ${list} of ${module.className} (${path}) are not an array literal. ` +
        'Add it there yourself and run again with --skip-import.',
    );
  }
  insertions.push(...addNamedImport(source, symbol, specifier));
  return applyInsertions(content, insertions);
}

/**
 * Adds a module expression (`CeleriacModule.forRoot({ … })`, given as lines without indentation)
 * to the module's `imports`, one entry per line, and imports `symbol` from `specifier`.
 */
export function addModuleImport(
  path: string,
  content: string,
  lines: string[],
  symbol: string,
  specifier: string,
): string {
  const source = parseTypeScript(path, content);
  const module = findModuleClass(source);
  if (!module) throw new SchematicsException(`${path} declares no class decorated with @Module({ … }).`);
  const imports = findProperty(module.metadata, 'imports');
  const insertions: Insertion[] = [...addNamedImport(source, symbol, specifier)];
  if (!imports) {
    const indent = indentationOf(source, module.metadata.properties[0] ?? module.metadata);
    insertions.push(appendToList(module.metadata, `imports: [\n${block(lines, `${indent}  `)}\n${indent}]`));
  } else if (ts.isPropertyAssignment(imports) && ts.isArrayLiteralExpression(imports.initializer)) {
    const array = imports.initializer;
    const [first] = array.elements;
    if (first) {
      // Continuation lines line up with the entries; appendToList supplies the separator.
      insertions.push(appendToList(array, lines.join(`\n${indentationOf(source, first)}`)));
    } else {
      const indent = indentationOf(source, imports);
      insertions.push(replaceNode(array, `[\n${block(lines, `${indent}  `)}\n${indent}]`));
    }
  } else {
    throw new SchematicsException(
      `Cannot add ${symbol} to the imports of ${module.className} (${path}): they are not an array literal. ` +
        `Add ${lines.join(' ')} there yourself.`,
    );
  }
  return applyInsertions(content, insertions);
}

/** The lines indented by `indent`, the last one followed by a comma. */
function block(lines: string[], indent: string): string {
  return lines.map((line, i) => `${indent}${line}${i === lines.length - 1 ? ',' : ''}`).join('\n');
}

function indentationOf(source: ts.SourceFile, node: ts.Node): string {
  const start = node.getStart(source);
  const { line } = source.getLineAndCharacterOfPosition(start);
  const lineStart = source.getPositionOfLineAndCharacter(line, 0);
  return /^[ \t]*/.exec(source.text.slice(lineStart, start))?.[0] ?? '';
}
