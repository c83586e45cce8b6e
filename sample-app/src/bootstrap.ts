import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CeleriacWorker, type CeleriacModuleOptions } from '../../lib/index.js';
import { AppModule } from './app.module.js';

export interface SampleAppOptions {
  /** Run a worker inside the API process (default true). */
  embeddedWorker?: boolean;
  celeriac?: CeleriacModuleOptions;
}

/** Builds the HTTP app, optionally with an embedded worker; `main.ts` and the e2e tests share it. */
export async function createSampleApp(options: SampleAppOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(options.celeriac), {
    logger: ['error', 'warn', 'log'],
  });
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  if (options.embeddedWorker ?? true) {
    // The worker also runs the beat, which fires the periodic tasks (the counter snapshot).
    app.connectMicroservice({ strategy: new CeleriacWorker({ beat: true }) });
    await app.startAllMicroservices();
  }
  return app;
}
