import 'reflect-metadata';
import { TASK_METADATA } from '../celeriac.constants.js';
import type { TaskOptions } from './task-options.interface.js';

/**
 * Marks a provider method as a task. The method's arguments and result must be JSON values:
 * they cross the broker. Discovered at bootstrap; run by a `CeleriacWorker` on the task's queue.
 *
 * @example
 * ```ts
 * @Task({ queue: 'cpu', retries: 3, timeLimit: 30_000 })
 * async render(reportId: string): Promise<Report> { … }
 * ```
 */
export function Task(options: TaskOptions = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(TASK_METADATA, { ...options }, descriptor.value as object);
    return descriptor;
  };
}

/** Options `@Task` put on a method, or undefined if it is not a task. */
export function getTaskOptions(method: unknown): TaskOptions | undefined {
  if (typeof method !== 'function') return undefined;
  return Reflect.getMetadata(TASK_METADATA, method) as TaskOptions | undefined;
}

/** The name a `@Task` method is registered under. */
export function taskNameOf(className: string, methodName: string, options: TaskOptions): string {
  return options.name ?? `${className}.${methodName}`;
}
