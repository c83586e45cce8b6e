import { Controller, Post } from '@nestjs/common';
import { Accepted, TaskClient, type TaskHandle } from '../../../lib/index.js';
import { CounterTasks } from './counter.tasks.js';

@Controller('counter')
export class CounterController {
  constructor(private readonly tasks: TaskClient) {}

  @Post('increment')
  @Accepted()
  increment(): Promise<TaskHandle<number>> {
    return this.tasks.send(CounterTasks, 'increment', []);
  }
}
