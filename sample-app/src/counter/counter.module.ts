import { Module } from '@nestjs/common';
import { CounterController } from './counter.controller.js';
import { CounterStore } from './counter.store.js';
import { CounterTasks } from './counter.tasks.js';

@Module({ providers: [CounterStore, CounterTasks], controllers: [CounterController] })
export class CounterModule {}
