import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { CeleriacRuntime } from '../celeriac.runtime.js';
import { CeleriacEvents } from '../control/celeriac-events.service.js';
import type { TaskEvent } from '../worker/task-events.js';
import { CELERIAC_METRICS_OPTIONS, type CeleriacMetricsOptions } from './celeriac-metrics.options.js';
import { QueueDepthCollector } from './queue-depth.collector.js';
import { TaskMetrics } from './task-metrics.js';
import { createCeleriacLogger } from '../logging/celeriac-logger.js';

/**
 * Prometheus metrics of this process's Celeriac: task events (what it sends, what its workers
 * run) counted as they happen, and queue depths asked of the broker at each scrape. `registry`
 * is the one the metrics live in (the application's own when given), ready for `/metrics`.
 */
@Injectable()
export class CeleriacMetrics implements OnModuleInit, OnModuleDestroy {
  readonly registry: Registry;
  private readonly tasks: TaskMetrics;
  private readonly queues = new Set<string>();
  private readonly listener = (event: TaskEvent): void => this.observe(event);
  private stopTracking?: Promise<(() => Promise<void>) | undefined>;

  constructor(
    private readonly runtime: CeleriacRuntime,
    private readonly events: CeleriacEvents,
    @Inject(CELERIAC_METRICS_OPTIONS) options: CeleriacMetricsOptions,
  ) {
    this.registry = options.registry ?? new Registry();
    const prefix = options.prefix ?? 'celeriac_';
    this.tasks = new TaskMetrics(this.registry, prefix, options.durationBuckets);
    for (const queue of options.queues ?? Object.keys(runtime.options.queues)) this.queues.add(queue);
    new QueueDepthCollector(this.registry, prefix, runtime.broker, () => this.queues);
    const online: Gauge = new Gauge({
      name: `${prefix}workers_online`,
      help: 'Workers whose heartbeats arrive (any process on the prefix), as the event bus tells.',
      registers: [this.registry],
      collect: () => online.set(events.registry.online().length),
    });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  onModuleInit(): void {
    this.runtime.events.on('task', this.listener);
    this.stopTracking = this.events.trackWorkers().catch((error: unknown) => {
      createCeleriacLogger('CeleriacMetrics', this.runtime.options.logger).warn(
        `workers_online stays 0: ${(error as Error).message}`,
      );
      return undefined;
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.runtime.events.off('task', this.listener);
    await (
      await this.stopTracking
    )?.();
  }

  /** Counts one task event; queues it names are reported from then on. */
  observe(event: TaskEvent): void {
    if (event.queue) this.queues.add(event.queue);
    this.tasks.observe(event);
  }

  /** The registry's exposition text, as `/metrics` serves it. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
