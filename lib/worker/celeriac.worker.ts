import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Consumer } from '../brokers/broker.interface.js';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../celeriac.constants.js';
import { CeleriacError } from '../errors/celeriac.error.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import type { Unsubscribe } from '../backends/result-backend.interface.js';
import { TaskRevokedError } from '../errors/task-revoked.error.js';
import type { CeleriacWorkerOptions } from './celeriac-worker-options.interface.js';
import { StepRunner } from '../canvas/step.runner.js';
import { EnvelopePublisher } from '../client/envelope.publisher.js';
import { WireCodecs } from '../protocol/wire-codecs.js';
import { createPool } from './pools/create-pool.js';
import { isPoolChild } from './pools/pool-child-marker.js';
import { WorkflowContinuation } from './workflow-continuation.js';
import type { Pool } from './pools/pool.interface.js';
import { TaskExecutor } from './task.executor.js';
import { createInvoker } from './task.invoker.js';
import type { WorkerRuntime } from './worker-runtime.interface.js';
import type { TaskEvents } from './task-events.js';

/**
 * The worker: a Nest custom transport strategy. Standalone
 * (`NestFactory.createMicroservice(AppModule, { strategy: new CeleriacWorker() })`) or inside an
 * HTTP app (`app.connectMicroservice({ strategy })` + `startAllMicroservices()`). `listen()` starts
 * one consumer per queue with that queue's pool; `close()` stops fetching, lets running tasks
 * finish within the grace period and hands the rest back to the broker.
 */
export class CeleriacWorker extends Server implements CustomTransportStrategy {
  private runtime?: WorkerRuntime;
  private resolveAttach!: (runtime: WorkerRuntime) => void;
  private readonly attached = new Promise<WorkerRuntime>((resolve) => (this.resolveAttach = resolve));
  private readonly consumers: Consumer[] = [];
  private readonly pools: Pool[] = [];
  private executor?: TaskExecutor;
  private stopRevokes?: Unsubscribe;
  private beat?: { stop(): Promise<void> };
  private closing?: Promise<void>;
  protected override readonly logger = new Logger('CeleriacWorker');

  constructor(private readonly workerOptions: CeleriacWorkerOptions = {}) {
    super();
  }

  /** Called by `CeleriacModule` for each worker connected to its application. */
  attach(runtime: WorkerRuntime): void {
    this.runtime ??= runtime;
    this.resolveAttach(runtime);
  }

  /** Tasks currently held by this worker. */
  get activeCount(): number {
    return this.executor?.activeCount ?? 0;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    // In a pool child the application serves its parent (see CeleriacRuntime), never the broker.
    if (isPoolChild()) return callback();
    try {
      await this.start(await this.waitForRuntime());
      callback();
    } catch (error) {
      callback(error);
    }
  }

  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  on(): void {
    // Celeriac reports through TaskEvents (`runtime.events`), not transport events.
  }

  unwrap<T>(): T {
    return this.runtime?.broker as T;
  }

  private async start(runtime: WorkerRuntime): Promise<void> {
    if (runtime.options.producerOnly) {
      throw new TaskDefinitionError(
        'CeleriacModule is producer-only (producerOnly: true): a CeleriacWorker cannot run here',
      );
    }
    runtime.discover();
    const queues = this.workerOptions.queues ?? Object.keys(runtime.options.queues);
    const unknown = queues.filter((queue) => !runtime.options.queues[queue]);
    if (unknown.length > 0) {
      const known = Object.keys(runtime.options.queues).join(', ');
      throw new TaskDefinitionError(
        `CeleriacWorker: unknown queue(s) ${unknown.join(', ')} (configured: ${known})`,
      );
    }
    const { broker, backend, options } = runtime;
    const wire = new WireCodecs(options.queues);
    const publisherOf = (events?: TaskEvents) =>
      new EnvelopePublisher(broker, backend, options.maxPayloadBytes, options.resultTtl, wire, events);
    // Workflow steps are sends (task-sent); a parked task published again when a place frees is not.
    const publisher = publisherOf();
    const continuation = new WorkflowContinuation(
      new StepRunner(publisherOf(runtime.events), backend, options.resultTtl),
      options.resultTtl,
    );
    const executor = new TaskExecutor(runtime.registry, backend, options, runtime.events, continuation, {
      publish: (envelope) => publisher.publish(envelope),
      leaseMs: this.workerOptions.policyLeaseMs,
    });
    this.executor = executor;
    this.stopRevokes = await runtime.backend.onRevoke((taskId) => {
      void executor.abort(taskId, new TaskRevokedError(taskId));
    });
    const invoke = createInvoker(runtime.registry);
    for (const queue of queues) {
      const pool = createPool(queue, runtime.options.queues[queue], invoke);
      await pool.start();
      this.pools.push(pool);
      const consumer = await runtime.broker.consume(
        queue,
        (delivery) => void executor.handle(delivery, pool),
        {
          prefetch: pool.concurrency,
        },
      );
      this.consumers.push(consumer);
    }
    const summary = this.pools.map((pool, i) => `${queues[i]} (${pool.kind}×${pool.concurrency})`).join(', ');
    this.logger.log(`consuming ${summary} on ${runtime.broker.kind}`);
    if (this.workerOptions.beat) {
      if (!runtime.startBeat)
        throw new CeleriacError('NO_BEAT', 'CeleriacWorker: this runtime cannot run a beat');
      this.beat = await runtime.startBeat();
    }
  }

  private waitForRuntime(): Promise<WorkerRuntime> {
    const timeoutMs = this.workerOptions.attachTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new CeleriacError(
              'NOT_ATTACHED',
              'CeleriacWorker: no CeleriacModule in this application handed it a runtime; import CeleriacModule.forRoot() in the module you start',
            ),
          ),
        timeoutMs,
      );
    });
    return Promise.race([this.attached, timeout]).finally(() => clearTimeout(timer));
  }

  private async drain(): Promise<void> {
    await this.beat?.stop();
    await Promise.allSettled(this.consumers.map((consumer) => consumer.cancel()));
    const executor = this.executor;
    if (executor) {
      const grace = this.workerOptions.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
      const idle = await executor.whenIdle(grace);
      if (!idle) {
        this.logger.warn(`${executor.activeCount} task(s) still running after ${grace} ms: requeueing them`);
        await executor.requeueInFlight(new CeleriacError('WORKER_SHUTDOWN', 'worker shutting down'));
      }
    }
    await this.stopRevokes?.();
    await Promise.allSettled(this.pools.map((pool) => pool.close()));
  }
}
