import type { LoggerService } from '@nestjs/common';
import { DEFAULT_QUEUE } from '../celeriac.constants.js';
import type { TaskRegistry } from '../discovery/task.registry.js';

/**
 * `sendByName` of a task this process does not know, without `queue`: the message goes to the
 * default queue, which may not be the queue the task's workers consume. Said once per name, as a
 * warning, rather than refused: producer-only nodes that keep every task on `default` stay quiet
 * once warned, and passing `queue` silences it.
 */
export class UnroutedNameWarning {
  private readonly warned = new Set<string>();

  constructor(
    private readonly registry: TaskRegistry,
    private readonly logger: LoggerService,
  ) {}

  check(name: string, queue: string | undefined): void {
    if (queue !== undefined || this.warned.has(name) || this.registry.find(name)) return;
    this.warned.add(name);
    this.logger.warn(
      `sendByName("${name}"): no @Task of that name is registered in this process, so its queue is ` +
        `unknown here and it goes to "${DEFAULT_QUEUE}". If its workers consume another queue, pass ` +
        `{ queue } (said once per task name).`,
    );
  }
}
