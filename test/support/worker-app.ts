import { randomUUID } from 'node:crypto';
import type { INestMicroservice, Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CeleriacModule,
  type CeleriacModuleOptions,
  CeleriacRuntime,
  CeleriacWorker,
  type CeleriacWorkerOptions,
  TaskClient,
  type TaskHandle,
  type TaskState,
} from '../../lib/index.js';

export interface WorkerApp {
  app: INestMicroservice;
  client: TaskClient;
  runtime: CeleriacRuntime;
  worker: CeleriacWorker;
  prefix: string;
  close(): Promise<void>;
}

/**
 * Boots a worker microservice around `providers` with its own namespace (a fresh prefix unless
 * one is given), the way `NestFactory.createMicroservice` does in production.
 */
export async function startWorkerApp(
  providers: Provider[],
  options: CeleriacModuleOptions = {},
  workerOptions: CeleriacWorkerOptions = {},
): Promise<WorkerApp> {
  const prefix = options.prefix ?? `test-${randomUUID()}`;
  const moduleRef = await Test.createTestingModule({
    imports: [CeleriacModule.forRoot({ ...options, prefix })],
    providers,
  }).compile();
  const worker = new CeleriacWorker({ shutdownGraceMs: 2_000, ...workerOptions });
  const app = moduleRef.createNestMicroservice({ strategy: worker, logger: false });
  await app.listen();
  return {
    app,
    worker,
    prefix,
    client: app.get(TaskClient),
    runtime: app.get(CeleriacRuntime),
    close: () => app.close(),
  };
}

/** A promise with its resolve function, for tasks that wait on a test. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves once the task has reached `state` (subscribes first, then reads, so no change is missed). */
export async function reached(
  handle: { watch: TaskHandle['watch']; info: TaskHandle['info'] },
  state: TaskState,
): Promise<void> {
  let done!: () => void;
  const arrived = new Promise<void>((resolve) => (done = resolve));
  const stop = await handle.watch((record) => record.state === state && done());
  try {
    if ((await handle.info())?.state !== state) await arrived;
  } finally {
    await stop();
  }
}
