import { SchematicsException } from '@angular-devkit/schematics';
import ts from 'typescript';
import {
  appendToList,
  applyInsertions,
  findNode,
  findProperty,
  parseTypeScript,
  propertyName,
  replaceNode,
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
  /** `unchanged` when the queue was already in the table as asked (the content is then the same). */
  outcome: 'added' | 'changed' | 'unchanged';
  /** For `changed`: what changed, e.g. `pool 'solo' → 'threads'`. */
  change?: string;
}

/** Which settings of an existing queue the caller asked for explicitly (and so may change). */
export interface QueueChanges {
  pool?: boolean;
  concurrency?: boolean;
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
 * Adds `entry` to the `CeleriacModule.forRoot({ queues })` call in `content`. A queue of that name
 * already there keeps its settings, except those named in `changes`, which are set to the entry's.
 */
export function addQueue(
  path: string,
  content: string,
  entry: QueueEntry,
  changes: QueueChanges = {},
): QueueTableEdit {
  const table = readTable(parseTypeScript(path, content));
  let insertion: Insertion;
  switch (table.kind) {
    case 'unreadable':
      throw new SchematicsException(
        `Cannot add queue "${entry.name}" to ${path}: ${table.why}. ` +
          `Add \`${queueEntryText(entry)}\` to its queues yourself.`,
      );
    case 'literal': {
      const existing = findProperty(table.table, entry.name);
      if (existing) return changeQueue(path, content, existing, entry, changes);
      insertion = appendToList(table.table, queueEntryText(entry));
      break;
    }
    case 'implicit': {
      if (IMPLICIT_TABLE.some((implicit) => sameEntry(implicit, entry))) {
        return { content, outcome: 'unchanged' };
      }
      const queues = `queues: { ${tableWith(entry).map(queueEntryText).join(', ')} }`;
      insertion = table.options
        ? appendToList(table.options, queues)
        : { at: table.call.arguments.pos, text: `{ ${queues} }` };
    }
  }
  return { content: applyInsertions(content, [insertion]), outcome: 'added' };
}

/** Sets the settings named in `changes` on an existing entry, in place; the rest stays as written. */
function changeQueue(
  path: string,
  content: string,
  existing: ts.ObjectLiteralElementLike,
  entry: QueueEntry,
  changes: QueueChanges,
): QueueTableEdit {
  const wanted: [keyof QueueChanges, string | undefined][] = [
    ['pool', changes.pool ? `'${entry.pool}'` : undefined],
    [
      'concurrency',
      changes.concurrency && entry.concurrency !== undefined ? `${entry.concurrency}` : undefined,
    ],
  ];
  const asked = wanted.filter((pair): pair is [keyof QueueChanges, string] => pair[1] !== undefined);
  if (asked.length === 0) return { content, outcome: 'unchanged' };
  if (!ts.isPropertyAssignment(existing) || !ts.isObjectLiteralExpression(existing.initializer)) {
    throw new SchematicsException(
      `Cannot change queue "${entry.name}" in ${path}: its settings are not an object literal. ` +
        `Set it to \`${queueEntryText(entry)}\` yourself.`,
    );
  }
  const settings = existing.initializer;
  const insertions: Insertion[] = [];
  const change: string[] = [];
  for (const [key, value] of asked) {
    const property = findProperty(settings, key);
    if (property && ts.isPropertyAssignment(property)) {
      const old = property.initializer.getText();
      if (old.replace(/"/g, "'") === value) continue;
      change.push(`${key} ${old} → ${value}`);
      insertions.push(replaceNode(property.initializer, value));
    } else {
      change.push(`${key} (default) → ${value}`);
      insertions.push(appendToList(settings, `${key}: ${value}`));
    }
  }
  if (insertions.length === 0) return { content, outcome: 'unchanged' };
  return { content: applyInsertions(content, insertions), outcome: 'changed', change: change.join(', ') };
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
