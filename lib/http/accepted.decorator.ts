import { applyDecorators, HttpCode, HttpStatus, UseInterceptors } from '@nestjs/common';
import { AcceptedInterceptor } from './accepted.interceptor.js';

/**
 * For a route that returns a `TaskHandle`: answers `202 Accepted` with `Location: /tasks/<id>`
 * and `{ id, state, links: { status } }`, so the client can follow the task.
 */
export function Accepted(): MethodDecorator & ClassDecorator {
  return applyDecorators(HttpCode(HttpStatus.ACCEPTED), UseInterceptors(AcceptedInterceptor));
}
