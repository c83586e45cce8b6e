import type { Type } from '@nestjs/common';
import type { SendOptions } from '../client/send-options.interface.js';
import type { TaskMethodName, TaskResult } from '../client/task-method.types.js';
import { getTaskOptions, taskNameOf } from '../decorators/task.decorator.js';
import type { TaskOptions } from '../decorators/task-options.interface.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';

/** Per-signature options: every send option, `link` and `linkError` included. */
export type SignatureOptions = Omit<SendOptions, 'parentId' | 'rootId'>;

/**
 * A serializable description of one task call, to be composed into chains, groups and chords.
 * A (mutable) signature in a workflow receives its parent's result as its first argument; an
 * immutable one (`si`) ignores it.
 */
export class Signature<TResult = unknown> {
  readonly kind = 'signature';
  /** Phantom field carrying the result type for inference; never set. */
  declare readonly __result?: TResult;

  constructor(
    readonly task: string,
    readonly args: unknown[],
    readonly taskOptions: TaskOptions,
    readonly options: SignatureOptions = {},
    readonly immutable = false,
  ) {}

  /** A copy with more options. */
  set(options: SignatureOptions): Signature<TResult> {
    return new Signature<TResult>(
      this.task,
      this.args,
      this.taskOptions,
      { ...this.options, ...options },
      this.immutable,
    );
  }
}

/** `sig(ScrapeTasks, 'scrape', url)`: a signature for a `@Task` method; a parent's result goes first. */
export function sig<T, M extends TaskMethodName<T>>(
  taskClass: Type<T>,
  method: M,
  ...args: unknown[]
): Signature<TaskResult<T, M>> {
  const taskOptions = getTaskOptions((taskClass.prototype as Record<string, unknown>)[method]);
  if (!taskOptions) throw new TaskDefinitionError(`${taskClass.name}.${method}() is not a @Task method`);
  return new Signature(taskNameOf(taskClass.name, method, taskOptions), args, taskOptions);
}

/** An immutable signature: it runs with exactly `args`, ignoring any parent result. */
export function si<T, M extends TaskMethodName<T>>(
  taskClass: Type<T>,
  method: M,
  ...args: unknown[]
): Signature<TaskResult<T, M>> {
  const base = sig(taskClass, method, ...args);
  return new Signature(base.task, base.args, base.taskOptions, base.options, true);
}

/** A signature by task name, for tasks whose class this process cannot import. */
export function sigByName<TResult = unknown>(
  name: string,
  args: unknown[] = [],
  options: SignatureOptions & { immutable?: boolean } = {},
): Signature<TResult> {
  const { immutable, ...rest } = options;
  return new Signature<TResult>(name, args, {}, rest, immutable ?? false);
}
