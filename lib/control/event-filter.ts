import type { CeleriacEvent, CeleriacEventType } from './celeriac-event.js';

/**
 * Which events a subscriber wants. Every field given must match; `types` takes exact names and
 * `'task-*'` / `'worker-*'`. A function is a filter too.
 */
export type EventFilter =
  | {
      types?: readonly (CeleriacEventType | 'task-*' | 'worker-*')[];
      /** Events of this task id only. */
      taskId?: string;
      /** Events of this task name only. */
      task?: string;
      queue?: string;
      /** Events from or about this worker id only. */
      worker?: string;
    }
  | ((event: CeleriacEvent) => boolean);

/** Compiles a filter into a predicate (undefined: everything). */
export function eventPredicate(filter: EventFilter | undefined): (event: CeleriacEvent) => boolean {
  if (filter === undefined) return () => true;
  if (typeof filter === 'function') return filter;
  const { types, taskId, task, queue, worker } = filter;
  const exact = new Set(types?.filter((type) => !type.endsWith('*')));
  const prefixes = (types ?? []).filter((type) => type.endsWith('*')).map((type) => type.slice(0, -1));
  return (event) => {
    if (types && !exact.has(event.type) && !prefixes.some((prefix) => event.type.startsWith(prefix))) {
      return false;
    }
    if (worker !== undefined && event.worker !== worker) return false;
    if (taskId === undefined && task === undefined && queue === undefined) return true;
    if (!('queue' in event) || event.type.startsWith('worker-')) return false;
    return (
      (taskId === undefined || event.id === taskId) &&
      (task === undefined || event.task === task) &&
      (queue === undefined || event.queue === queue)
    );
  };
}
