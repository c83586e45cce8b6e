import { type DynamicModule, Module } from '@nestjs/common';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { CELERIAC_DASHBOARD_OPTIONS, type CeleriacDashboardOptions } from './dashboard-options.js';
import { createDashboardAssetsController, createDashboardController } from './dashboard.controller.js';
import { DashboardService } from './dashboard.service.js';

/**
 * The built-in dashboard, served by the application itself at `/<path>` (default `/celeriac`):
 * queues with their depths and dead letters (replay, delete), recent tasks with their states,
 * live over server-sent events, and each task's detail (record, timeline, revoke). It refuses to
 * mount without a `guard` unless `public: true` says so explicitly.
 *
 * @example
 * ```ts
 * CeleriacDashboardModule.forRoot({ path: 'celeriac', guard: AdminGuard })
 * ```
 */
@Module({})
export class CeleriacDashboardModule {
  static forRoot(options: CeleriacDashboardOptions): DynamicModule {
    if (!options.guard && options.public !== true) {
      throw new TaskDefinitionError(
        'CeleriacDashboardModule.forRoot() needs a guard (who may see and operate the dashboard), ' +
          'or public: true to serve it to anyone who reaches the route',
      );
    }
    const path = (options.path ?? 'celeriac').replace(/^\/+|\/+$/g, '');
    return {
      module: CeleriacDashboardModule,
      imports: options.imports ?? [],
      providers: [{ provide: CELERIAC_DASHBOARD_OPTIONS, useValue: options }, DashboardService],
      controllers: [createDashboardAssetsController(path), createDashboardController(path, options)],
      exports: [DashboardService],
    };
  }
}
