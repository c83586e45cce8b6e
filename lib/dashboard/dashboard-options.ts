import type { CanActivate, ModuleMetadata, Type } from '@nestjs/common';

/** DI token of {@link CeleriacDashboardOptions}. */
export const CELERIAC_DASHBOARD_OPTIONS = Symbol('CELERIAC_DASHBOARD_OPTIONS');

/** Options of `CeleriacDashboardModule.forRoot()`. */
export interface CeleriacDashboardOptions {
  /** Where the page and its API are served (default `celeriac`). */
  path?: string;
  /**
   * Who may see and operate the dashboard: a Nest guard (class or instance) run on the page, its
   * API and its event stream. Required unless `public: true`.
   */
  guard?: Type<CanActivate> | CanActivate;
  /** Serve the dashboard without a guard, to anyone who reaches the route. Never the default. */
  public?: boolean;
  /** Modules the guard's own dependencies come from. */
  imports?: ModuleMetadata['imports'];
  /** Tasks kept in the recent-task list (default 1 000; the oldest is forgotten first). */
  historySize?: number;
}
