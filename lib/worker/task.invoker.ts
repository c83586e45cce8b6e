import type { TaskRegistry } from '../discovery/task.registry.js';
import type { TaskInvoker } from './pools/pool.interface.js';
import { createTaskContext, runInTaskContext } from './task-context.js';

/** The in-process invoker: finds the method and calls it inside its task context. */
export function createInvoker(registry: TaskRegistry): TaskInvoker {
  return (invocation) => {
    const definition = registry.get(invocation.task);
    return runInTaskContext(createTaskContext(invocation), () => definition.handler(...invocation.args));
  };
}
