import type { ParamsFactory } from '@nestjs/core/helpers/external-context-creator.js';

/** Metadata key of a task method's parameters, in the shape Nest's route arguments have. */
export const TASK_ARGS_METADATA = 'celeriac:task-args';

/**
 * The only parameter kind a task has: its positional argument number `data`. Its value is Nest's
 * `RouteParamtypes.BODY` (an internal enum), so pipes see `type: 'body'` — the message's body — and
 * `ValidationPipe` validates it (it skips parameters of type `custom`).
 */
const ARGUMENT = 3;

/** Hands each parameter its positional argument, so pipes see (and may replace) every one. */
export class TaskParamsFactory implements ParamsFactory {
  exchangeKeyForValue(_type: number, data: unknown, args: unknown[]): unknown {
    return args[data as number];
  }
}

/**
 * Describes each of a task method's `count` parameters to Nest the way route parameter decorators
 * do, so that `ExternalContextCreator` applies pipes (`@UsePipes`, global pipes) to them with their
 * declared types — what `ValidationPipe` needs to build and check a DTO.
 */
export function describeTaskParams(host: object, methodName: string, count: number): void {
  const params: Record<string, { index: number; data: number; pipes: unknown[] }> = {};
  for (let index = 0; index < count; index++) {
    params[`${ARGUMENT}:${index}`] = { index, data: index, pipes: [] };
  }
  Reflect.defineMetadata(TASK_ARGS_METADATA, params, host, methodName);
}
