import { randomBytes, timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';

let generated: string | undefined;

/**
 * The token the dashboard asks for: CELERIAC_DASHBOARD_TOKEN, or one made up at start-up (the
 * sample app prints the dashboard's URL with it).
 */
export function dashboardToken(): string {
  return process.env.CELERIAC_DASHBOARD_TOKEN || (generated ??= randomBytes(16).toString('hex'));
}

interface TokenRequest {
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
}

/**
 * A demo guard for the dashboard: the token as `Authorization: Bearer <token>`, or `?token=` (the
 * page passes it on to its API and event stream). No token: 401; a wrong one: 403. A real
 * application would use its own authentication here.
 */
@Injectable()
export class DashboardTokenGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<TokenRequest>();
    const header = request.headers.authorization;
    const bearer = typeof header === 'string' ? /^Bearer (.+)$/i.exec(header)?.[1] : undefined;
    const query = request.query?.token;
    const given = bearer ?? (typeof query === 'string' ? query : undefined);
    if (!given) {
      throw new UnauthorizedException('the dashboard needs its token: open it with ?token=…');
    }
    const expected = Buffer.from(dashboardToken());
    const offered = Buffer.from(given);
    if (offered.length !== expected.length || !timingSafeEqual(offered, expected)) {
      throw new ForbiddenException('wrong dashboard token');
    }
    return true;
  }
}
