import type { Type } from '@nestjs/common';
import type { ResultBackend } from '../backends/result-backend.interface.js';
import type { Broker } from '../brokers/broker.interface.js';
import type { Chain, Chord, Group } from '../canvas/canvas.js';
import type { Signature } from '../canvas/signature.js';
import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import type { GroupHandle } from '../client/group.handle.js';
import type { SendOptions } from '../client/send-options.interface.js';
import { type ChainHandle, TaskClient } from '../client/task.client.js';
import type { TaskHandle } from '../client/task.handle.js';
import type { TaskArgs, TaskMethodName, TaskResult } from '../client/task-method.types.js';
import type { TaskRegistry } from '../discovery/task.registry.js';
import { findCurrentTask } from '../worker/task-context.js';
import type { TaskEvents } from '../worker/task-events.js';
import type { SentTaskLog } from './sent-task.log.js';
import { TaskExpectationError } from './task-expectation.error.js';
import { describeSentTask } from './sent-task.js';

/**
 * `TaskClient` of an eager testing module: every send resolves once its task has finished on the
 * in-process worker, so the returned handle is settled. Inside a running task, sends are not
 * waited for — the task's own pool slot may be the one the sent task needs.
 */
export class EagerTaskClient extends TaskClient {
  constructor(
    broker: Broker,
    backend: ResultBackend,
    options: ResolvedCeleriacOptions,
    registry: TaskRegistry,
    events: TaskEvents,
    private readonly log: SentTaskLog,
    private readonly timeoutMs: number,
  ) {
    super(broker, backend, options, registry, events);
  }

  override async send<T, M extends TaskMethodName<T>>(
    taskClass: Type<T>,
    method: M,
    args: TaskArgs<T, M>,
    options?: SendOptions,
  ): Promise<TaskHandle<TaskResult<T, M>>> {
    const handle = await super.send(taskClass, method, args, options);
    await this.settle(() => this.log.isFinished(handle.id));
    return handle;
  }

  override async sendByName<TResult = unknown>(
    name: string,
    args?: unknown[],
    options?: SendOptions,
  ): Promise<TaskHandle<TResult>> {
    const handle = await super.sendByName<TResult>(name, args, options);
    await this.settle(() => this.log.isFinished(handle.id));
    return handle;
  }

  // A workflow is settled when nothing it started is still running (a failed step may leave later
  // steps never sent, so waiting for the last one could wait forever).
  override apply<TResult>(workflow: Signature<TResult> | Chord<TResult>): Promise<TaskHandle<TResult>>;
  override apply<TResult>(workflow: Group<TResult>): Promise<GroupHandle<TResult>>;
  override apply<TResult>(workflow: Chain<TResult>): Promise<ChainHandle<TResult>>;
  override async apply(
    workflow: Signature | Chain | Group | Chord,
  ): Promise<TaskHandle<unknown> | GroupHandle<unknown>> {
    const handle = await super.apply(workflow as Signature);
    await this.settle(() => this.log.unfinished.length === 0);
    return handle;
  }

  private async settle(done: () => boolean): Promise<void> {
    if (findCurrentTask()) return;
    if (await this.log.until(done, this.timeoutMs)) return;
    const running = this.log.unfinished.map((sent) => `  ${describeSentTask(sent)}`).join('\n');
    throw new TaskExpectationError(
      `eager send: not finished within ${this.timeoutMs} ms (a countdown, retry backoff or rate limit ` +
        `takes its real time); unfinished:\n${running}`,
    );
  }
}
