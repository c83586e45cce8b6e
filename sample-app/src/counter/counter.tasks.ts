import { Injectable } from '@nestjs/common';
import { Task } from '../../../lib/index.js';
import { CounterStore } from './counter.store.js';

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
}
