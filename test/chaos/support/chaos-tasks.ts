import { closeSync, openSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { currentTask, NonRetryableError, Task } from '../../../lib/index.js';
import { reportRun } from './run-log.js';

/** The run log of the scenario: set in the environment of every worker (and the test process). */
export function runLog(): string {
  const file = process.env.CHAOS_RUN_LOG;
  if (!file) throw new NonRetryableError('CHAOS_RUN_LOG is not set');
  return file;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Blocks this thread for `ms` without burning a core (the machine is shared). */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** True for the one caller that creates `marker` (O_EXCL: atomic across processes). */
function firstRun(marker: string): boolean {
  try {
    closeSync(openSync(marker, 'wx'));
    return true;
  } catch {
    return false;
  }
}

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

  /** Blocks the event loop for `ms` (synchronous work on the wrong pool, a long GC pause). */
  @Task({ queue: 'io' })
  busy(ms: number): string {
    const { id } = currentTask();
    reportRun(runLog(), id, 'start');
    blockEventLoop(ms);
    reportRun(runLog(), id, 'done');
    return `${id} by ${process.pid}`;
  }

  /**
   * Blocks the event loop for `ms` on its first run anywhere (a marker file beside the run log,
   * created exclusively, says which run is first); later runs return at once, so a copy started
   * elsewhere finishes while the first is still blocked.
   */
  @Task({ queue: 'io' })
  blockOnce(ms: number): string {
    const { id } = currentTask();
    reportRun(runLog(), id, 'start');
    if (firstRun(`${runLog()}.${id}.blocked`)) blockEventLoop(ms);
    reportRun(runLog(), id, 'done');
    return `${id} by ${process.pid}`;
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
}
