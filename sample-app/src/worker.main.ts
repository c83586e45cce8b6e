import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleriacWorker } from '../../lib/index.js';
import { AppModule } from './app.module.js';

/**
 * A standalone worker: consumes the queues in WORKER_QUEUES (comma-separated; default all) and runs
 * the beat, which fires the periodic tasks (CELERIAC_BEAT=off to leave that to other nodes). Run as
 * many as you like: each tick still fires once.
 */
async function main(): Promise<void> {
  if (!process.env.BROKER_URL) {
    Logger.error(
      'worker.main needs BROKER_URL (redis://… or amqp://…): the embedded broker lives inside one process',
    );
    process.exit(1);
  }
  const queues = process.env.WORKER_QUEUES?.split(',')
    .map((queue) => queue.trim())
    .filter(Boolean);
  const app = await NestFactory.createMicroservice(AppModule.forRoot(), {
    strategy: new CeleriacWorker({ queues, beat: process.env.CELERIAC_BEAT !== 'off' }),
  });
  app.enableShutdownHooks();
  await app.listen();
}

void main();
