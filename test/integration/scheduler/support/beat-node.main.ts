/**
 * A beat node of the scheduler tests: a worker process that runs the beat and consumes nothing, so
 * the test sees every task it fires on the queue. Broker and backend come from BROKER_URL and
 * REDIS_URL; it reports `{"event":"beating"}` on stdout once its beat runs, and stops gracefully on
 * SIGTERM.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleriacModule, CeleriacWorker } from '../../../../lib/index.js';
import { TickTasks } from './tick-tasks.js';

const broker = process.env.BROKER_URL!;

@Module({
  imports: [
    CeleriacModule.forRoot({
      broker,
      backend: process.env.REDIS_URL,
      prefix: process.env.PREFIX,
      queues: { ticks: {} },
      brokerOptions: broker.startsWith('redis') ? { checkConfig: false } : {},
      backendOptions: { checkConfig: false },
    }),
  ],
  providers: [TickTasks],
})
class BeatNodeModule {}

const app = await NestFactory.createMicroservice(BeatNodeModule, {
  strategy: new CeleriacWorker({ beat: true, queues: [] }),
  logger: ['error', 'warn'],
});
app.enableShutdownHooks(['SIGTERM']);
await app.listen();
process.stdout.write(`${JSON.stringify({ event: 'beating', pid: process.pid })}\n`);
