import { Inject, Injectable, type OnModuleDestroy, Optional, type Type } from '@nestjs/common';
import type { ResultBackend } from '../backends/result-backend.interface.js';
import { TaskState } from '../backends/task-state.js';
import type { Broker } from '../brokers/broker.interface.js';
import type { Chain, Chord, Group } from '../canvas/canvas.js';
import { Signature } from '../canvas/signature.js';
import { StepRunner } from '../canvas/step.runner.js';
import { WorkflowPlanner, type PlannedWorkflow } from '../canvas/workflow.planner.js';
import { CELERIAC_BACKEND, CELERIAC_BROKER, CELERIAC_OPTIONS } from '../celeriac.constants.js';
import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import { getTaskOptions, taskNameOf } from '../decorators/task.decorator.js';
import type { TaskOptions } from '../decorators/task-options.interface.js';
import { TaskRegistry } from '../discovery/task.registry.js';
import { ForeignWorkflowError } from '../errors/foreign-workflow.error.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { BatchItemError } from '../errors/batch-item.error.js';
import { CeleriacError } from '../errors/celeriac.error.js';
import { InvalidArgumentsError } from '../errors/invalid-arguments.error.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';
import type { WireMessage } from '../protocol/wire-codec.js';
import { createCeleriacLogger } from '../logging/celeriac-logger.js';
import { type WireCodecs, wireCodecsFor } from '../protocol/wire-codecs.js';
import { TaskEvents } from '../worker/task-events.js';
import { EnvelopeFactory } from './envelope.factory.js';
import { EnvelopePublisher } from './envelope.publisher.js';
import { GroupHandle } from './group.handle.js';
import type { SendOptions } from './send-options.interface.js';
import { ReplyRegistry, type PendingReply } from './reply-registry.js';
import { TaskHandle } from './task.handle.js';
import { claimDedup, policyFor } from './send-policies.js';
import { UnroutedNameWarning } from './unrouted-name-warning.js';
import { UnconsumedQueueWatch } from './unconsumed-queue.watch.js';
import type { TaskArgs, TaskMethodName, TaskResult } from './task-method.types.js';

/** Handle of a chain: a task handle, or a group handle when the chain ends with a group. */
export type ChainHandle<TResult> = TaskHandle<TResult> | GroupHandle<unknown>;

/** The registered name and options of `taskClass.method`, which must be a `@Task` method. */
function taskOf(taskClass: Type, method: string): { name: string; taskOptions: TaskOptions } {
  const taskOptions = getTaskOptions((taskClass.prototype as Record<string, unknown>)[method]);
  if (!taskOptions) {
    throw new TaskDefinitionError(`${taskClass.name}.${method}() is not a @Task method`);
  }
  return { name: taskNameOf(taskClass.name, method, taskOptions), taskOptions };
}

/**
 * Sends tasks and workflows. Inject it anywhere; it works on producer-only nodes too.
 * `send` resolves once the broker has confirmed the message, so a handle always refers to a
 * task the broker accepted.
 */
@Injectable()
export class TaskClient implements OnModuleDestroy {
  private readonly factory: EnvelopeFactory;
  private readonly publisher: EnvelopePublisher;
  private readonly steps: StepRunner;
  private readonly wire: WireCodecs;
  private readonly unrouted: UnroutedNameWarning;
  private readonly replies: ReplyRegistry;
  private readonly unconsumed: UnconsumedQueueWatch;

  constructor(
    @Inject(CELERIAC_BROKER) broker: Broker,
    @Inject(CELERIAC_BACKEND) private readonly backend: ResultBackend,
    @Inject(CELERIAC_OPTIONS) private readonly options: ResolvedCeleriacOptions,
    private readonly registry: TaskRegistry,
    @Optional() events?: TaskEvents,
  ) {
    this.factory = new EnvelopeFactory(registry, options);
    this.wire = wireCodecsFor(options);
    this.publisher = new EnvelopePublisher(
      broker,
      backend,
      options.maxPayloadBytes,
      options.resultTtl,
      this.wire,
      events,
    );
    this.steps = new StepRunner(this.publisher, backend, options.resultTtl);
    const logger = createCeleriacLogger('Celeriac', options.logger);
    this.unrouted = new UnroutedNameWarning(registry, logger);
    this.replies = new ReplyRegistry(backend);
    this.unconsumed = new UnconsumedQueueWatch(broker, logger, options.unconsumedQueueWarning, {
      url: options.broker,
      prefix: options.prefix,
    });
  }

  onModuleDestroy(): void {
    this.unconsumed.close();
  }

  /** Tasks sent from here whose final record this process still holds a place for (monitoring, leak checks). */
  get pendingReplies(): number {
    return this.replies.size;
  }

  /** Sends `TaskClass.method(...args)`; argument and result types come from the method. */
  send<T, M extends TaskMethodName<T>>(
    taskClass: Type<T>,
    method: M,
    args: TaskArgs<T, M>,
    options: SendOptions = {},
  ): Promise<TaskHandle<TaskResult<T, M>>> {
    const { name, taskOptions } = taskOf(taskClass, method);
    return this.publish(name, args, taskOptions, options);
  }

  /** Sends a task by its registered name, for tasks whose class this process cannot import. */
  sendByName<TResult = unknown>(
    name: string,
    args: unknown[] = [],
    options: SendOptions = {},
  ): Promise<TaskHandle<TResult>> {
    this.unrouted.check(name, options.queue);
    return this.publish(name, args, this.registry.find(name)?.options ?? {}, options);
  }

  /**
   * Sends `TaskClass.method` once per argument list, in order, in as few broker round trips as the
   * broker allows: on Redis one script per 1 000 tasks (their PENDING records inside it where broker
   * and backend share one standalone Redis), on RabbitMQ every publish at once with their confirms
   * awaited together, on the embedded broker a loop. Every item is checked first (arguments, schema,
   * payload size, queue); if one is refused the call rejects with a {@link BatchItemError} naming
   * its index, and nothing of the batch is sent. `options` apply to every task; `taskId`,
   * `dedupKey`, `link` and `linkError` belong to one task and are refused here. Resolves with the
   * handles in the order of `argsList` once the broker confirmed every message.
   */
  sendMany<T, M extends TaskMethodName<T>>(
    taskClass: Type<T>,
    method: M,
    argsList: readonly TaskArgs<T, M>[],
    options: SendOptions = {},
  ): Promise<TaskHandle<TaskResult<T, M>>[]> {
    const { name, taskOptions } = taskOf(taskClass, method);
    return this.publishMany(name, argsList, taskOptions, options);
  }

  /** {@link sendMany} by the task's registered name, as {@link sendByName}. */
  sendManyByName<TResult = unknown>(
    name: string,
    argsList: readonly unknown[][],
    options: SendOptions = {},
  ): Promise<TaskHandle<TResult>[]> {
    this.unrouted.check(name, options.queue);
    return this.publishMany(name, argsList, this.registry.find(name)?.options ?? {}, options);
  }

  /** A handle for a task id received earlier (e.g. from an HTTP client). */
  handle<TResult = unknown>(taskId: string): TaskHandle<TResult> {
    return new TaskHandle<TResult>(taskId, this.backend);
  }

  /** A handle for a group id received earlier. */
  groupHandle<TResult = unknown>(groupId: string, memberIds: string[] = []): GroupHandle<TResult> {
    return new GroupHandle<TResult>(groupId, memberIds, this.backend);
  }

  /**
   * Starts a workflow: a signature (with `link` / `linkError`), a `chain`, a `group` or a `chord`.
   * Every task and group gets its record (PENDING) before the first message is published.
   */
  apply<TResult>(workflow: Signature<TResult> | Chord<TResult>): Promise<TaskHandle<TResult>>;
  apply<TResult>(workflow: Group<TResult>): Promise<GroupHandle<TResult>>;
  apply<TResult>(workflow: Chain<TResult>): Promise<ChainHandle<TResult>>;
  async apply(
    workflow: Signature | Chain | Group | Chord,
  ): Promise<TaskHandle<unknown> | GroupHandle<unknown>> {
    const plan = new WorkflowPlanner(this.factory).plan(workflow);
    refuseForeignWorkflow(plan, this.wire);
    await this.steps.store.saveSteps(plan.steps as never, this.options.resultTtl);
    for (const group of plan.groups) {
      await this.steps.writeGroupRecord(group.id, TaskState.PENDING, group.size, { rootId: plan.path[0].id });
    }
    await Promise.all(plan.envelopes.map((envelope) => this.publisher.writePending(envelope)));
    await this.steps.run(plan.start);
    for (const envelope of plan.envelopes) this.unconsumed.sent(envelope.queue);
    return this.handleFor(plan);
  }

  private handleFor(plan: PlannedWorkflow): TaskHandle<unknown> | GroupHandle<unknown> {
    let handle: TaskHandle<unknown> | GroupHandle<unknown> | undefined;
    for (const link of plan.path) {
      handle =
        link.kind === 'group'
          ? new GroupHandle(link.id, link.memberIds, this.backend)
          : new TaskHandle(link.id, this.backend, handle);
    }
    return handle!;
  }

  private async publishMany<TResult>(
    name: string,
    argsList: readonly unknown[][],
    taskOptions: TaskOptions,
    options: SendOptions,
  ): Promise<TaskHandle<TResult>[]> {
    refuseBatchOptions(name, options);
    if (!isList(argsList)) throw new InvalidArgumentsError(name, 'sendMany takes an array of argument lists');
    const schemas = policyFor(this.registry, name, taskOptions).schemas;
    const envelopes: TaskEnvelope[] = [];
    for (let index = 0; index < argsList.length; index++) {
      try {
        await schemas?.parse(argsList[index]);
        envelopes.push(this.factory.create(name, argsList[index], taskOptions, options));
      } catch (error) {
        throw new BatchItemError(index, argsList.length, error);
      }
    }
    if (envelopes.length === 0) return [];
    const { queue, ignoreResult } = envelopes[0];
    const replies: PendingReply[] = [];
    const messages: WireMessage[] = [];
    try {
      const replied = !ignoreResult && this.wire.protocolOf(queue) === 'celeriac';
      for (let index = 0; index < envelopes.length; index++) {
        const envelope = envelopes[index];
        const reply = replied ? await this.replies.prepare(envelope.id) : undefined;
        if (reply) replies[index] = reply;
        if (reply) envelope.replyTo = reply.address;
        try {
          messages.push(this.publisher.encode(envelope));
        } catch (error) {
          throw new BatchItemError(index, envelopes.length, error);
        }
      }
      await this.publisher.publishManyWithPending(envelopes, messages);
    } catch (error) {
      for (const reply of replies) if (reply) this.replies.cancel(reply);
      throw error;
    }
    this.unconsumed.sent(queue);
    return envelopes.map((envelope, index) => {
      const reply = replies[index] as PendingReply | undefined;
      const handle = new TaskHandle<TResult>(envelope.id, this.backend, undefined, {
        task: name,
        ignoreResult: envelope.ignoreResult,
        reply,
      });
      if (reply) this.replies.bind(reply, handle);
      return handle;
    });
  }

  private async publish<TResult>(
    name: string,
    args: unknown[],
    taskOptions: TaskOptions,
    options: SendOptions,
  ): Promise<TaskHandle<TResult>> {
    if (options.link || options.linkError) {
      if (options.dedupKey !== undefined) {
        throw new TaskDefinitionError(`task "${name}": dedupKey cannot be combined with link or linkError`);
      }
      return this.apply(new Signature<TResult>(name, args, taskOptions, options));
    }
    await policyFor(this.registry, name, taskOptions).schemas?.parse(args);
    const envelope = this.factory.create(name, args, taskOptions, options);
    // Only Celeriac's own format carries a reply address; a Celery-mode queue's waiters watch the task.
    const replies = !envelope.ignoreResult && this.wire.protocolOf(envelope.queue) === 'celeriac';
    const reply = replies ? await this.replies.prepare(envelope.id) : undefined;
    if (reply) envelope.replyTo = reply.address;
    try {
      const message = this.publisher.encode(envelope);
      const existing = await claimDedup(this.backend.policies, envelope, this.options.resultTtl);
      if (existing !== undefined) {
        if (reply) this.replies.cancel(reply);
        return new TaskHandle<TResult>(existing, this.backend);
      }
      try {
        await this.publisher.publishWithPending(envelope, message);
      } catch (error) {
        if (envelope.policy?.dedupKey) {
          await this.backend.policies
            ?.settleDedup(envelope.policy.dedupKey, envelope.id, 0)
            .catch(() => undefined);
        }
        throw error;
      }
    } catch (error) {
      if (reply) this.replies.cancel(reply);
      throw error;
    }
    this.unconsumed.sent(envelope.queue);
    const handle = new TaskHandle<TResult>(envelope.id, this.backend, undefined, {
      task: name,
      ignoreResult: envelope.ignoreResult,
      reply,
    });
    if (reply) this.replies.bind(reply, handle);
    return handle;
  }
}

/** `Array.isArray` without narrowing the list to `any[]`. */
function isList(value: unknown): boolean {
  return Array.isArray(value);
}

/** Options that name one task cannot apply to a whole batch. */
function refuseBatchOptions(name: string, options: SendOptions): void {
  const single = (['taskId', 'dedupKey', 'link', 'linkError'] as const).find(
    (key) => options[key] !== undefined,
  );
  if (single === undefined) return;
  throw new CeleriacError(
    'INVALID_OPTION',
    `task "${name}": sendMany cannot take "${single}" (it belongs to one task); use send for such a task`,
  );
}

/** Workflows live in Celeriac's result store; a queue shared with Celery cannot take part in one. */
function refuseForeignWorkflow(plan: PlannedWorkflow, wire: WireCodecs): void {
  const foreign = plan.envelopes.find((envelope) => wire.protocolOf(envelope.queue) !== 'celeriac');
  if (!foreign) return;
  throw new ForeignWorkflowError(foreign.task, foreign.queue, wire.protocolOf(foreign.queue));
}
