import { Module } from '@nestjs/common';
import { WordCountsController } from './word-counts.controller.js';
import { WordCountTasks } from './word-counts.tasks.js';

@Module({ providers: [WordCountTasks], controllers: [WordCountsController] })
export class WordCountsModule {}
