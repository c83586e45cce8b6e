import { Injectable } from '@nestjs/common';
import { currentTask, Task } from '../../../lib/index.js';
import { runLog } from './chaos-tasks.js';
import { reportRun } from './run-log.js';

/** Queues of the poison tasks: a worker whose options configure both gets {@link PoisonTasks}. */
export const POISON_QUEUES = { crash: 'crash', poison: 'poison' } as const;

/**
 * Tasks that kill the process running them, every time (a native crash, an OOM kill, a stray
 * `process.exit`). Each run reports its start to the scenario's run log first; none ever ends.
 */
@Injectable()
export class PoisonTasks {
  /** On a `processes` queue: kills the pool's child, not the worker. */
  @Task({ queue: POISON_QUEUES.crash })
  crashChild(): never {
    return killMyself();
  }

  /** On a `solo` queue: kills the worker process itself. */
  @Task({ queue: POISON_QUEUES.poison })
  crashWorker(): never {
    return killMyself();
  }
}

function killMyself(): never {
  reportRun(runLog(), currentTask().id, 'start');
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable: SIGKILL is not delivered late');
}
