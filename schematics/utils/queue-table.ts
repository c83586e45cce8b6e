import { SchematicsException } from '@angular-devkit/schematics';
import ts from 'typescript';
import {
  appendToList,
  applyInsertions,
  findNode,
  findProperty,
  parseTypeScript,
  propertyName,
  type Insertion,
} from './source-edits.js';

/** Pools of the worker, as in `QueueOptions.pool`. */
export const POOLS = ['solo', 'async', 'threads', 'processes'] as const;
export type PoolName = (typeof POOLS)[number];

/** One entry of the `CeleriacModule.forRoot({ queues })` table. */
export interface QueueEntry {
  name: string;
  pool: PoolName;
  concurrency?: number;
}

export interface QueueTableEdit {
  content: string;
  /** False when the queue was already in the table (the content is then unchanged). */
  added: boolean;
}

/** The queue table Celeriac assumes when `queues` is absent. */
const IMPLICIT_TABLE: QueueEntry[] = [{ name: 'default', pool: 'async' }];

export const FOR_ROOT_PATTERN = /CeleriacModule\s*\.\s*forRoot(Async)?\s*\(/;

/** What the forRoot call of one file says about its queue table. */
type TableSource =
  | { kind: 'unreadable'; why: string }
  | { kind: 'implicit'; call: ts.CallExpression; options?: ts.ObjectLiteralExpression }
  | { kind: 'literal'; table: ts.ObjectLiteralExpression };

export function assertPool(pool: string): PoolName {
  if (!(POOLS as readonly string[]).includes(pool)) {
    throw new SchematicsException(`Invalid pool "${pool}": use one of ${POOLS.join(', ')}.`);
  }
  return pool as PoolName;
}

export function queueEntryText({ name, pool, concurrency }: QueueEntry): string {
  const key = /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`;
  return `${key}: { pool: '${pool}'${concurrency === undefined ? '' : `, concurrency: ${concurrency}`} }`;
}

function readTable(source: ts.SourceFile): TableSource {
  const call = findNode(
    source,
    (node): node is ts.CallExpression =>
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      ts.isIdentifier(node.expression.expression) &&
      node.expression.expression.text === 'CeleriacModule' &&
      ['forRoot', 'forRootAsync'].includes(node.expression.name.text),
  );
  if (!call) return { kind: 'unreadable', why: 'it has no CeleriacModule.forRoot({ … }) call' };
  if ((call.expression as ts.PropertyAccessExpression).name.text === 'forRootAsync') {
    return { kind: 'unreadable', why: 'forRootAsync builds its options at run time' };
  }
  const [options] = call.arguments;
  if (!options) return { kind: 'implicit', call };
  if (!ts.isObjectLiteralExpression(options)) {
    return { kind: 'unreadable', why: 'the options of forRoot are not an object literal' };
  }
  const queues = findProperty(options, 'queues');
  if (!queues) return { kind: 'implicit', call, options };
  if (!ts.isPropertyAssignment(queues) || !ts.isObjectLiteralExpression(queues.initializer)) {
    return { kind: 'unreadable', why: 'its queues are not an object literal' };
  }
  return { kind: 'literal', table: queues.initializer };
}

/**
 * Adds `entry` to the `CeleriacModule.forRoot({ queues })` call in `content`, unless a queue of that
 * name is already there (its pool is then left as the user set it).
 */
export function addQueue(path: string, content: string, entry: QueueEntry): QueueTableEdit {
  const table = readTable(parseTypeScript(path, content));
  let insertion: Insertion;
  switch (table.kind) {
    case 'unreadable':
      throw new SchematicsException(
        `Cannot add queue "${entry.name}" to ${path}: ${table.why}. ` +
          `Add \`${queueEntryText(entry)}\` to its queues yourself.`,
      );
    case 'literal':
      if (findProperty(table.table, entry.name)) return { content, added: false };
      insertion = appendToList(table.table, queueEntryText(entry));
      break;
    case 'implicit': {
      if (IMPLICIT_TABLE.some((implicit) => sameEntry(implicit, entry))) return { content, added: false };
      const queues = `queues: { ${tableWith(entry).map(queueEntryText).join(', ')} }`;
      insertion = table.options
        ? appendToList(table.options, queues)
        : { at: table.call.arguments.pos, text: `{ ${queues} }` };
    }
  }
  return { content: applyInsertions(content, [insertion]), added: true };
}

/**
 * The queue names the table in `content` declares (the implicit `default` when it has none), or
 * undefined when they are not written out there.
 */
export function listQueues(path: string, content: string): string[] | undefined {
  const table = readTable(parseTypeScript(path, content));
  switch (table.kind) {
    case 'unreadable':
      return undefined;
    case 'implicit':
      return IMPLICIT_TABLE.map((implicit) => implicit.name);
    case 'literal':
      return table.table.properties.map(propertyName).filter((name) => name !== undefined);
  }
}

function sameEntry(a: QueueEntry, b: QueueEntry): boolean {
  return a.name === b.name && a.pool === b.pool && a.concurrency === b.concurrency;
}

/** Writing a table replaces the implicit one, so tasks already on the `default` queue keep it. */
function tableWith(entry: QueueEntry): QueueEntry[] {
  return [...IMPLICIT_TABLE.filter((implicit) => implicit.name !== entry.name), entry];
}
