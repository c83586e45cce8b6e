import { Controller, Get, Post } from '@nestjs/common';
import { Accepted, TaskClient, type TaskHandle } from '../../../lib/index.js';
import { type CounterSnapshot, CounterStore } from './counter.store.js';
import { CounterTasks } from './counter.tasks.js';

@Controller('counter')
export class CounterController {
  constructor(
    private readonly tasks: TaskClient,
    private readonly store: CounterStore,
  ) {}

  @Post('increment')
  @Accepted()
  increment(): Promise<TaskHandle<number>> {
    return this.tasks.send(CounterTasks, 'increment', []);
  }

  /** The value and the latest snapshots taken by the periodic task (as this process saw them). */
  @Get()
  async show(): Promise<{ value: number; snapshots: CounterSnapshot[] }> {
    return { value: await this.store.read(), snapshots: this.store.snapshots() };
  }
}
