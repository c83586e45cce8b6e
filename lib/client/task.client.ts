import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type Type } from '@nestjs/common';
import type { ResultBackend } from '../backends/result-backend.interface.js';
import { TaskState } from '../backends/task-state.js';
import type { Broker } from '../brokers/broker.interface.js';
import { CELERIAC_BACKEND, CELERIAC_BROKER, CELERIAC_OPTIONS, DEFAULT_QUEUE } from '../celeriac.constants.js';
import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import { getTaskOptions, taskNameOf } from '../decorators/task.decorator.js';
import type { TaskOptions } from '../decorators/task-options.interface.js';
import { TaskRegistry } from '../discovery/task.registry.js';
import { InvalidArgumentsError } from '../errors/invalid-arguments.error.js';
import { PayloadTooLargeError } from '../errors/payload-too-large.error.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { encodeEnvelope, validateEnvelope } from '../protocol/envelope.codec.js';
import type { JsonValue } from '../protocol/json-value.js';
import { PROTOCOL_VERSION, type TaskEnvelope } from '../protocol/task-envelope.js';
import { checkArguments, toJsonSafe } from '../utils/check-arguments.js';
import { findCurrentTask } from '../worker/task-context.js';
import type { SendOptions } from './send-options.interface.js';
import { TaskHandle } from './task.handle.js';
import type { TaskArgs, TaskMethodName, TaskResult } from './task-method.types.js';

/**
 * Sends tasks. Inject it anywhere; it works on producer-only nodes too.
 * `send` resolves once the broker has confirmed the message, so a handle always refers to a
 * task the broker accepted.
 */
@Injectable()
export class TaskClient {
  constructor(
    @Inject(CELERIAC_BROKER) private readonly broker: Broker,
    @Inject(CELERIAC_BACKEND) private readonly backend: ResultBackend,
    @Inject(CELERIAC_OPTIONS) private readonly options: ResolvedCeleriacOptions,
    private readonly registry: TaskRegistry,
  ) {}

  /** Sends `TaskClass.method(...args)`; argument and result types come from the method. */
  send<T, M extends TaskMethodName<T>>(
    taskClass: Type<T>,
    method: M,
    args: TaskArgs<T, M>,
    options: SendOptions = {},
  ): Promise<TaskHandle<TaskResult<T, M>>> {
    const taskOptions = getTaskOptions((taskClass.prototype as Record<string, unknown>)[method]);
    if (!taskOptions) {
      throw new TaskDefinitionError(`${taskClass.name}.${method}() is not a @Task method`);
    }
    const name = taskNameOf(taskClass.name, method, taskOptions);
    return this.publish(name, args, taskOptions, options);
  }

  /** Sends a task by its registered name, for tasks whose class this process cannot import. */
  sendByName<TResult = unknown>(
    name: string,
    args: unknown[] = [],
    options: SendOptions = {},
  ): Promise<TaskHandle<TResult>> {
    const taskOptions = this.registry.find(name)?.options ?? {};
    return this.publish(name, args, taskOptions, options);
  }

  /** A handle for a task id received earlier (e.g. from an HTTP client). */
  handle<TResult = unknown>(taskId: string): TaskHandle<TResult> {
    return new TaskHandle<TResult>(taskId, this.backend);
  }

  private async publish<TResult>(
    name: string,
    args: unknown[],
    taskOptions: TaskOptions,
    options: SendOptions,
  ): Promise<TaskHandle<TResult>> {
    // The worker validates what it receives; checking here too turns a bad option into the caller's error.
    const envelope = validateEnvelope(this.buildEnvelope(name, args, taskOptions, options));
    const body = encodeEnvelope(envelope);
    const bytes = Buffer.byteLength(body);
    if (bytes > this.options.maxPayloadBytes)
      throw new PayloadTooLargeError(name, bytes, this.options.maxPayloadBytes);
    // PENDING goes first: a fast worker's later writes must not be overwritten by it.
    await this.backend.write({
      id: envelope.id,
      state: TaskState.PENDING,
      task: name,
      queue: envelope.queue,
      retries: 0,
      updatedAt: Date.now(),
      rootId: envelope.rootId,
      parentId: envelope.parentId,
    });
    await this.broker.publish(envelope.queue, body, {
      delayMs: envelope.eta === undefined ? undefined : Math.max(0, envelope.eta - Date.now()),
      priority: envelope.priority,
      messageId: envelope.id,
    });
    return new TaskHandle<TResult>(envelope.id, this.backend);
  }

  private buildEnvelope(
    name: string,
    args: unknown[],
    taskOptions: TaskOptions,
    options: SendOptions,
  ): TaskEnvelope {
    if (!Array.isArray(args)) throw new InvalidArgumentsError(name, 'arguments must be an array');
    const definition = this.registry.find(name);
    if (definition) checkArguments(definition, args);
    const queue = options.queue ?? taskOptions.queue ?? DEFAULT_QUEUE;
    if (!this.options.queues[queue]) {
      throw new TaskDefinitionError(
        `task "${name}": unknown queue "${queue}" (configured: ${Object.keys(this.options.queues).join(', ')})`,
      );
    }
    const now = Date.now();
    const id = options.taskId ?? randomUUID();
    const parent = findCurrentTask();
    const eta =
      options.eta !== undefined ? +options.eta : options.countdown ? now + options.countdown : undefined;
    const expires =
      options.expires instanceof Date
        ? +options.expires
        : (options.expires ?? taskOptions.expires) !== undefined
          ? now + (options.expires ?? taskOptions.expires)!
          : undefined;
    return {
      v: PROTOCOL_VERSION,
      id,
      task: name,
      queue,
      args: toJsonSafe(args, `arguments of task "${name}"`) as JsonValue[],
      kwargs: {},
      retries: 0,
      createdAt: now,
      eta,
      expires,
      priority: options.priority ?? taskOptions.priority,
      timeLimit: options.timeLimit,
      rootId: options.rootId ?? parent?.rootId ?? id,
      parentId: options.parentId ?? parent?.id,
      ignoreResult: options.ignoreResult ?? taskOptions.ignoreResult,
    };
  }
}
