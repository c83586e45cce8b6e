import 'reflect-metadata';
import { Injectable, type INestMicroservice, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CeleriacModule,
  type CeleriacModuleOptions,
  CeleriacWorker,
  type CeleriacWorkerOptions,
  Task,
} from '../../lib/index.js';

/** The no-op task most benchmarks send: the framework's cost with nothing of the task's own. */
@Injectable()
export class NoopTasks {
  @Task({ queue: 'work' })
  noop(n: number): number {
    return n;
  }
}

@Module({})
class NoopModule {
  static with(options: CeleriacModuleOptions): DynamicModule {
    return { module: NoopModule, imports: [CeleriacModule.forRoot(options)], providers: [NoopTasks] };
  }
}

/** A worker application (API + worker in one process) serving `NoopTasks` on queue `work`. */
export async function startNoopWorker(
  options: CeleriacModuleOptions,
  workerOptions: CeleriacWorkerOptions = {},
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(NoopModule.with(options), {
    strategy: new CeleriacWorker(workerOptions),
    logger: false,
  });
  await app.listen();
  return app;
}
