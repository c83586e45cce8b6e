/**
 * A Celeriac worker process for the full-stack crash test: a Nest microservice with CeleriacModule
 * on Redis and the CrashTasks provider. Settings come from the environment; it reports
 * `{"event":"listening"}` on stdout once it consumes.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleriacModule, CeleriacWorker } from '../../../../lib/index.js';
import { CrashTasks } from './crash-tasks.js';

@Module({
  imports: [
    CeleriacModule.forRoot({
      broker: process.env.REDIS_URL,
      prefix: process.env.PREFIX,
      queues: { reports: { pool: 'async', concurrency: 2 } },
      maxDeliveries: Number(process.env.MAX_DELIVERIES ?? 5),
      brokerOptions: { leaseMs: Number(process.env.LEASE_MS), checkConfig: false },
      backendOptions: { checkConfig: false },
    }),
  ],
  providers: [CrashTasks],
})
class CrashWorkerModule {}

const app = await NestFactory.createMicroservice(CrashWorkerModule, {
  strategy: new CeleriacWorker(),
  logger: false,
});
await app.listen();
process.stdout.write(`${JSON.stringify({ event: 'listening', pid: process.pid })}\n`);
