import { Body, Controller, Post } from '@nestjs/common';
import { Accepted, TaskClient, type TaskHandle } from '../../../lib/index.js';
import { CountPrimesDto } from './count-primes.dto.js';
import { PrimesTasks } from './primes.tasks.js';

@Controller('primes')
export class PrimesController {
  constructor(private readonly tasks: TaskClient) {}

  @Post()
  @Accepted()
  count(@Body() body: CountPrimesDto): Promise<TaskHandle<number>> {
    return this.tasks.send(PrimesTasks, 'count', [body.limit]);
  }
}
