/**
 * A Celeriac worker process consuming one queue shared with Celery on Redis (kombu's layout), for the
 * kill -9 test. Settings come from the environment (REDIS_URL, PREFIX, KOMBU_PREFIX,
 * VISIBILITY_TIMEOUT_MS, CELERY_QUEUE, RUNS_KEY, TASK_MODE); it reports `{"event":"listening"}` on
 * stdout once it consumes.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleriacModule, CeleriacWorker } from '../../../../lib/index.js';
import { KILL_QUEUE, KillTasks } from './kombu-kill-tasks.js';

@Module({
  imports: [
    CeleriacModule.forRoot({
      broker: process.env.REDIS_URL,
      prefix: process.env.PREFIX,
      brokerOptions: {
        checkConfig: false,
        kombu: {
          globalKeyPrefix: process.env.KOMBU_PREFIX,
          visibilityTimeoutMs: Number(process.env.VISIBILITY_TIMEOUT_MS),
        },
      },
      backend: process.env.REDIS_URL,
      backendOptions: { format: 'celery', checkConfig: false },
      queues: { [KILL_QUEUE]: { pool: 'async', protocol: 'celery' } },
    }),
  ],
  providers: [KillTasks],
})
class KombuWorkerModule {}

const app = await NestFactory.createMicroservice(KombuWorkerModule, {
  strategy: new CeleriacWorker({ queues: [KILL_QUEUE] }),
  logger: false,
});
await app.listen();
process.stdout.write(`${JSON.stringify({ event: 'listening', pid: process.pid })}\n`);
