import { Controller, Get, HttpStatus, Res, type Type } from '@nestjs/common';
import { CeleriacHealth, type CeleriacHealthReport } from './celeriac-health.js';

/** The part of a response the route needs (Express and Fastify both have it). */
interface StatusResponse {
  status(code: number): unknown;
}

/** `GET /<path>`: 200 with the report when everything answers, 503 with it when something does not. */
export function createHealthController(path: string): Type<unknown> {
  @Controller(path)
  class CeleriacHealthController {
    constructor(private readonly health: CeleriacHealth) {}

    @Get()
    async check(@Res({ passthrough: true }) response: StatusResponse): Promise<CeleriacHealthReport> {
      const report = await this.health.check();
      response.status(report.status === 'up' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
      return report;
    }
  }
  return CeleriacHealthController;
}
