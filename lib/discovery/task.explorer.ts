import { parameterNames } from './parameter-names.js';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, ExternalContextCreator, MetadataScanner } from '@nestjs/core';
import { CELERIAC_OPTIONS, DEFAULT_QUEUE, MAX_PRIORITY, MIN_PRIORITY } from '../celeriac.constants.js';
import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import { getTaskOptions, taskNameOf } from '../decorators/task.decorator.js';
import type { TaskOptions } from '../decorators/task-options.interface.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { resolveBackoff } from '../decorators/backoff.js';
import { createTaskHandler } from './task-handler.factory.js';
import { deliveryPolicyOf } from './delivery-policy.js';
import type { TaskDefinition } from './task-definition.js';
import { checkTaskScope } from './task-scope.js';
import type { ArgumentSchemas } from '../protocol/argument-schema.js';
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
      const prototype = (wrapper.metatype as { prototype?: unknown } | null)?.prototype;
      const scoped = wrapper.isTransient || !wrapper.isDependencyTreeStatic();
      const instance: unknown = scoped ? undefined : wrapper.instance;
      if (scoped && wrapper.isNotMetatype) continue;
      const host: unknown =
        scoped || !instance || typeof instance !== 'object' ? prototype : Object.getPrototypeOf(instance);
      if (!host || typeof host !== 'object' || (!scoped && !instance)) continue;
      for (const methodName of this.scanner.getAllMethodNames(host)) {
        const options = getTaskOptions((host as Record<string, unknown>)[methodName]);
        if (!options) continue;
        if (scoped) checkTaskScope(wrapper, (wrapper.metatype as { name: string }).name, methodName);
        this.registry.register(this.define(instance as object, methodName, options));
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
    const name = taskNameOf(className, methodName, options);
    const policy = deliveryPolicyOf(name, options, where);
    return {
      name,
      queue,
      className,
      methodName,
      options,
      retries: options.retries ?? 0,
      backoff: resolveBackoff(options.backoff),
      rateLimit: policy.workerRate,
      policy,
      paramTypes,
      requiredArgs: method.length,
      paramNames: parameterNames(method),
      instance,
      handler: withSchemas(
        createTaskHandler(
          this.contextCreator,
          instance,
          method,
          methodName,
          Math.max(paramTypes.length, method.length),
        ),
        policy.schemas,
      ),
    };
  }
}

/** The method receives what its schemas parsed (defaults, coercions, DTO instances), not the raw JSON. */
function withSchemas(
  handler: TaskDefinition['handler'],
  schemas?: ArgumentSchemas,
): TaskDefinition['handler'] {
  if (!schemas) return handler;
  return async (...args) => handler(...(await schemas.parse(args)));
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
