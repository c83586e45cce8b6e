import { Body, Controller, Post } from '@nestjs/common';
import { Accepted, TaskClient, type TaskHandle } from '../../../lib/index.js';
import { FetchSharesDto } from './fetch-shares.dto.js';
import { type FetchedPage, SharesTasks } from './shares.tasks.js';

@Controller('shares')
export class SharesController {
  constructor(private readonly tasks: TaskClient) {}

  @Post()
  @Accepted()
  fetch(@Body() body: FetchSharesDto): Promise<TaskHandle<FetchedPage>> {
    return this.tasks.send(SharesTasks, 'fetchShares', [body.url]);
  }
}
