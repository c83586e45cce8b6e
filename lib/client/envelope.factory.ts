import { randomUUID } from 'node:crypto';
import { DEFAULT_QUEUE } from '../celeriac.constants.js';
import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import type { TaskOptions } from '../decorators/task-options.interface.js';
import type { TaskRegistry } from '../discovery/task.registry.js';
import { InvalidArgumentsError } from '../errors/invalid-arguments.error.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { validateEnvelope } from '../protocol/envelope.codec.js';
import type { JsonValue } from '../protocol/json-value.js';
import { PROTOCOL_VERSION, type TaskEnvelope } from '../protocol/task-envelope.js';
import { toJsonSafe } from '../protocol/check-arguments.js';
import { bindArguments } from '../protocol/bind-arguments.js';
import { findCurrentTask } from '../worker/task-context.js';
import type { SendOptions } from './send-options.interface.js';
import { policyFields, policyFor } from './send-policies.js';

/**
 * Builds validated envelopes from a task name, arguments, the task's `@Task` options and the
 * call's options. A mistake (bad option, wrong arguments for a task known here) is the caller's
 * error, raised before anything is published.
 */
export class EnvelopeFactory {
  constructor(
    private readonly registry: TaskRegistry,
    private readonly options: ResolvedCeleriacOptions,
  ) {}

  /** `partial`: the arguments will be completed later (a chain link receives its parent's result first). */
  create(
    name: string,
    args: unknown[],
    taskOptions: TaskOptions,
    options: SendOptions,
    partial = false,
  ): TaskEnvelope {
    if (!Array.isArray(args)) throw new InvalidArgumentsError(name, 'arguments must be an array');
    const definition = this.registry.find(name);
    const kwargs = toJsonSafe(options.kwargs ?? {}, `keyword arguments of task "${name}"`);
    if (kwargs === null || typeof kwargs !== 'object' || Array.isArray(kwargs)) {
      throw new InvalidArgumentsError(name, 'keyword arguments must be a plain object');
    }
    const jsonKwargs = kwargs as Record<string, JsonValue>;
    if (definition && !partial) bindArguments(definition, args as JsonValue[], jsonKwargs);
    const queue = options.queue ?? taskOptions.queue ?? definition?.queue ?? DEFAULT_QUEUE;
    if (!this.options.queues[queue]) {
      const known = Object.keys(this.options.queues).join(', ');
      throw new TaskDefinitionError(`task "${name}": unknown queue "${queue}" (configured: ${known})`);
    }
    const now = Date.now();
    const id = options.taskId ?? randomUUID();
    const parent = findCurrentTask();
    return validateEnvelope({
      v: PROTOCOL_VERSION,
      id,
      task: name,
      queue,
      args: toJsonSafe(args, `arguments of task "${name}"`) as JsonValue[],
      kwargs: jsonKwargs,
      retries: 0,
      createdAt: now,
      eta: etaOf(options, now),
      expires: expiresOf(options, taskOptions, now),
      priority: options.priority ?? taskOptions.priority,
      timeLimit: options.timeLimit,
      rootId: options.rootId ?? parent?.rootId ?? id,
      parentId: options.parentId ?? parent?.id,
      ignoreResult: options.ignoreResult ?? taskOptions.ignoreResult,
      policy: policyFields(
        name,
        policyFor(this.registry, name, taskOptions),
        partial ? undefined : args,
        options,
        now,
      ),
    });
  }
}

function etaOf(options: SendOptions, now: number): number | undefined {
  if (options.eta !== undefined) return +options.eta;
  return options.countdown ? now + options.countdown : undefined;
}

function expiresOf(options: SendOptions, taskOptions: TaskOptions, now: number): number | undefined {
  if (options.expires instanceof Date) return +options.expires;
  const after = options.expires ?? taskOptions.expires;
  return after === undefined ? undefined : now + after;
}
