import { Global, type ModuleMetadata, Module } from '@nestjs/common';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import type { ResultBackend } from '../backends/result-backend.interface.js';
import type { Broker } from '../brokers/broker.interface.js';
import { CELERIAC_BACKEND, CELERIAC_BROKER, CELERIAC_OPTIONS } from '../celeriac.constants.js';
import { MODULE_OPTIONS_TOKEN } from '../celeriac.module-definition.js';
import { openBroker } from '../celeriac.module.js';
import type { CeleriacModuleOptions, ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import { TaskClient } from '../client/task.client.js';
import { TaskRegistry } from '../discovery/task.registry.js';
import { wireCodecsFor } from '../protocol/wire-codecs.js';
import { TaskEvents } from '../worker/task-events.js';
import { resolveOptions } from '../resolve-options.js';
import { CELERIAC_TESTING_OPTIONS, CeleriacTesting, DEFAULT_TESTING_TIMEOUT_MS } from './celeriac-testing.js';
import type { CeleriacTestingOptions } from './celeriac-testing-options.interface.js';
import { EagerTaskClient } from './eager-task.client.js';
import { RecordingBroker } from './recording.broker.js';
import { SentTaskLog } from './sent-task.log.js';
import { testingOptions } from './testing-options.js';

/** Provides {@link CeleriacTesting} and the log it reads, to every module of the testing module. */
@Global()
@Module({})
export class CeleriacTestingModule {
  static forRoot(options: CeleriacTestingOptions = {}) {
    return {
      module: CeleriacTestingModule,
      providers: [SentTaskLog, CeleriacTesting, { provide: CELERIAC_TESTING_OPTIONS, useValue: options }],
      exports: [SentTaskLog, CeleriacTesting],
    };
  }
}

/**
 * `Test.createTestingModule(metadata)` with Celeriac made testable: whatever `CeleriacModule.forRoot`
 * the modules declare (a Redis or RabbitMQ URL included) runs on the embedded broker and backend,
 * an in-process worker consumes every queue of the table once the application starts, and
 * `moduleRef.get(CeleriacTesting)` tells what was sent. Chain further overrides on the builder.
 *
 * @example
 * ```ts
 * const moduleRef = await createCeleriacTestingModule({ imports: [AppModule] }, { eager: true }).compile();
 * await moduleRef.init();
 * await moduleRef.get(ReportsController).render('42');
 * moduleRef.get(CeleriacTesting).expectTaskSent(ReportTasks, 'render', ['42']);
 * ```
 */
export function createCeleriacTestingModule(
  metadata: ModuleMetadata,
  options: CeleriacTestingOptions = {},
): TestingModuleBuilder {
  const builder = Test.createTestingModule({
    ...metadata,
    imports: [...(metadata.imports ?? []), CeleriacTestingModule.forRoot(options)],
  })
    .overrideProvider(CELERIAC_OPTIONS)
    .useFactory({
      factory: (raw: CeleriacModuleOptions) => testingOptions(resolveOptions(raw)),
      inject: [MODULE_OPTIONS_TOKEN],
    })
    .overrideProvider(CELERIAC_BROKER)
    .useFactory({
      factory: async (resolved: ResolvedCeleriacOptions, log: SentTaskLog) =>
        new RecordingBroker(await openBroker(resolved), wireCodecsFor(resolved), log),
      inject: [CELERIAC_OPTIONS, SentTaskLog],
    });
  if (!options.eager) return builder;
  return builder.overrideProvider(TaskClient).useFactory({
    factory: (
      broker: Broker,
      backend: ResultBackend,
      resolved: ResolvedCeleriacOptions,
      registry: TaskRegistry,
      events: TaskEvents,
      log: SentTaskLog,
    ) =>
      new EagerTaskClient(
        broker,
        backend,
        resolved,
        registry,
        events,
        log,
        options.timeoutMs ?? DEFAULT_TESTING_TIMEOUT_MS,
      ),
    inject: [CELERIAC_BROKER, CELERIAC_BACKEND, CELERIAC_OPTIONS, TaskRegistry, TaskEvents, SentTaskLog],
  });
}
