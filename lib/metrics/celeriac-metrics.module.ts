import { type DynamicModule, Module } from '@nestjs/common';
import { CeleriacMetrics } from './celeriac-metrics.js';
import { CELERIAC_METRICS_OPTIONS, type CeleriacMetricsOptions } from './celeriac-metrics.options.js';
import { createMetricsController } from './metrics.controller.js';

/**
 * Prometheus metrics of Celeriac (prom-client): `CeleriacMetrics` and, unless `path: false`, a
 * `GET /metrics` route. Import it next to `CeleriacModule.forRoot()` in each process to scrape:
 * an API node counts what it sends, a worker what it runs, and any of them reports queue depths.
 *
 * @example
 * ```ts
 * imports: [CeleriacModule.forRoot({ broker: process.env.BROKER_URL }), CeleriacMetricsModule.forRoot()]
 * ```
 */
@Module({})
export class CeleriacMetricsModule {
  static forRoot(options: CeleriacMetricsOptions = {}): DynamicModule {
    const path = options.path ?? 'metrics';
    return {
      module: CeleriacMetricsModule,
      providers: [{ provide: CELERIAC_METRICS_OPTIONS, useValue: options }, CeleriacMetrics],
      controllers: path === false ? [] : [createMetricsController(path)],
      exports: [CeleriacMetrics],
    };
  }
}
