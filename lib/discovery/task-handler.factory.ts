import type { ArgumentsHost } from '@nestjs/common';
import type { ExternalContextCreator } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { describeTaskParams, TASK_ARGS_METADATA, TaskParamsFactory } from './task-params.js';

/** Context type reported to guards, interceptors and filters that run around a task (`host.getType()`). */
export const TASK_CONTEXT_TYPE = 'celeriac';

type TaskMethod = (...args: unknown[]) => unknown;

/** The part of Nest's filter chain for one handler that Celeriac uses. */
interface FilterChain {
  /** The result of the first filter that handles `exception`; undefined when none does. */
  invokeCustomFilters(exception: unknown, host: ArgumentsHost): unknown;
}

interface FilterChainFactory {
  create(instance: object, callback: TaskMethod, moduleKey: string): FilterChain;
}

/**
 * Wraps a `@Task` method with the application's guards, interceptors, pipes and exception
 * filters, as Nest does for its own handlers. One difference: an error no filter handles is
 * rethrown as it is. Nest's default filter would first log it as an ERROR with its stack
 * ("ExceptionsHandler") — for a task, on every failed attempt, even a retry it asked for. The
 * executor logs attempts itself (a WARN per retried attempt, an ERROR when the task fails).
 *
 * Pipes, as golevelup applies them to RabbitMQ handlers: each of the method's `paramCount`
 * parameters is described (with its declared type) and filled by a params factory, so
 * `@UsePipes(new ValidationPipe())` transforms and checks task arguments as it does a controller's.
 */
export function createTaskHandler(
  contextCreator: ExternalContextCreator,
  instance: object,
  method: TaskMethod,
  methodName: string,
  paramCount: number,
): (...args: unknown[]) => Promise<unknown> {
  describeTaskParams(instance.constructor, methodName, paramCount);
  const params = new TaskParamsFactory();
  const create = (filters: boolean): ((...args: unknown[]) => Promise<unknown>) =>
    contextCreator.create(
      instance,
      method,
      methodName,
      TASK_ARGS_METADATA,
      params,
      undefined,
      undefined,
      { guards: true, interceptors: true, filters },
      TASK_CONTEXT_TYPE,
    );
  const chains = (contextCreator as unknown as { filtersContextCreator?: Partial<FilterChainFactory> })
    .filtersContextCreator;
  // Should Nest's internals move, filters still apply: through Nest's own (logging) proxy.
  if (typeof chains?.create !== 'function') return create(true);
  const filterChain = chains.create(
    instance,
    method,
    contextCreator.getContextModuleKey(instance.constructor),
  );
  const target = create(false);
  return async (...args: unknown[]) => {
    try {
      return await target(...args);
    } catch (error) {
      const host = new ExecutionContextHost(args);
      host.setType(TASK_CONTEXT_TYPE);
      const handled = filterChain.invokeCustomFilters(error, host);
      if (handled === undefined) throw error;
      return handled;
    }
  };
}
