import type { LoggerService } from '@nestjs/common';
import type { ScheduleStore } from '../backends/schedule-store.interface.js';
import type { TaskRegistry } from '../discovery/task.registry.js';
import { digestOf, type ScheduleDefinition } from './schedule-definition.js';

export interface SyncOptions {
  registry: TaskRegistry;
  /** The module declares `schedules` (even none): module-declared schedules it lacks are removed. */
  pruneModuleSchedules: boolean;
  now: number;
  logger: LoggerService;
}

/**
 * Makes the store agree with what this node's code declares. Unchanged declarations are left as they
 * are (their tick history too); new and changed ones are written. A stored schedule from code that
 * this node's code no longer declares is removed — when this node can tell: one declared on a
 * `@Task` this node registers, or in the module `schedules` when this node's module has that option.
 * Schedules from other applications sharing the namespace, and those added with `Scheduler.upsert`,
 * are left alone.
 */
export async function syncDeclaredSchedules(
  store: ScheduleStore,
  declared: ScheduleDefinition[],
  options: SyncOptions,
): Promise<void> {
  const stored = await store.all();
  const ids = new Set(declared.map((definition) => definition.id));
  for (const { definition } of stored) {
    if (ids.has(definition.id) && definition.origin === 'dynamic') {
      options.logger.warn(
        `schedule "${definition.id}" added at run time is replaced by the one declared in code`,
      );
    }
  }
  await Promise.all(declared.map((definition) => store.put(definition, digestOf(definition), options.now)));
  const stale = stored.filter(({ definition }) => {
    if (ids.has(definition.id)) return false;
    if (definition.origin === 'task') return options.registry.find(definition.task) !== undefined;
    return definition.origin === 'module' && options.pruneModuleSchedules;
  });
  for (const { definition } of stale) {
    await store.remove(definition.id);
    options.logger.log(`schedule "${definition.id}" is no longer declared in code: removed`);
  }
}
