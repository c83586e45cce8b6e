import { Injectable } from '@nestjs/common';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { UnknownTaskError } from '../errors/unknown-task.error.js';
import type { TaskDefinition } from './task-definition.js';

/** The tasks of this application, by name. Filled once at bootstrap by the explorer. */
@Injectable()
export class TaskRegistry {
  private readonly tasks = new Map<string, TaskDefinition>();

  register(definition: TaskDefinition): void {
    const existing = this.tasks.get(definition.name);
    if (existing) {
      throw new TaskDefinitionError(
        `duplicate task name "${definition.name}": ${describe(definition)} and ${describe(existing)} ` +
          `both register it; give one of them @Task({ name: '…' })`,
      );
    }
    this.tasks.set(definition.name, definition);
  }

  find(name: string): TaskDefinition | undefined {
    return this.tasks.get(name);
  }

  /** Like `find`, but an unknown name is an {@link UnknownTaskError}. */
  get(name: string): TaskDefinition {
    const definition = this.tasks.get(name);
    if (!definition) throw new UnknownTaskError(name);
    return definition;
  }

  all(): TaskDefinition[] {
    return [...this.tasks.values()];
  }
}

function describe(definition: TaskDefinition): string {
  return `${definition.className}.${definition.methodName}()`;
}
