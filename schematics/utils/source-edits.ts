import ts from 'typescript';

/** Text to insert at one offset of the original content (replacing up to `end`, when given). */
export interface Insertion {
  at: number;
  text: string;
  end?: number;
}

type ListLiteral = ts.ArrayLiteralExpression | ts.ObjectLiteralExpression;

export function parseTypeScript(fileName: string, content: string): ts.SourceFile {
  return ts.createSourceFile(fileName, content, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
}

/** Offsets refer to the original content, so the last insertion goes in first. */
export function applyInsertions(content: string, insertions: Insertion[]): string {
  return [...insertions]
    .sort((a, b) => b.at - a.at)
    .reduce(
      (text, { at, text: inserted, end }) => text.slice(0, at) + inserted + text.slice(end ?? at),
      content,
    );
}

export function propertyName(element: ts.ObjectLiteralElementLike): string | undefined {
  const name = element.name;
  if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name))) {
    return name.text;
  }
  return undefined;
}

export function findProperty(
  object: ts.ObjectLiteralExpression,
  name: string,
): ts.ObjectLiteralElementLike | undefined {
  return object.properties.find((property) => propertyName(property) === name);
}

/**
 * Adds one entry to an array or object literal in the layout it already has: one entry per line
 * stays one per line at the same indentation, an inline list stays inline.
 */
export function appendToList(literal: ListLiteral, entry: string): Insertion {
  const source = literal.getSourceFile();
  const entries: readonly ts.Node[] = ts.isArrayLiteralExpression(literal)
    ? literal.elements
    : literal.properties;
  const last = entries[entries.length - 1];
  if (!last) {
    const padding = ts.isObjectLiteralExpression(literal) ? ' ' : '';
    return { at: literal.getEnd() - 1, text: `${padding}${entry}${padding}` };
  }
  const lastStart = last.getStart(source);
  const multiline = lineOf(source, lastStart) !== lineOf(source, literal.getStart(source));
  const separator = multiline ? `,\n${indentationAt(source, lastStart)}` : ', ';
  return { at: last.getEnd(), text: `${separator}${entry}` };
}

/** Replaces a node's text (its leading trivia stays). */
export function replaceNode(node: ts.Node, text: string): Insertion {
  return { at: node.getStart(node.getSourceFile()), end: node.getEnd(), text };
}

/** A new import goes after the existing ones, so the file's import block stays in one piece. */
export function addNamedImport(source: ts.SourceFile, symbol: string, specifier: string): Insertion[] {
  const imports = source.statements.filter(ts.isImportDeclaration);
  const alreadyImported = imports.some((declaration) => {
    const bindings = declaration.importClause?.namedBindings;
    return (
      bindings !== undefined &&
      ts.isNamedImports(bindings) &&
      bindings.elements.some((element) => element.name.text === symbol)
    );
  });
  if (alreadyImported) {
    return [];
  }
  const line = `import { ${symbol} } from '${specifier}';`;
  const last = imports[imports.length - 1];
  return last ? [{ at: last.getEnd(), text: `\n${line}` }] : [{ at: 0, text: `${line}\n` }];
}

/** Depth-first search for the first node the predicate accepts. */
export function findNode<T extends ts.Node>(
  root: ts.Node,
  accept: (node: ts.Node) => node is T,
): T | undefined {
  let found: T | undefined;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (accept(node)) {
      found = node;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}

function lineOf(source: ts.SourceFile, position: number): number {
  return source.getLineAndCharacterOfPosition(position).line;
}

function indentationAt(source: ts.SourceFile, position: number): string {
  const lineStart = source.getPositionOfLineAndCharacter(lineOf(source, position), 0);
  return /^[ \t]*/.exec(source.text.slice(lineStart, position))?.[0] ?? '';
}
