import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { currentTask, RetryRequest, Task } from '../../../../lib/index.js';

/** The queue Celery sends to and a Celeriac worker consumes, in Celery's wire mode. */
export const LEGACY = `legacy-${randomUUID().slice(0, 8)}`;
/** The queue a Celery worker consumes; Celeriac only sends to it. */
export const PYTHON_QUEUE = `py-${randomUUID().slice(0, 8)}`;

/** A Celery-mode queue whose dead letters the `celeriac` binary replays. */
export const REPLAY_QUEUE = `replay-${randomUUID().slice(0, 8)}`;

/** When each run of a task started, by task id: eta and countdown checks read it. */
export const runs = new Map<string, number[]>();

function ran(): void {
  const { id } = currentTask();
  runs.set(id, [...(runs.get(id) ?? []), Date.now()]);
}

/** Celeriac tasks registered under Celery-style names, for a Python producer to call. */
@Injectable()
export class InteropTasks {
  @Task({ name: 'js.add', queue: LEGACY })
  add(x: number, y: number): number {
    ran();
    return x + y;
  }

  @Task({ name: 'js.render', queue: LEGACY })
  render(id: string, options: { format?: string } = {}): string {
    ran();
    return `${id}.${options.format ?? 'html'}`;
  }

  @Task({ name: 'js.fail', queue: LEGACY })
  fail(message: string): never {
    ran();
    throw new RangeError(message);
  }

  /** Fails its first run and asks for a retry in 1 s. */
  @Task({ name: 'js.flaky', queue: LEGACY, retries: 2 })
  flaky(): number[] {
    ran();
    const { id, retries } = currentTask();
    if (retries === 0) throw new RetryRequest(1_000, new Error('not yet'));
    return runs.get(id)!;
  }
}
