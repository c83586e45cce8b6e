import { Controller, Get } from '@nestjs/common';
import { type ScheduleInfo, Scheduler } from '../../lib/index.js';

/** Every periodic task with its last fire (time, task id, state) and next fire time. */
@Controller('schedules')
export class SchedulesController {
  constructor(private readonly scheduler: Scheduler) {}

  @Get()
  list(): Promise<ScheduleInfo[]> {
    return this.scheduler.list();
  }
}
