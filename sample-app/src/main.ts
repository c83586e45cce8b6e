import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { redactUrl } from '../../lib/index.js';
import { createSampleApp } from './bootstrap.js';
import { dashboardToken } from './dashboard-token.guard.js';

/**
 * API + worker in one process. With no BROKER_URL this runs on the embedded broker; with
 * BROKER_URL set, CELERIAC_WORKER=off makes it an API-only node (run `worker.main.ts` beside it).
 */
async function main(): Promise<void> {
  const app = await createSampleApp({ embeddedWorker: process.env.CELERIAC_WORKER !== 'off' });
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const broker = process.env.BROKER_URL ? redactUrl(process.env.BROKER_URL) : 'embedded';
  const url = await app.getUrl();
  Logger.log(`listening on ${url} (broker: ${broker})`, 'SampleApp');
  Logger.log(`dashboard: ${url}/celeriac?token=${dashboardToken()}  ·  metrics: ${url}/metrics`, 'SampleApp');
}

void main();
