import { Injectable } from '@nestjs/common';
import { currentTask, NonRetryableError, Task } from '../../../lib/index.js';
import { reportRun } from './run-log.js';

/** The run log of the scenario: set in the environment of every worker (and the test process). */
function runLog(): string {
  const file = process.env.CHAOS_RUN_LOG;
  if (!file) throw new NonRetryableError('CHAOS_RUN_LOG is not set');
  return file;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Tasks of the chaos scenarios. Every body reports its start and its end to the scenario's run log
 * under the task id, so a ledger can count what ran how often whatever happened to the workers.
 */
@Injectable()
export class ChaosTasks {
  /** I/O-bound work: waits `ms`. */
  @Task({ queue: 'io' })
  async io(ms: number): Promise<string> {
    const { id } = currentTask();
    reportRun(runLog(), id, 'start');
    await sleep(ms);
    reportRun(runLog(), id, 'done');
    return id;
  }

  /** Blocks the event loop for `ms` with a synchronous loop (a CPU-bound task on the wrong pool). */
  @Task({ queue: 'io' })
  busy(ms: number): string {
    const { id } = currentTask();
    reportRun(runLog(), id, 'start');
    const until = Date.now() + ms;
    while (Date.now() < until);
    reportRun(runLog(), id, 'done');
    return id;
  }

  /** Fails its first `failures` attempts, then succeeds: exercises retries under faults. */
  @Task({ queue: 'io', retries: 5, backoff: { type: 'fixed', delay: 50, jitter: false } })
  async flaky(failures: number): Promise<string> {
    const { id, retries } = currentTask();
    reportRun(runLog(), id, 'start');
    await sleep(5);
    if (retries < failures) throw new Error(`planned failure ${retries + 1} of ${failures}`);
    reportRun(runLog(), id, 'done');
    return id;
  }

  /** Kills the process running it, every time: a poison message. */
  @Task({ queue: 'io' })
  poison(): never {
    reportRun(runLog(), currentTask().id, 'start');
    process.kill(process.pid, 'SIGKILL');
    throw new Error('unreachable');
  }
}
