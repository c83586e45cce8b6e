import { Scope } from '@nestjs/common';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';

/**
 * A task runs on a worker, outside any HTTP request, on one long-lived instance of its provider. A
 * request-scoped or transient provider has no such instance, so a `@Task` on one is refused at
 * bootstrap with the reason, instead of being skipped and later reported as an unknown task.
 */
export function checkTaskScope(wrapper: InstanceWrapper, className: string, methodName: string): void {
  const where = `@Task on ${className}.${methodName}()`;
  const fix = 'move the task to a default-scoped (singleton) provider and inject what it needs there';
  if (wrapper.isTransient) {
    throw new TaskDefinitionError(
      `${where}: ${className} is transient (Scope.TRANSIENT), so Nest makes one instance per consumer ` +
        `and none a worker could run the task on; ${fix}`,
    );
  }
  if (wrapper.scope === Scope.REQUEST) {
    throw new TaskDefinitionError(
      `${where}: ${className} is request-scoped (Scope.REQUEST), but a task runs on a worker outside any ` +
        `request; ${fix}`,
    );
  }
  if (!wrapper.isDependencyTreeStatic()) {
    throw new TaskDefinitionError(
      `${where}: ${className} depends on a request-scoped provider, which makes it request-scoped too, ` +
        `but a task runs on a worker outside any request; ${fix}`,
    );
  }
}
