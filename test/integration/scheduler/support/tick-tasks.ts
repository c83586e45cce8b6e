import { Injectable } from '@nestjs/common';
import { Task } from '../../../../lib/index.js';

/** The periodic task of the beat tests: fired every second; what counts is its task ids. */
@Injectable()
export class TickTasks {
  @Task({ queue: 'ticks', schedule: { id: 'every-second', every: '1s' } })
  tick(): void {}
}
