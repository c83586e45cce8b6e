import { Injectable } from '@nestjs/common';
import { currentTask, Task } from '../../../lib/index.js';
import { type CounterSnapshot, CounterStore } from './counter.store.js';

@Injectable()
export class CounterTasks {
  constructor(private readonly store: CounterStore) {}

  /** Read-modify-write without a lock: safe because the `serial` queue runs one task at a time. */
  @Task({ queue: 'serial' })
  async increment(): Promise<number> {
    const next = (await this.store.read()) + 1;
    await this.store.write(next);
    return next;
  }

  /**
   * A periodic task: every 10 s a beat node fires it once (however many run a beat), under the task
   * id `schedule:counter-snapshot@<tick>`. On the serial queue, it sees no increment half-done.
   */
  @Task({ queue: 'serial', schedule: { id: 'counter-snapshot', every: '10s' } })
  async snapshot(): Promise<CounterSnapshot> {
    const tick = currentTask().id.split('@')[1] ?? new Date().toISOString();
    const snapshot = { at: tick, value: await this.store.read() };
    this.store.keep(snapshot);
    return snapshot;
  }
}
