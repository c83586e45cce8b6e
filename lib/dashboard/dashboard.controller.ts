import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  type MessageEvent,
  Param,
  Post,
  Query,
  Req,
  Sse,
  type Type,
  UseGuards,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import { DASHBOARD_SCRIPT } from './dashboard-script.js';
import { DASHBOARD_STYLE } from './dashboard-style.js';
import { dashboardPage } from './dashboard-page.js';
import type { CeleriacDashboardOptions } from './dashboard-options.js';
import { DashboardService } from './dashboard.service.js';

/** The page loads nothing from anywhere but its own route (no CDN, no inline script). */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'";

interface RequestUrl {
  originalUrl?: string;
  url?: string;
}

/** Message ids a replay or delete applies to; absent: every dead letter of the queue. */
interface DeadLetterSelection {
  ids?: unknown;
}

function idsOf(body: DeadLetterSelection | undefined): string[] | undefined {
  const ids = body?.ids;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : undefined;
}

/**
 * The page's script and style sheet: the same for everyone and holding no data, so they are served
 * without the guard (a browser loads them without the token the page's API calls carry).
 */
export function createDashboardAssetsController(path: string): Type<unknown> {
  @Controller(`${path}/assets`)
  class CeleriacDashboardAssetsController {
    @Get('dashboard.js')
    @Header('Content-Type', 'text/javascript; charset=utf-8')
    script(): string {
      return DASHBOARD_SCRIPT;
    }

    @Get('dashboard.css')
    @Header('Content-Type', 'text/css; charset=utf-8')
    style(): string {
      return DASHBOARD_STYLE;
    }
  }
  return CeleriacDashboardAssetsController;
}

/** Builds the dashboard's controller on `path` (page, API, event stream), behind `guard` when one is given. */
export function createDashboardController(path: string, options: CeleriacDashboardOptions): Type<unknown> {
  const guards = options.guard ? [options.guard] : [];

  @Controller(path)
  @UseGuards(...guards)
  class CeleriacDashboardController {
    constructor(private readonly dashboard: DashboardService) {}

    @Get()
    @Header('Content-Type', 'text/html; charset=utf-8')
    @Header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    @Header('Cache-Control', 'no-store')
    page(@Req() request: RequestUrl): string {
      // Links resolve from the URL the page was reached at, so a global prefix or proxy path works.
      const url = (request.originalUrl ?? request.url ?? `/${path}`).split('?')[0];
      return dashboardPage(url.endsWith('/') ? url : `${url}/`);
    }

    @Get('api/overview')
    overview() {
      return this.dashboard.overview();
    }

    @Get('api/workers')
    workers() {
      return this.dashboard.workers();
    }

    @Get('api/queues')
    queues() {
      return this.dashboard.queues();
    }

    @Get('api/tasks')
    tasks(
      @Query('state') state?: string,
      @Query('task') task?: string,
      @Query('queue') queue?: string,
      @Query('limit') limit?: string,
    ) {
      const count = limit === undefined ? undefined : Math.min(Math.max(Number(limit) || 1, 1), 1_000);
      return this.dashboard.tasks({ state, task, queue, limit: count });
    }

    @Get('api/workflows')
    workflows() {
      return this.dashboard.workflows();
    }

    @Get('api/schedules')
    schedules() {
      return this.dashboard.schedules();
    }

    @Get('api/tasks/:id')
    task(@Param('id') id: string) {
      return this.dashboard.task(id);
    }

    @Post('api/tasks/:id/revoke')
    @HttpCode(HttpStatus.OK)
    revoke(@Param('id') id: string) {
      return this.dashboard.revoke(id);
    }

    @Post('api/tasks/:id/retry')
    @HttpCode(HttpStatus.OK)
    retry(@Param('id') id: string) {
      return this.dashboard.retry(id);
    }

    @Get('api/queues/:queue/dead-letters')
    deadLetters(@Param('queue') queue: string) {
      return this.dashboard.deadLetters(queue);
    }

    @Post('api/queues/:queue/dead-letters/replay')
    @HttpCode(HttpStatus.OK)
    async replay(@Param('queue') queue: string, @Body() body?: DeadLetterSelection) {
      return { replayed: await this.dashboard.replay(queue, idsOf(body)) };
    }

    @Post('api/queues/:queue/dead-letters/delete')
    @HttpCode(HttpStatus.OK)
    async delete(@Param('queue') queue: string, @Body() body?: DeadLetterSelection) {
      return { deleted: await this.dashboard.deleteDeadLetters(queue, idsOf(body)) };
    }

    @Sse('api/events')
    events(): Observable<MessageEvent> {
      return this.dashboard.stream();
    }
  }
  return CeleriacDashboardController;
}
