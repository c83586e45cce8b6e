import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import type { TaskDefinition } from '../discovery/task-definition.js';
import type { TaskRegistry } from '../discovery/task.registry.js';
import { InvalidScheduleError } from '../errors/invalid-schedule.error.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { checkArguments } from '../protocol/check-arguments.js';
import {
  defineSchedule,
  isPlainObject,
  SCHEDULE_NOT_OBJECT,
  type ScheduleDefinition,
} from './schedule-definition.js';
import type { ScheduleOptions } from './schedule-options.interface.js';

/** A schedule declared in code, with where it was declared (for error messages). */
interface Declared {
  definition: ScheduleDefinition;
  where: string;
}

/**
 * Every schedule the application declares, on `@Task({ schedule | schedules })` and in the module's
 * `schedules`, checked at bootstrap. A mistake is a {@link TaskDefinitionError} that names the task
 * (or the module entry) and says what is wrong: a bad cron expression, an unknown time zone, an
 * interval under the floor, arguments the method does not take, an unknown task or queue, an id
 * declared twice.
 */
export function declaredSchedules(
  registry: TaskRegistry,
  options: ResolvedCeleriacOptions,
): ScheduleDefinition[] {
  const declared: Declared[] = [];
  for (const task of registry.all()) declared.push(...fromTask(task, options));
  for (const [id, spec] of Object.entries(options.schedules ?? {})) {
    const where = `CeleriacModule schedules.${id}${spec?.task ? ` (task "${spec.task}")` : ''}`;
    const definition = bootstrapCheck(where, () => defineSchedule(id, spec, 'module'));
    const task = registry.find(definition.task);
    if (!task) {
      const known = registry.all().map((t) => t.name);
      throw new TaskDefinitionError(
        `${where}: unknown task "${definition.task}" (registered tasks: ${known.join(', ') || 'none'})`,
      );
    }
    bootstrapCheck(where, () => checkScheduleTask(definition, task, options));
    declared.push({ definition, where });
  }
  const byId = new Map<string, Declared>();
  for (const entry of declared) {
    const twin = byId.get(entry.definition.id);
    if (twin) {
      throw new TaskDefinitionError(
        `schedule id "${entry.definition.id}" is declared twice: ${twin.where} and ${entry.where}; give one an id`,
      );
    }
    byId.set(entry.definition.id, entry);
  }
  return declared.map((entry) => entry.definition);
}

function fromTask(task: TaskDefinition, options: ResolvedCeleriacOptions): Declared[] {
  const base = `@Task on ${task.className}.${task.methodName}()`;
  const { schedule, schedules } = task.options;
  if (schedule !== undefined && schedules !== undefined) {
    throw new TaskDefinitionError(`${base}: give schedule or schedules, not both`);
  }
  if (schedules !== undefined && !Array.isArray(schedules)) {
    throw new TaskDefinitionError(`${base}: schedules must be an array of schedules`);
  }
  const list: [string, ScheduleOptions][] =
    schedule !== undefined
      ? [[`${base}: schedule`, schedule]]
      : (schedules ?? []).map((entry, index) => [`${base}: schedules[${index}]`, entry]);
  return list.map(([where, entry], index) => {
    const definition = bootstrapCheck(where, () => {
      // Checked before the spread below, which would turn a string into an object of characters.
      if (!isPlainObject(entry)) throw new InvalidScheduleError(SCHEDULE_NOT_OBJECT);
      const id = entry.id ?? (schedule !== undefined ? task.name : `${task.name}[${index}]`);
      return defineSchedule(id, { ...entry, task: task.name }, 'task');
    });
    bootstrapCheck(where, () => checkScheduleTask(definition, task, options));
    return { definition, where };
  });
}

/**
 * What only the task can tell: its arguments fit the method, and its queue is in the queue table.
 * Throws {@link InvalidScheduleError} (or the argument check's own error).
 */
export function checkScheduleTask(
  definition: ScheduleDefinition,
  task: TaskDefinition | undefined,
  options: ResolvedCeleriacOptions,
): void {
  if (task) checkArguments(task, definition.args);
  const queue = definition.queue ?? task?.queue;
  if (queue !== undefined && !options.queues[queue]) {
    const known = Object.keys(options.queues).join(', ');
    throw new InvalidScheduleError(`queue: unknown queue "${queue}" (configured queues: ${known})`);
  }
}

function bootstrapCheck<T>(where: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new TaskDefinitionError(`${where}: ${(error as Error).message}`);
  }
}
