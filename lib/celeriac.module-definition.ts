import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { CeleriacModuleOptions } from './celeriac-options.interface.js';

/** Module-level switches that shape the module itself rather than the runtime options. */
export interface CeleriacModuleExtras {
  /** Register the module globally (default true), so `TaskClient` is injectable everywhere. */
  isGlobal?: boolean;
  /** Serve `GET /tasks/:id`, `DELETE /tasks/:id` and `GET /tasks/:id/events`; `true` or `{ path }`. */
  statusController?: boolean | { path: string };
}

export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN, OPTIONS_TYPE, ASYNC_OPTIONS_TYPE } =
  new ConfigurableModuleBuilder<CeleriacModuleOptions>()
    .setClassMethodName('forRoot')
    .setExtras<CeleriacModuleExtras>({ isGlobal: true, statusController: false }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal ?? true,
    }))
    .build();
