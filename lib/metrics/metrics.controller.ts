import { Controller, Get, Res, type Type } from '@nestjs/common';
import { CeleriacMetrics } from './celeriac-metrics.js';

/** The part of a response the route needs: Express has `setHeader`, Fastify `header`. */
interface HeaderResponse {
  setHeader?(name: string, value: string): unknown;
  header?(name: string, value: string): unknown;
}

/** `GET /<path>`: the registry's metrics in Prometheus' text format. */
export function createMetricsController(path: string): Type<unknown> {
  @Controller(path)
  class CeleriacMetricsController {
    constructor(private readonly metrics: CeleriacMetrics) {}

    @Get()
    async scrape(@Res({ passthrough: true }) response: HeaderResponse): Promise<string> {
      const text = await this.metrics.metrics();
      const type = this.metrics.registry.contentType;
      if (response.setHeader) response.setHeader('Content-Type', type);
      else response.header?.('Content-Type', type);
      return text;
    }
  }
  return CeleriacMetricsController;
}
