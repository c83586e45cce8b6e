import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type LoggerService,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import type { ResultBackend } from '../backends/result-backend.interface.js';
import type { ScheduleStore, StoredSchedule } from '../backends/schedule-store.interface.js';
import { CELERIAC_BACKEND, CELERIAC_CLOCK, CELERIAC_OPTIONS } from '../celeriac.constants.js';
import type { ResolvedCeleriacOptions } from '../celeriac-options.interface.js';
import { TaskClient } from '../client/task.client.js';
import { TaskExplorer } from '../discovery/task.explorer.js';
import { TaskRegistry } from '../discovery/task.registry.js';
import { CeleriacError } from '../errors/celeriac.error.js';
import { InvalidScheduleError } from '../errors/invalid-schedule.error.js';
import { UnknownScheduleError } from '../errors/unknown-schedule.error.js';
import { createCeleriacLogger } from '../logging/celeriac-logger.js';
import { isPoolChild } from '../worker/pools/pool-child-marker.js';
import { Beat } from './beat.js';
import type { Clock } from './clock.js';
import { checkScheduleTask, declaredSchedules } from './declared-schedules.js';
import { byId, describeSchedule, nextFireTimes } from './describe-schedule.js';
import { defineSchedule, digestOf, type ScheduleDefinition } from './schedule-definition.js';
import type { ScheduleInfo } from './schedule-info.js';
import type { ScheduleSpec } from './schedule-options.interface.js';
import { syncDeclaredSchedules } from './sync-declared-schedules.js';

/** A beat started with {@link Scheduler.startBeat}; `stop` releases it. */
export interface RunningBeat {
  readonly node: string;
  stop(): Promise<void>;
}

/**
 * Periodic tasks: schedules declared in code are checked at bootstrap and written to the schedule
 * store; this service adds, changes, pauses and removes schedules at run time, for every node at
 * once (the store lives beside the results: Redis, or memory for the embedded backend). It also runs
 * the beat of this application — started by `new CeleriacWorker({ beat: true })` or the module's
 * `beat: true` — which fires each tick once across however many nodes run one.
 *
 * @example
 * ```ts
 * await scheduler.upsert('digest:42', { task: 'MailTasks.digest', cron: '0 8 * * *', timezone: 'Europe/Paris', args: [42] });
 * await scheduler.list(); // each schedule with its last fire (time, task id, state) and next fire time
 * ```
 */
@Injectable()
export class Scheduler implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: LoggerService;
  private declared?: ScheduleDefinition[];
  private synced?: Promise<void>;
  private beat?: Promise<Beat>;
  private beatUsers = 0;

  constructor(
    @Inject(CELERIAC_BACKEND) private readonly backend: ResultBackend,
    @Inject(CELERIAC_OPTIONS) private readonly options: ResolvedCeleriacOptions,
    private readonly registry: TaskRegistry,
    private readonly explorer: TaskExplorer,
    private readonly client: TaskClient,
    @Inject(CELERIAC_CLOCK) private readonly clock: Clock,
  ) {
    this.logger = createCeleriacLogger('CeleriacBeat', options.logger);
  }

  /** Declarations are checked here, so a wrong one fails the bootstrap of every node. */
  onModuleInit(): void {
    this.declaredSchedules();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (isPoolChild()) return;
    await this.sync();
    if (this.options.beat) await this.startBeat();
  }

  async beforeApplicationShutdown(): Promise<void> {
    const beat = this.beat;
    this.beat = undefined;
    this.beatUsers = 0;
    await (await beat?.catch(() => undefined))?.stop();
  }

  /**
   * Adds a schedule, or replaces the one with this id (its tick history is kept; ticks are counted
   * again from now). Every beat node re-arms. Throws {@link InvalidScheduleError} for a bad spec, and
   * for an id declared in code (change it there). A task unknown here is accepted, as `sendByName`
   * does; a known one gets its arguments checked.
   */
  async upsert(id: string, spec: ScheduleSpec): Promise<ScheduleInfo> {
    const definition = defineSchedule(id, spec, 'dynamic');
    checkScheduleTask(definition, this.registry.find(definition.task), this.options);
    const store = this.store();
    const existing = await store.get(id);
    if (existing && existing.definition.origin !== 'dynamic') {
      throw new InvalidScheduleError(
        `schedule "${id}" is declared in code (${existing.definition.origin === 'task' ? '@Task' : 'CeleriacModule schedules'}); change it there, or pause it`,
      );
    }
    await store.put(definition, digestOf(definition), this.clock.now());
    return (await this.get(id))!;
  }

  /** Removes a schedule everywhere; false if there was none. A schedule declared in code returns when a node declaring it starts. */
  remove(id: string): Promise<boolean> {
    return this.store().remove(id);
  }

  /** Stops firing a schedule until {@link resume}. */
  async pause(id: string): Promise<void> {
    if (!(await this.store().setPaused(id, true, this.clock.now()))) throw new UnknownScheduleError(id);
  }

  /** Fires a paused schedule again from its next tick (ticks missed while paused do not fire). */
  async resume(id: string): Promise<void> {
    if (!(await this.store().setPaused(id, false, this.clock.now()))) throw new UnknownScheduleError(id);
  }

  /** Every schedule, by id, with its latest fire (time, task id, that task's state) and next fire time. */
  async list(): Promise<ScheduleInfo[]> {
    const all = await this.store().all();
    const infos = await Promise.all(all.map((stored) => this.describe(stored)));
    return infos.sort(byId);
  }

  async get(id: string): Promise<ScheduleInfo | undefined> {
    const stored = await this.store().get(id);
    return stored && this.describe(stored);
  }

  /** The next `count` times the schedule's cadence fires after now (whether or not it is paused). */
  async next(id: string, count = 1): Promise<Date[]> {
    const stored = await this.store().get(id);
    if (!stored) throw new UnknownScheduleError(id);
    return nextFireTimes(stored.definition, count, this.clock.now());
  }

  /**
   * Runs this application's beat (one per application, however many ask); resolves once it fires.
   * Used by `CeleriacWorker({ beat: true })` and the module's `beat` option.
   */
  async startBeat(): Promise<RunningBeat> {
    this.beatUsers++;
    this.beat ??= this.launchBeat();
    let beat: Beat;
    try {
      beat = await this.beat;
    } catch (error) {
      this.beatUsers--;
      this.beat = undefined;
      throw error;
    }
    let released = false;
    return {
      node: beat.node,
      stop: async () => {
        if (released) return;
        released = true;
        if (--this.beatUsers > 0 || this.beat === undefined) return;
        this.beat = undefined;
        await beat.stop();
      },
    };
  }

  private async launchBeat(): Promise<Beat> {
    const store = this.store();
    await this.sync();
    const beat = new Beat({
      store,
      clock: this.clock,
      logger: this.logger,
      fire: async (definition, _fireAt, taskId) => {
        await this.client.sendByName(definition.task, definition.args, {
          taskId,
          queue: definition.queue,
          priority: definition.priority,
          expires: definition.expires,
        });
      },
    });
    await beat.start();
    return beat;
  }

  /** Writes the declared schedules to the store, once per application. */
  private sync(): Promise<void> {
    if (!this.backend.schedules) {
      if (this.declaredSchedules().length > 0) {
        this.logger.warn(
          `result backend "${this.backend.kind}" keeps no schedules: declared schedules will not fire`,
        );
      }
      return Promise.resolve();
    }
    this.synced ??= syncDeclaredSchedules(this.backend.schedules, this.declaredSchedules(), {
      registry: this.registry,
      pruneModuleSchedules: this.options.schedules !== undefined,
      now: this.clock.now(),
      logger: this.logger,
    }).catch((error: unknown) => {
      this.synced = undefined;
      throw error;
    });
    return this.synced;
  }

  private declaredSchedules(): ScheduleDefinition[] {
    if (!this.declared) {
      this.explorer.explore();
      this.declared = declaredSchedules(this.registry, this.options);
    }
    return this.declared;
  }

  private describe(stored: StoredSchedule): Promise<ScheduleInfo> {
    return describeSchedule(stored, this.backend, this.clock.now());
  }

  private store(): ScheduleStore {
    const store = this.backend.schedules;
    if (!store) {
      throw new CeleriacError(
        'NO_SCHEDULE_STORE',
        `result backend "${this.backend.kind}" keeps no schedules; use the memory or Redis backend`,
      );
    }
    return store;
  }
}
