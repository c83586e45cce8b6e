import { Injectable } from '@nestjs/common';
import { currentTask, NonRetryableError, Task } from '../../lib/index.js';
import { reportRun } from '../../test/chaos/support/run-log.js';
import { burn } from '../suites/pools/cpu-work.js';

/** The soak's run log: set in the environment of every worker process (threads inherit it). */
function runLog(): string {
  const file = process.env.SOAK_RUN_LOG;
  if (!file) throw new NonRetryableError('SOAK_RUN_LOG is not set');
  return file;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `body` between the current task's start and end lines in the run log. */
async function reported<T>(body: () => T | Promise<T>): Promise<T> {
  const { id } = currentTask();
  reportRun(runLog(), id, 'start');
  const value = await body();
  reportRun(runLog(), id, 'done');
  return value;
}

/** Attempts a `doomed` task gets before it fails for good (its retries + 1). */
export const DOOMED_ATTEMPTS = 3;

/**
 * Tasks of the soak. Each body reports its start and its end to the run log under the task id (the
 * chaos suite's format), so the soak's ledger counts what ran how often. "End" is the attempt that
 * settles the task: a success, or the last failure of a task that runs out of retries.
 */
@Injectable()
export class SoakTasks {
  /** I/O-bound work: waits `ms` on the event loop. */
  @Task({ queue: 'io' })
  io(ms: number): Promise<number> {
    return reported(() => sleep(ms).then(() => ms));
  }

  /** CPU-bound work on the `threads` queue. */
  @Task({ queue: 'cpu' })
  cpu(iterations: number): Promise<number> {
    return reported(() => burn(iterations));
  }

  /** Fails its first `failures` attempts, then succeeds. */
  @Task({ queue: 'io', retries: 3, backoff: { type: 'fixed', delay: 20, jitter: false } })
  async flaky(failures: number): Promise<string> {
    const { id, retries } = currentTask();
    reportRun(runLog(), id, 'start');
    await sleep(2);
    if (retries < failures) throw new Error(`planned failure ${retries + 1} of ${failures}`);
    reportRun(runLog(), id, 'done');
    return id;
  }

  /** Fails every attempt: retried, then FAILURE. Its last attempt is its end. */
  @Task({ queue: 'io', retries: DOOMED_ATTEMPTS - 1, backoff: { type: 'fixed', delay: 20, jitter: false } })
  async doomed(): Promise<never> {
    const { id, retries } = currentTask();
    reportRun(runLog(), id, 'start');
    await sleep(2);
    if (retries === DOOMED_ATTEMPTS - 1) reportRun(runLog(), id, 'done');
    throw new Error(`planned failure ${retries + 1} of ${DOOMED_ATTEMPTS}`);
  }
}
