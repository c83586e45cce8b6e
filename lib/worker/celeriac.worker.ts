import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../celeriac.constants.js';
import { CeleriacError } from '../errors/celeriac.error.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import type { CeleriacWorkerOptions } from './celeriac-worker-options.interface.js';
import { StepRunner } from '../canvas/step.runner.js';
import { EnvelopePublisher } from '../client/envelope.publisher.js';
import { ControlServer } from '../control/control-server.js';
import { wireCodecsFor } from '../protocol/wire-codecs.js';
import { isPoolChild } from './pools/pool-child-marker.js';
import { WorkflowContinuation } from './workflow-continuation.js';
import { shareStandaloneRedis } from '../redis/shared-server.js';
import { TaskExecutor } from './task.executor.js';
import { createInvoker } from './task.invoker.js';
import { workerControlHandlers } from './worker-control.js';
import { controlTarget, heldQueueStates } from './worker-control-target.js';
import { DEFAULT_HEARTBEAT_MS, WorkerHeartbeat } from './worker-heartbeat.js';
import { claimWorkerId, releaseWorkerId } from './worker-identity.js';
import { type QueueLiveness, WorkerQueues } from './worker-queues.js';
import type { WorkerRuntime } from './worker-runtime.interface.js';
import type { TaskEvents } from './task-events.js';
import {
  createCeleriacLogger,
  type CeleriacLoggerOption,
  type CeleriacLogger,
} from '../logging/celeriac-logger.js';

/** Where a worker is in its life, and the liveness of each queue it consumes. */
export interface WorkerConsumers {
  /** `starting` until `listen()` has its consumers, `closing` from `close()` on. */
  phase: 'starting' | 'consuming' | 'closing';
  queues: QueueLiveness[];
}

/**
 * The worker: a Nest custom transport strategy. Standalone
 * (`NestFactory.createMicroservice(AppModule, { strategy: new CeleriacWorker() })`) or inside an
 * HTTP app (`app.connectMicroservice({ strategy })` + `startAllMicroservices()`). `listen()` starts
 * one consumer per queue with that queue's pool; `close()` stops fetching, lets running tasks
 * finish within the grace period and hands the rest back to the broker. While it runs it answers
 * remote control (ping, inspect, revoke, limits, consumers, pool size, shutdown) and beats: worker
 * events every `heartbeatMs`, task events too when the module has `events: true`.
 */
export class CeleriacWorker extends Server implements CustomTransportStrategy {
  private runtime?: WorkerRuntime;
  private resolveAttach!: (runtime: WorkerRuntime) => void;
  private readonly attached = new Promise<WorkerRuntime>((resolve) => (this.resolveAttach = resolve));
  private queues?: WorkerQueues;
  private executor?: TaskExecutor;
  private control?: ControlServer;
  private heartbeat?: WorkerHeartbeat;
  private workerId?: string;
  private beat?: { stop(): Promise<void> };
  private closing?: Promise<void>;
  private listening = false;
  protected override logger: CeleriacLogger = new Logger('CeleriacWorker');

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

  /** This worker's id in events and remote control, once it listens. */
  get id(): string | undefined {
    return this.workerId;
  }

  /** For health checks: whether each queue this worker consumes has a consumer that receives now. */
  consumers(): WorkerConsumers {
    const queues = this.queues?.liveness() ?? [];
    if (this.closing) return { phase: 'closing', queues };
    return { phase: this.listening ? 'consuming' : 'starting', queues };
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
    const sink = this.workerOptions.logger ?? runtime.options.logger;
    this.logger = createCeleriacLogger('CeleriacWorker', sink);
    const id = (this.workerId = claimWorkerId(this.workerOptions.name));
    const plane = runtime.controlPlane ? await runtime.controlPlane() : undefined;
    const executor = this.createExecutor(runtime, id, sink);
    this.executor = executor;
    const served = new WorkerQueues(
      runtime.broker,
      runtime.options.queues,
      createInvoker(runtime.registry),
      (delivery, pool) => void executor.handle(delivery, pool),
      sink,
    );
    this.queues = served;
    const heartbeatMs = this.workerOptions.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    if (plane) {
      const target = controlTarget({
        id,
        runtime,
        executor,
        queues: served,
        startedAt: Date.now(),
        heartbeatMs,
        requestShutdown: () => this.shutdownRequested(),
      });
      this.control = new ControlServer(plane.control, id, workerControlHandlers(target), this.logger);
      await this.control.start();
    }
    for (const queue of queues) await served.add(queue);
    this.listening = true;
    this.logger.log(`${id} consuming ${served.summary()} on ${runtime.broker.kind}`);
    if (runtime.eventPublisher) {
      this.heartbeat = new WorkerHeartbeat(runtime.eventPublisher, id, heartbeatMs, () => ({
        active: executor.activeCount,
        processed: executor.processedCount,
        queues: heldQueueStates(executor, served),
      }));
      this.heartbeat.start();
    }
    if (this.workerOptions.beat) {
      if (!runtime.startBeat)
        throw new CeleriacError('NO_BEAT', 'CeleriacWorker: this runtime cannot run a beat');
      this.beat = await runtime.startBeat();
    }
  }

  private createExecutor(
    runtime: WorkerRuntime,
    workerId: string,
    logger: CeleriacLoggerOption | undefined,
  ): TaskExecutor {
    const { broker, backend } = runtime;
    const options = { ...runtime.options, logger };
    const wire = wireCodecsFor(options);
    const publisherOf = (events?: TaskEvents) =>
      new EnvelopePublisher(broker, backend, options.maxPayloadBytes, options.resultTtl, wire, events);
    // Workflow steps are sends (task-sent); a parked task published again when a place frees is not.
    const publisher = publisherOf();
    const continuation = new WorkflowContinuation(
      new StepRunner(publisherOf(runtime.events), backend, options.resultTtl),
      options.resultTtl,
    );
    const events = options.events ? runtime.eventPublisher : undefined;
    return new TaskExecutor(runtime.registry, backend, options, runtime.events, continuation, {
      publish: (envelope) => publisher.publish(envelope),
      leaseMs: this.workerOptions.policyLeaseMs,
      workerId,
      onEvent: events && ((event) => events.task(event)),
      sharesRedis: () => shareStandaloneRedis(broker, backend),
    });
  }

  private shutdownRequested(): void {
    this.logger.log(`${this.workerId} shutting down on a remote-control request`);
    // After the reply went out: the requester hears that the worker is going, then it goes.
    setImmediate(() => {
      void this.close().then(() => {
        if (this.workerOptions.onShutdownRequest) return this.workerOptions.onShutdownRequest();
        if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
      });
    });
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
    await this.queues?.cancelAll();
    const executor = this.executor;
    if (executor) {
      const grace = this.workerOptions.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
      const idle = await executor.whenIdle(grace);
      if (!idle) {
        this.logger.warn(`${executor.activeCount} task(s) still running after ${grace} ms: requeueing them`);
        await executor.requeueInFlight(new CeleriacError('WORKER_SHUTDOWN', 'worker shutting down'));
      }
    }
    await this.control?.stop();
    await this.heartbeat?.stop();
    await this.queues?.closePools();
    if (this.workerId) releaseWorkerId(this.workerId);
  }
}
