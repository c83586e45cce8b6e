import { Module } from '@nestjs/common';
import { SharesController } from './shares.controller.js';
import { SharesTasks } from './shares.tasks.js';

@Module({ providers: [SharesTasks], controllers: [SharesController] })
export class SharesModule {}
