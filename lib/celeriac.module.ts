import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { createCeleriacLogger } from './logging/celeriac-logger.js';
import { DiscoveryModule } from '@nestjs/core';
import { createBackend } from './backends/create-backend.js';
import { redactUrl, schemeOf } from './brokers/broker-url.js';
import { createBroker } from './brokers/create-broker.js';
import { connectAtStartup } from './brokers/startup-connection.js';
import type { ResultBackend } from './backends/result-backend.interface.js';
import type { Broker } from './brokers/broker.interface.js';
import { CELERIAC_BACKEND, CELERIAC_BROKER, CELERIAC_CLOCK, CELERIAC_OPTIONS } from './celeriac.constants.js';
import {
  ASYNC_OPTIONS_TYPE,
  ConfigurableModuleClass,
  type CeleriacModuleExtras,
  MODULE_OPTIONS_TOKEN,
  OPTIONS_TYPE,
} from './celeriac.module-definition.js';
import type { CeleriacModuleOptions, ResolvedCeleriacOptions } from './celeriac-options.interface.js';
import { CeleriacRuntime } from './celeriac.runtime.js';
import { TaskClient } from './client/task.client.js';
import { TaskExplorer } from './discovery/task.explorer.js';
import { TaskRegistry } from './discovery/task.registry.js';
import { AcceptedInterceptor } from './http/accepted.interceptor.js';
import { createTaskStatusController } from './http/task-status.controller.js';
import { TASK_STATUS_PATH } from './http/task-status-path.js';
import { resolveOptions } from './resolve-options.js';
import { protocolsOf } from './protocol/queue-protocol.js';
import { systemClock } from './scheduler/clock.js';
import { Scheduler } from './scheduler/scheduler.service.js';
import { TaskEvents } from './worker/task-events.js';
import { ControlPlaneConnection } from './control/control-plane.connection.js';
import { CeleriacEvents } from './control/celeriac-events.service.js';
import { CeleriacControl } from './control/celeriac-control.service.js';

const providers: Provider[] = [
  {
    provide: CELERIAC_OPTIONS,
    useFactory: (options: CeleriacModuleOptions) => resolveOptions(options),
    inject: [MODULE_OPTIONS_TOKEN],
  },
  { provide: CELERIAC_BROKER, useFactory: openBroker, inject: [CELERIAC_OPTIONS] },
  {
    provide: CELERIAC_BACKEND,
    useFactory: async (options: ResolvedCeleriacOptions) => {
      const backend = await createBackend({
        url: options.backend,
        prefix: options.prefix,
        extra: options.backendOptions,
        tls: options.tls,
        resultTtlMs: options.resultTtl,
        logger: options.logger,
      });
      await connectAtStartup('result backend', options.backend, () => backend.connect());
      warnIfResultsStayInProcess(options, backend);
      return backend;
    },
    // After the broker: the two often load the same client library, and loading it once, in order,
    // keeps start-up deterministic (jest's ES module loader cannot link one module twice at once).
    inject: [CELERIAC_OPTIONS, CELERIAC_BROKER],
  },
  TaskRegistry,
  TaskExplorer,
  { provide: TaskEvents, useFactory: () => new TaskEvents() },
  TaskClient,
  CeleriacRuntime,
  AcceptedInterceptor,
  Scheduler,
  ControlPlaneConnection,
  CeleriacEvents,
  CeleriacControl,
  // The scheduler's clock; tests replace it with `overrideProvider(CELERIAC_CLOCK)`.
  { provide: CELERIAC_CLOCK, useValue: systemClock },
];

/** The module's broker, connected (a failure says where it went and why); also wrapped by `celeriac/testing`. */
export async function openBroker(options: ResolvedCeleriacOptions): Promise<Broker> {
  const broker = await createBroker({
    url: options.broker,
    prefix: options.prefix,
    protocols: protocolsOf(options.queues),
    maxReceiveBytes: options.maxReceiveBytes,
    extra: options.brokerOptions,
    tls: options.tls,
    logger: options.logger,
  });
  await connectAtStartup('broker', options.broker, () => broker.connect());
  warnIfSigningSkipsQueues(options);
  return broker;
}

/** Signing covers Celeriac-protocol queues only: say which queues it leaves as Celery has them. */
function warnIfSigningSkipsQueues(options: ResolvedCeleriacOptions): void {
  const unsigned = Object.keys(protocolsOf(options.queues));
  if (!options.signing || unsigned.length === 0) return;
  createCeleriacLogger('Celeriac', options.logger).warn(
    `signing: queue(s) ${unsigned.map((queue) => `"${queue}"`).join(', ')} speak a foreign wire protocol ` +
      '(Celery) and are neither signed nor verified',
  );
}

/**
 * A remote broker with the embedded result backend only works when API and worker share a process;
 * say so at start-up rather than let a separate process wait forever for results it cannot see.
 */
function warnIfResultsStayInProcess(options: ResolvedCeleriacOptions, backend: ResultBackend): void {
  if (backend.kind !== 'memory' || schemeOf(options.broker) === 'memory') return;
  createCeleriacLogger('Celeriac', options.logger).warn(
    `broker is ${redactUrl(options.broker)} but results are kept in this process's memory: ` +
      `set backend (e.g. 'redis://…') when API and workers run in separate processes`,
  );
}

/**
 * The Celeriac module: discovers `@Task` methods, provides `TaskClient`, and hands the runtime to
 * any `CeleriacWorker` connected to the application.
 *
 * @example
 * ```ts
 * CeleriacModule.forRoot({
 *   broker: process.env.BROKER_URL,
 *   queues: { cpu: { pool: 'threads', concurrency: 2 }, io: { pool: 'async', concurrency: 500 } },
 * })
 * ```
 */
@Module({ imports: [DiscoveryModule] })
export class CeleriacModule extends ConfigurableModuleClass {
  static override forRoot(options: typeof OPTIONS_TYPE): DynamicModule {
    return withParts(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof ASYNC_OPTIONS_TYPE): DynamicModule {
    return withParts(super.forRootAsync(options), options);
  }
}

function withParts(definition: DynamicModule, extras: CeleriacModuleExtras): DynamicModule {
  const status = extras.statusController;
  const path = typeof status === 'object' ? status.path : 'tasks';
  return {
    ...definition,
    imports: [...(definition.imports ?? []), DiscoveryModule],
    providers: [...(definition.providers ?? []), ...providers, { provide: TASK_STATUS_PATH, useValue: path }],
    controllers: status ? [createTaskStatusController(path)] : [],
    exports: [
      TaskClient,
      TaskRegistry,
      CeleriacRuntime,
      TaskEvents,
      Scheduler,
      CeleriacEvents,
      CeleriacControl,
      TASK_STATUS_PATH,
      AcceptedInterceptor,
      CELERIAC_BACKEND,
      CELERIAC_BROKER,
    ],
  };
}
