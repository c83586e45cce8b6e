import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  ConflictException,
  type MessageEvent,
  NotFoundException,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { TaskRecord } from '../backends/task-record.js';
import { TaskState } from '../backends/task-state.js';
import type { QueueStats } from '../brokers/broker.interface.js';
import { redactUrl } from '../brokers/broker-url.js';
import { CeleriacRuntime } from '../celeriac.runtime.js';
import { TaskClient } from '../client/task.client.js';
import { type CeleriacEvent, type CeleriacTaskEvent, isWorkerEvent } from '../control/celeriac-event.js';
import { CeleriacEvents } from '../control/celeriac-events.service.js';
import type { WorkerInfo } from '../control/worker-registry.js';
import { replayDeadLetters } from '../operator/dead-letter-replay.js';
import { type DeadLetterView, viewDeadLetter } from '../operator/dead-letter.view.js';
import { CeleriacError } from '../errors/celeriac.error.js';
import type { JsonValue } from '../protocol/json-value.js';
import type { ScheduleInfo } from '../scheduler/schedule-info.js';
import { Scheduler } from '../scheduler/scheduler.service.js';
import type { TaskEvent } from '../worker/task-events.js';
import { CELERIAC_DASHBOARD_OPTIONS, type CeleriacDashboardOptions } from './dashboard-options.js';
import {
  type TaskFilter,
  TaskHistory,
  type TaskSummary,
  type TimelineEntry,
  type WorkflowSummary,
} from './task-history.js';
import { createCeleriacLogger, type CeleriacLogger } from '../logging/celeriac-logger.js';
import { type QueueRate, QueueRates } from './queue-rates.js';

/** What the page's header shows: where Celeriac connects (passwords hidden) and what it serves. */
export interface DashboardOverview {
  broker: string;
  backend: string;
  prefix: string;
  queues: string[];
}

/** A row of the queues table: the broker's counts and the rates of the last minute's events. */
export type QueueView = QueueStats & { rates: QueueRate };

/** A task's detail: its stored record (durable) and what its events told this process. */
export interface TaskDetail {
  id: string;
  record?: TaskRecord;
  summary?: TaskSummary;
  timeline: TimelineEntry[];
  /** The call's arguments, when an event carried them (absent: sent before the dashboard started, or too large). */
  args?: JsonValue[];
  kwargs?: Record<string, JsonValue>;
}

/** States a task can be sent again from: it ended without a result. */
const RETRYABLE: readonly string[] = [TaskState.FAILURE, TaskState.REVOKED];

/** Dead letters shown per queue, oldest first. */
const DEAD_LETTER_PAGE = 100;

/**
 * The dashboard's data: recent tasks from task events, queue counts and dead letters from the
 * broker, task records from the result backend, and a stream of changes for the page. It reads
 * through Celeriac's public parts only (broker, backend, client), never broker internals.
 */
@Injectable()
export class DashboardService implements OnModuleInit, OnModuleDestroy {
  private readonly history: TaskHistory;
  private readonly rates = new QueueRates();
  private readonly changes = new Subject<MessageEvent>();
  private readonly seenQueues = new Set<string>();
  private readonly listener = (event: TaskEvent): void => this.observe(event);
  private readonly logger: CeleriacLogger;
  private readonly stops: (() => unknown)[] = [];

  constructor(
    private readonly runtime: CeleriacRuntime,
    private readonly client: TaskClient,
    private readonly events: CeleriacEvents,
    private readonly scheduler: Scheduler,
    @Inject(CELERIAC_DASHBOARD_OPTIONS) options: CeleriacDashboardOptions,
  ) {
    this.history = new TaskHistory(options.historySize);
    this.logger = createCeleriacLogger('CeleriacDashboard', runtime.options.logger);
  }

  /**
   * Listens to this process's task events, and to the event bus: worker heartbeats (the workers
   * list) and the task events of other processes' workers (those started with `events: true`).
   */
  onModuleInit(): void {
    this.runtime.events.on('task', this.listener);
    this.stops.push(() => this.runtime.events.off('task', this.listener));
    this.stops.push(
      this.events.registry.onChange((worker) => this.changes.next({ type: 'worker', data: worker })),
    );
    const origin = { hostname: hostname(), pid: process.pid };
    const fromElsewhere = (event: CeleriacEvent): event is CeleriacTaskEvent =>
      !isWorkerEvent(event) && (event.pid !== origin.pid || event.hostname !== origin.hostname);
    void Promise.all([
      this.events.trackWorkers(),
      this.events.subscribe((event) => fromElsewhere(event) && this.observe(event)),
    ]).then(
      (stops) => this.stops.push(...stops),
      (error: unknown) => this.logger.warn(`no live workers and events: ${(error as Error).message}`),
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.changes.complete();
    await Promise.allSettled(this.stops.splice(0).map((stop) => stop()));
  }

  /** Workers as their heartbeats tell: online, offline, or lost (three missed beats). */
  workers(): WorkerInfo[] {
    return this.events.registry.list();
  }

  overview(): DashboardOverview {
    const { options } = this.runtime;
    return {
      broker: redactUrl(options.broker),
      backend: redactUrl(options.backend),
      prefix: options.prefix,
      queues: this.queueNames(),
    };
  }

  async queues(): Promise<QueueView[]> {
    const stats = await Promise.all(this.queueNames().map((queue) => this.runtime.broker.stats(queue)));
    return stats.map((counts) => ({ ...counts, rates: this.rates.of(counts.queue) }));
  }

  tasks(filter: TaskFilter): TaskSummary[] {
    return this.history.list(filter);
  }

  /** Groups and chords with members among the recent tasks, with how far each has got. */
  workflows(): WorkflowSummary[] {
    return this.history.workflows();
  }

  /** Periodic schedules with their last and next fire; none where the backend keeps no schedules. */
  async schedules(): Promise<ScheduleInfo[]> {
    try {
      return await this.scheduler.list();
    } catch (error) {
      if (error instanceof CeleriacError && error.code === 'NO_SCHEDULE_STORE') return [];
      throw error;
    }
  }

  async task(id: string): Promise<TaskDetail> {
    const [record, seen] = [await this.client.handle(id).info(), this.history.get(id)];
    if (!record && !seen) throw new NotFoundException(`no task with id "${id}" (unknown or expired)`);
    return { id, record, summary: seen?.summary, timeline: seen?.timeline ?? [], ...seen?.call };
  }

  /**
   * Sends a failed or revoked task again, as a new task with the same name, queue and arguments
   * (the old record stays as it ended). Its arguments must have reached this dashboard in an event.
   */
  async retry(id: string): Promise<{ id: string; retriedFrom: string }> {
    const detail = await this.task(id);
    const state = detail.record?.state ?? detail.summary?.state;
    if (!state || !RETRYABLE.includes(state)) {
      throw new ConflictException(
        `task "${id}" is ${state ?? 'unknown'}; only FAILURE or REVOKED tasks are retried`,
      );
    }
    if (!detail.args) {
      throw new ConflictException(
        `the arguments of task "${id}" are not known here (sent before this dashboard started, or larger than events carry)`,
      );
    }
    const task = detail.record?.task ?? detail.summary!.task;
    const queue = detail.record?.queue ?? detail.summary?.queue;
    const handle = await this.client.sendByName(task, detail.args, { queue, kwargs: detail.kwargs });
    return { id: handle.id, retriedFrom: id };
  }

  async revoke(id: string): Promise<TaskDetail> {
    const handle = this.client.handle(id);
    if (!(await handle.info())) throw new NotFoundException(`no task with id "${id}" (unknown or expired)`);
    await handle.revoke();
    return this.task(id);
  }

  async deadLetters(queue: string): Promise<DeadLetterView[]> {
    const letters = await this.runtime.broker.deadLetters(this.knownQueue(queue), DEAD_LETTER_PAGE);
    return letters.map(viewDeadLetter);
  }

  async replay(queue: string, ids?: string[]): Promise<number> {
    const { broker, backend, options } = this.runtime;
    const replayed = await replayDeadLetters(broker, backend, this.knownQueue(queue), ids, options.resultTtl);
    this.changes.next({ type: 'queues', data: { queue } });
    return replayed;
  }

  async deleteDeadLetters(queue: string, ids?: string[]): Promise<number> {
    const deleted = await this.runtime.broker.deleteDeadLetters(this.knownQueue(queue), ids);
    this.changes.next({ type: 'queues', data: { queue } });
    return deleted;
  }

  /** Server-sent events for the page: `task` with a task's summary after each of its events. */
  stream(): Observable<MessageEvent> {
    return this.changes.asObservable();
  }

  private observe(event: TaskEvent): void {
    if (event.queue) this.seenQueues.add(event.queue);
    this.rates.observe(event);
    const summary = this.history.observe(event);
    if (summary) this.changes.next({ type: 'task', data: summary });
  }

  private queueNames(): string[] {
    return [...new Set([...Object.keys(this.runtime.options.queues), ...this.seenQueues])];
  }

  /** Only queues of this application (configured or seen in its events) are read or changed. */
  private knownQueue(queue: string): string {
    if (!this.queueNames().includes(queue)) throw new NotFoundException(`no queue "${queue}" here`);
    return queue;
  }
}
