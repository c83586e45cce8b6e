import { isDeepStrictEqual } from 'node:util';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CeleriacRuntime } from '../celeriac.runtime.js';
import type { TaskMethodName } from '../client/task-method.types.js';
import { TaskClient } from '../client/task.client.js';
import { getTaskOptions, taskNameOf } from '../decorators/task.decorator.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { errorSummary } from '../logging/attempt-label.js';
import { CeleriacWorker } from '../worker/celeriac.worker.js';
import type { TaskEvent } from '../worker/task-events.js';
import type { CeleriacTestingOptions } from './celeriac-testing-options.interface.js';
import { describeSentTask, type SentTask } from './sent-task.js';
import { SentTaskLog } from './sent-task.log.js';
import { TaskExpectationError } from './task-expectation.error.js';

/** DI token of the testing module's options. */
export const CELERIAC_TESTING_OPTIONS = Symbol('CELERIAC_TESTING_OPTIONS');

export const DEFAULT_TESTING_TIMEOUT_MS = 10_000;

/** What an expectation may also require of the sent task. */
export interface SentTaskMatch {
  /** The queue it went to. */
  queue?: string;
  /** Exactly this many matching sends (default: at least one). */
  times?: number;
}

/**
 * The test's view of Celeriac, from `moduleRef.get(CeleriacTesting)`: what was sent, assertions on
 * it, and `drain()` to wait until the in-process worker has finished everything. The worker starts
 * with the application (`await moduleRef.init()` or `app.init()`) and stops when it closes.
 */
@Injectable()
export class CeleriacTesting implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private runningWorker?: CeleriacWorker;
  private readonly onEvent = (event: TaskEvent): void => this.log.observe(event);
  private runtime?: CeleriacRuntime;

  constructor(
    private readonly log: SentTaskLog,
    private readonly moduleRef: ModuleRef,
    @Inject(CELERIAC_TESTING_OPTIONS) private readonly options: CeleriacTestingOptions,
  ) {}

  /** Every task published since the module started (or since `clear()`), in order. */
  get sent(): readonly SentTask[] {
    return this.log.sent;
  }

  /** The application's `TaskClient` (eager in an eager testing module). */
  get client(): TaskClient {
    return this.moduleRef.get(TaskClient, { strict: false });
  }

  /** The in-process worker, once the application has started. */
  get worker(): CeleriacWorker | undefined {
    return this.runningWorker;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.runtime = this.moduleRef.get(CeleriacRuntime, { strict: false });
    this.runtime.events.on('task', this.onEvent);
    if (this.options.worker === false) return;
    const worker = new CeleriacWorker({ shutdownGraceMs: 1_000 });
    worker.attach(this.runtime);
    await new Promise<void>((resolve, reject) => {
      void worker.listen((error) =>
        error ? reject(error instanceof Error ? error : new Error(errorSummary(error))) : resolve(),
      );
    });
    this.runningWorker = worker;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runningWorker?.close();
    this.runtime?.events.off('task', this.onEvent);
  }

  /** Sends of `TaskClass.method`, optionally only those with exactly these arguments. */
  sentOf<T>(taskClass: Type<T>, method: TaskMethodName<T>, args?: readonly unknown[]): SentTask[] {
    return this.sentByName(nameOf(taskClass, method), args);
  }

  /** Sends of the task registered as `name`, optionally only those with exactly these arguments. */
  sentByName(name: string, args?: readonly unknown[]): SentTask[] {
    const expected = args === undefined ? undefined : asJson(args);
    return this.log.sent.filter(
      (sent) => sent.task === name && (expected === undefined || isDeepStrictEqual(sent.args, expected)),
    );
  }

  /**
   * Throws a {@link TaskExpectationError} listing what was sent unless `TaskClass.method` was sent
   * (with exactly `args`, compared as JSON, when given). Returns the matching sends.
   */
  expectTaskSent<T>(
    taskClass: Type<T>,
    method: TaskMethodName<T>,
    args?: readonly unknown[],
    match: SentTaskMatch = {},
  ): SentTask[] {
    return this.expectSentByName(nameOf(taskClass, method), args, match);
  }

  /** {@link expectTaskSent} for a task known by its registered name. */
  expectSentByName(name: string, args?: readonly unknown[], match: SentTaskMatch = {}): SentTask[] {
    const found = this.sentByName(name, args).filter(
      (sent) => match.queue === undefined || sent.queue === match.queue,
    );
    const enough = match.times === undefined ? found.length > 0 : found.length === match.times;
    if (enough) return found;
    const withArgs =
      args === undefined
        ? ''
        : ` with (${asJson(args)
            .map((arg) => JSON.stringify(arg))
            .join(', ')})`;
    const onQueue = match.queue === undefined ? '' : ` to queue "${match.queue}"`;
    const times =
      match.times === undefined ? '' : ` ${match.times} time(s), but it was sent ${found.length} time(s)`;
    const verdict = match.times === undefined ? ', but it was not' : times;
    throw new TaskExpectationError(
      `expected ${name} to be sent${withArgs}${onQueue}${verdict}.\n${this.listSent()}`,
    );
  }

  /** Throws unless nothing was sent (or nothing of `TaskClass.method`, when given). */
  expectNoTaskSent<T>(taskClass?: Type<T>, method?: TaskMethodName<T>): void {
    const name = taskClass && method ? nameOf(taskClass, method) : undefined;
    const found = name === undefined ? this.log.sent : this.sentByName(name);
    if (found.length === 0) return;
    throw new TaskExpectationError(
      `expected ${name ?? 'no task'}${name ? ' not to be sent' : ' to be sent'}.\n${this.listSent()}`,
    );
  }

  /**
   * Resolves once every task sent so far — and every task they send — has finished on the
   * in-process worker; throws, naming the unfinished ones, after `timeoutMs`.
   */
  async drain(timeoutMs = this.options.timeoutMs ?? DEFAULT_TESTING_TIMEOUT_MS): Promise<void> {
    if (!this.runningWorker) {
      throw new TaskExpectationError(
        'drain(): no worker is running (call moduleRef.init() or app.init() first)',
      );
    }
    if (await this.log.until(() => this.log.unfinished.length === 0, timeoutMs)) return;
    const running = this.log.unfinished.map((sent) => `  ${describeSentTask(sent)}`).join('\n');
    throw new TaskExpectationError(`drain(): not finished within ${timeoutMs} ms:\n${running}`);
  }

  /** Forgets what was sent so far (a test's later expectations see only later sends). */
  clear(): void {
    this.log.clear();
  }

  private listSent(): string {
    const sent = this.log.sent;
    if (sent.length === 0) return 'Nothing was sent.';
    return `Sent (${sent.length}):\n${sent.map((task) => `  ${describeSentTask(task)}`).join('\n')}`;
  }
}

function nameOf<T>(taskClass: Type<T>, method: string): string {
  const options = getTaskOptions((taskClass.prototype as Record<string, unknown>)[method]);
  if (!options) throw new TaskDefinitionError(`${taskClass.name}.${method}() is not a @Task method`);
  return taskNameOf(taskClass.name, method, options);
}

/** Arguments as the worker receives them: through JSON. */
function asJson(args: readonly unknown[]): unknown[] {
  return JSON.parse(JSON.stringify(args)) as unknown[];
}
