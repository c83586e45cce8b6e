import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createSampleApp } from './bootstrap.js';

/**
 * API + worker in one process. With no BROKER_URL this runs on the embedded broker; with
 * BROKER_URL set, CELERIAC_WORKER=off makes it an API-only node (run `worker.main.ts` beside it).
 */
async function main(): Promise<void> {
  const app = await createSampleApp({ embeddedWorker: process.env.CELERIAC_WORKER !== 'off' });
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  Logger.log(
    `listening on http://127.0.0.1:${port} (broker: ${process.env.BROKER_URL ?? 'embedded'})`,
    'SampleApp',
  );
}

void main();
