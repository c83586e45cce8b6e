/**
 * A Celeriac worker process of the chaos scenarios: a Nest microservice with CeleriacModule and
 * the ChaosTasks provider. Its module options come as JSON in CHAOS_OPTIONS; it reports
 * `{"event":"listening"}` on stdout once it consumes.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleriacModule, type CeleriacModuleOptions, CeleriacWorker } from '../../../lib/index.js';
import { ChaosTasks } from './chaos-tasks.js';

const options = JSON.parse(process.env.CHAOS_OPTIONS ?? '{}') as CeleriacModuleOptions;

@Module({ imports: [CeleriacModule.forRoot(options)], providers: [ChaosTasks] })
class ChaosWorkerModule {}

const app = await NestFactory.createMicroservice(ChaosWorkerModule, {
  strategy: new CeleriacWorker({ shutdownGraceMs: 2_000 }),
  logger: process.env.CHAOS_WORKER_LOGS ? ['error', 'warn', 'log'] : false,
});
await app.listen();
process.stdout.write(`${JSON.stringify({ event: 'listening', pid: process.pid })}\n`);
