import { parameterNames } from './parameter-names.js';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator, MetadataScanner } from '@nestjs/core';
import { CELERIAC_OPTIONS, DEFAULT_QUEUE, MAX_PRIORITY, MIN_PRIORITY } from '../celeriac.constants.js';
import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import { getTaskOptions, taskNameOf } from '../decorators/task.decorator.js';
import type { TaskOptions } from '../decorators/task-options.interface.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { resolveBackoff } from '../decorators/backoff.js';
import { parseRateLimit } from '../decorators/rate-limit.js';
import { createTaskHandler } from './task-handler.factory.js';
import type { TaskDefinition } from './task-definition.js';
import { TaskRegistry } from './task.registry.js';

/**
 * Walks every provider at bootstrap, finds `@Task` methods and registers them. A wrong declaration
 * (duplicate name, unknown queue, bad rate limit, bad retries/priority) fails the bootstrap here,
 * with a message naming the class and method, rather than at the first message.
 */
@Injectable()
export class TaskExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly contextCreator: ExternalContextCreator,
    private readonly registry: TaskRegistry,
    @Inject(CELERIAC_OPTIONS) private readonly options: ResolvedCeleriacOptions,
  ) {}

  private explored = false;

  onModuleInit(): void {
    this.explore();
  }

  /**
   * Registers every task, once. Also called by a worker that starts before the application's
   * init hooks ran (a hybrid app calling `startAllMicroservices()` before `listen()`).
   */
  explore(): void {
    if (this.explored) return;
    this.explored = true;
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const options = getTaskOptions((prototype as Record<string, unknown>)[methodName]);
        if (options) this.registry.register(this.define(instance, methodName, options));
      }
    }
  }

  private define(instance: object, methodName: string, options: TaskOptions): TaskDefinition {
    const className = instance.constructor.name;
    const where = `@Task on ${className}.${methodName}()`;
    const queue = options.queue ?? DEFAULT_QUEUE;
    if (!this.options.queues[queue]) {
      const known = Object.keys(this.options.queues).join(', ');
      throw new TaskDefinitionError(`${where}: unknown queue "${queue}" (configured queues: ${known})`);
    }
    checkOptions(where, options);
    const method = (instance as Record<string, (...args: unknown[]) => unknown>)[methodName];
    const paramTypes = (Reflect.getMetadata(
      'design:paramtypes',
      Object.getPrototypeOf(instance) as object,
      methodName,
    ) ?? []) as unknown[];
    return {
      name: taskNameOf(className, methodName, options),
      queue,
      className,
      methodName,
      options,
      retries: options.retries ?? 0,
      backoff: resolveBackoff(options.backoff),
      rateLimit:
        options.rateLimit === undefined
          ? undefined
          : parseRateLimit(options.rateLimit, `${where}: rateLimit`),
      paramTypes,
      requiredArgs: method.length,
      paramNames: parameterNames(method),
      instance,
      handler: createTaskHandler(this.contextCreator, instance, method, methodName),
    };
  }
}

function checkOptions(where: string, options: TaskOptions): void {
  const nonNegativeInteger = (value: number | undefined): boolean =>
    value === undefined || (Number.isInteger(value) && value >= 0);
  if (!nonNegativeInteger(options.retries))
    throw new TaskDefinitionError(`${where}: retries must be an integer ≥ 0`);
  if (!nonNegativeInteger(options.timeLimit))
    throw new TaskDefinitionError(`${where}: timeLimit must be ms ≥ 0`);
  if (!nonNegativeInteger(options.expires)) throw new TaskDefinitionError(`${where}: expires must be ms ≥ 0`);
  const priority = options.priority;
  if (
    priority !== undefined &&
    !(Number.isInteger(priority) && priority >= MIN_PRIORITY && priority <= MAX_PRIORITY)
  ) {
    throw new TaskDefinitionError(
      `${where}: priority must be an integer from ${MIN_PRIORITY} to ${MAX_PRIORITY}`,
    );
  }
  const backoff = options.backoff;
  if (backoff !== undefined) {
    const delay = typeof backoff === 'number' ? backoff : backoff.delay;
    if (!(Number.isFinite(delay) && delay >= 0))
      throw new TaskDefinitionError(`${where}: backoff delay must be ms ≥ 0`);
    if (typeof backoff === 'object' && backoff.type !== 'fixed' && backoff.type !== 'exponential') {
      throw new TaskDefinitionError(`${where}: backoff type must be "fixed" or "exponential"`);
    }
  }
}
