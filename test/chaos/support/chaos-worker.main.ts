/**
 * A Celeriac worker process of the chaos scenarios: a Nest microservice with CeleriacModule and
 * the ChaosTasks provider (and PoisonTasks where the options configure its queues). Its module
 * options come as JSON in CHAOS_OPTIONS, the queues it consumes (default all) as a comma-separated
 * CHAOS_CONSUME. It reports `{"event":"listening"}` on stdout once it consumes, and each
 * `task-lease-lost` event (a stale run refused) as a JSON line.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CeleriacModule,
  type CeleriacModuleOptions,
  CeleriacRuntime,
  CeleriacWorker,
} from '../../../lib/index.js';
import { ChaosTasks } from './chaos-tasks.js';
import { POISON_QUEUES, PoisonTasks } from './poison-tasks.js';

const options = JSON.parse(process.env.CHAOS_OPTIONS ?? '{}') as CeleriacModuleOptions;
const queues = options.queues ?? {};
const poison = Object.values(POISON_QUEUES).every((queue) => queue in queues);

@Module({
  imports: [CeleriacModule.forRoot(options)],
  providers: [ChaosTasks, ...(poison ? [PoisonTasks] : [])],
})
class ChaosWorkerModule {}

const app = await NestFactory.createMicroservice(ChaosWorkerModule, {
  strategy: new CeleriacWorker({
    shutdownGraceMs: 2_000,
    queues: process.env.CHAOS_CONSUME?.split(','),
  }),
  logger: process.env.CHAOS_WORKER_LOGS ? ['error', 'warn', 'log'] : false,
});
app.get(CeleriacRuntime).events.on('task', (event) => {
  if (event.type !== 'task-lease-lost') return;
  process.stdout.write(`${JSON.stringify({ ...event, event: event.type, pid: process.pid })}\n`);
});
await app.listen();
process.stdout.write(`${JSON.stringify({ event: 'listening', pid: process.pid })}\n`);
