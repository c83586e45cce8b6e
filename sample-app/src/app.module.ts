import { type DynamicModule, Module } from '@nestjs/common';
import {
  CeleriacDashboardModule,
  CeleriacHealthModule,
  CeleriacMetricsModule,
  CeleriacModule,
  type CeleriacModuleOptions,
} from '../../lib/index.js';
import { CounterModule } from './counter/counter.module.js';
import { DashboardTokenGuard } from './dashboard-token.guard.js';
import { HealthController } from './health.controller.js';
import { PrimesModule } from './primes/primes.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { SchedulesController } from './schedules.controller.js';
import { SharesModule } from './shares/shares.module.js';
import { WordCountsModule } from './word-counts/word-counts.module.js';

/** The sample application: an API whose work runs as Celeriac tasks. */
@Module({})
export class AppModule {
  /** `overrides` lets tests pick a prefix or broker; by default everything comes from the environment. */
  static forRoot(overrides: CeleriacModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CeleriacModule.forRoot({
          broker: process.env.BROKER_URL,
          backend: process.env.RESULT_URL,
          prefix: process.env.CELERIAC_PREFIX ?? 'celeriac-sample',
          queues: {
            cpu: { pool: 'threads', concurrency: 2 },
            io: { pool: 'async', concurrency: 100 },
            serial: { pool: 'solo' },
          },
          statusController: true,
          // Workers publish task events, so the dashboard (and `celeriac events`) of any process sees
          // every worker's tasks live; CELERIAC_EVENTS=off saves that traffic.
          events: process.env.CELERIAC_EVENTS !== 'off',
          ...overrides,
        }),
        PrimesModule,
        SharesModule,
        CounterModule,
        WordCountsModule,
        ReportsModule,
        CeleriacHealthModule.forRoot(),
        CeleriacMetricsModule.forRoot({ defaultMetrics: true }),
        CeleriacDashboardModule.forRoot({ path: 'celeriac', guard: DashboardTokenGuard }),
      ],
      controllers: [HealthController, SchedulesController],
    };
  }
}
