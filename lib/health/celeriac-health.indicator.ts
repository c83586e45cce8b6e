import { Injectable } from '@nestjs/common';
import { CeleriacHealth, type CeleriacHealthReport } from './celeriac-health.js';

/**
 * The result of a health indicator as `@nestjs/terminus` reads it: `{ [key]: { status, … } }`.
 * Declared here so Celeriac needs terminus only where an application uses it.
 */
export type CeleriacIndicatorResult<Key extends string = string> = Record<
  Key,
  Omit<CeleriacHealthReport, 'status'> & { status: 'up' | 'down' }
>;

/**
 * A `@nestjs/terminus` health indicator: broker and result backend reachable and, on a node that
 * runs workers, their consumers alive (each reason in the result when down).
 *
 * @example
 * ```ts
 * @Get('health')
 * @HealthCheck()
 * check() {
 *   return this.health.check([() => this.celeriac.isHealthy('celeriac')]);
 * }
 * ```
 */
@Injectable()
export class CeleriacHealthIndicator {
  constructor(private readonly health: CeleriacHealth) {}

  async isHealthy<Key extends string = 'celeriac'>(
    key: Key = 'celeriac' as Key,
    timeoutMs?: number,
  ): Promise<CeleriacIndicatorResult<Key>> {
    const report = await this.health.check(timeoutMs);
    return { [key]: report } as CeleriacIndicatorResult<Key>;
  }
}
