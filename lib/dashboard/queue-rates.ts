import type { TaskEventType } from '../worker/task-events.js';

/** How many tasks of a queue ended each way in the last minute (a per-minute rate). */
export interface QueueRate {
  succeededPerMinute: number;
  failedPerMinute: number;
}

/** The window the rates cover, in one-second buckets. */
const WINDOW_SECONDS = 60;

type Outcome = 'succeeded' | 'failed';

const OUTCOME_OF: Partial<Record<TaskEventType, Outcome>> = {
  'task-succeeded': 'succeeded',
  'task-failed': 'failed',
};

/** A count per second for the last minute, in a fixed ring: memory stays the same however busy. */
class SecondCounts {
  private readonly counts = new Array<number>(WINDOW_SECONDS).fill(0);
  private readonly seconds = new Array<number>(WINDOW_SECONDS).fill(-Infinity);

  add(second: number): void {
    const slot = second % WINDOW_SECONDS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot]++;
  }

  /** What was counted in the window ending with `second`. */
  total(second: number): number {
    let sum = 0;
    for (let slot = 0; slot < WINDOW_SECONDS; slot++) {
      const at = this.seconds[slot];
      if (at > second - WINDOW_SECONDS && at <= second) sum += this.counts[slot];
    }
    return sum;
  }
}

/**
 * Per-queue rates for the dashboard's queues table, from the task events it already follows: the
 * tasks that succeeded and failed in the last 60 s, counted when their event arrives here (so
 * another host's clock does not matter). A dashboard up for less than a minute counts what it saw.
 */
export class QueueRates {
  private readonly queues = new Map<string, Record<Outcome, SecondCounts>>();

  constructor(private readonly now: () => number = Date.now) {}

  observe(event: { type: TaskEventType; queue?: string }): void {
    const outcome = OUTCOME_OF[event.type];
    if (!outcome || !event.queue) return;
    let counts = this.queues.get(event.queue);
    if (!counts)
      this.queues.set(event.queue, (counts = { succeeded: new SecondCounts(), failed: new SecondCounts() }));
    counts[outcome].add(this.second());
  }

  of(queue: string): QueueRate {
    const counts = this.queues.get(queue);
    const second = this.second();
    return {
      succeededPerMinute: counts?.succeeded.total(second) ?? 0,
      failedPerMinute: counts?.failed.total(second) ?? 0,
    };
  }

  private second(): number {
    return Math.floor(this.now() / 1_000);
  }
}
