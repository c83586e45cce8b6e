import { type DynamicModule, Module } from '@nestjs/common';
import { CeleriacHealth } from './celeriac-health.js';
import { CeleriacHealthIndicator } from './celeriac-health.indicator.js';
import { createHealthController } from './health.controller.js';

export interface CeleriacHealthModuleOptions {
  /** Serve the plain route here (default `health`); `false` for none (terminus indicator only). */
  path?: string | false;
}

/**
 * Health checks of Celeriac's connections: `CeleriacHealth` (a report), `CeleriacHealthIndicator`
 * (for `@nestjs/terminus`) and, unless `path: false`, a plain `GET /health` that needs no terminus.
 * Import it next to `CeleriacModule.forRoot()`.
 */
@Module({})
export class CeleriacHealthModule {
  static forRoot(options: CeleriacHealthModuleOptions = {}): DynamicModule {
    const path = options.path ?? 'health';
    return {
      module: CeleriacHealthModule,
      providers: [CeleriacHealth, CeleriacHealthIndicator],
      controllers: path === false ? [] : [createHealthController(path)],
      exports: [CeleriacHealth, CeleriacHealthIndicator],
    };
  }
}
