import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { Subscription } from 'rxjs';
import type { ResultBackend } from './backends/result-backend.interface.js';
import type { Broker } from './brokers/broker.interface.js';
import { CELERIAC_BACKEND, CELERIAC_BROKER, CELERIAC_OPTIONS } from './celeriac.constants.js';
import type { ResolvedCeleriacOptions } from './celeriac-options.interface.js';
import { markClosing } from './client/backend-closing.js';
import type { ControlPlane } from './control/control-plane.js';
import { ControlPlaneConnection } from './control/control-plane.connection.js';
import type { EventPublisher } from './control/event-publisher.js';
import { TaskExplorer } from './discovery/task.explorer.js';
import { TaskRegistry } from './discovery/task.registry.js';
import { Scheduler } from './scheduler/scheduler.service.js';
import { CeleriacWorker } from './worker/celeriac.worker.js';
import { servePoolChild } from './worker/pools/pool-child.js';
import { poolChildMarker } from './worker/pools/pool-child-marker.js';
import { quietPoolChildLogs } from './worker/pools/pool-child-logger.js';
import { TaskEvents } from './worker/task-events.js';
import type { WorkerRuntime } from './worker/worker-runtime.interface.js';
import { createCeleriacLogger, type CeleriacLogger } from './logging/celeriac-logger.js';

// A pool child re-runs the application's entry; from here on (before NestFactory logs its
// bootstrap) it prints only warnings, errors and what its tasks log, tagged with its pool slot.
quietPoolChildLogs();

/**
 * Ties an application's Celeriac pieces together. Nest registers every transport strategy of an
 * application (standalone or hybrid) with the application's `ModulesContainer`; this provider
 * watches that registry and hands itself to each `CeleriacWorker` there — so a worker only ever
 * serves the application it was connected to. On shutdown it drains workers first, then closes
 * the broker and backend.
 */
@Injectable()
export class CeleriacRuntime
  implements WorkerRuntime, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger: CeleriacLogger;
  private readonly workers: CeleriacWorker[] = [];
  private readonly subscription: Subscription;

  constructor(
    readonly registry: TaskRegistry,
    @Inject(CELERIAC_BROKER) readonly broker: Broker,
    @Inject(CELERIAC_BACKEND) readonly backend: ResultBackend,
    @Inject(CELERIAC_OPTIONS) readonly options: ResolvedCeleriacOptions,
    private readonly explorer: TaskExplorer,
    modules: ModulesContainer,
    private readonly scheduler: Scheduler,
    /** Task events of this process: sends, and what its workers run. */
    readonly events: TaskEvents,
    private readonly controlPlaneConnection: ControlPlaneConnection,
  ) {
    this.logger = createCeleriacLogger('Celeriac', options.logger);
    this.subscription = modules.getRpcTargetRegistry().subscribe((target) => {
      if (target instanceof CeleriacWorker) {
        target.attach(this);
        this.workers.push(target);
      }
    });
  }

  /** The workers this application runs (none on an API-only node). */
  get attachedWorkers(): readonly CeleriacWorker[] {
    return this.workers;
  }

  controlPlane(): Promise<ControlPlane> {
    return this.controlPlaneConnection.get();
  }

  get eventPublisher(): EventPublisher {
    return this.controlPlaneConnection.publisher;
  }

  discover(): void {
    this.explorer.explore();
  }

  startBeat(): Promise<{ stop(): Promise<void> }> {
    return this.scheduler.startBeat();
  }

  /**
   * In a `threads` / `processes` pool child, the application has booted (every `onModuleInit`
   * has run): serve the parent from here on. The hook never returns there, so the rest of the
   * entry (`app.listen(port)`, later bootstrap hooks) does not run in children.
   */
  async onApplicationBootstrap(): Promise<void> {
    const marker = poolChildMarker();
    if (!marker) return;
    this.discover();
    await servePoolChild(this.registry, marker);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.subscription.unsubscribe();
    await Promise.all(this.workers.map((worker) => worker.close()));
  }

  async onApplicationShutdown(): Promise<void> {
    // Workers have drained: whoever still waits for a result would wait on a closed connection.
    markClosing(this.backend);
    const results = await Promise.allSettled([this.broker.close(), this.backend.close()]);
    for (const result of results) {
      if (result.status === 'rejected')
        this.logger.warn(`closing Celeriac connections: ${String(result.reason)}`);
    }
  }
}
