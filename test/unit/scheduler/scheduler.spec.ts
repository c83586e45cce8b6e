import { randomUUID } from 'node:crypto';
import { Injectable, type Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  CELERIAC_CLOCK,
  CeleriacModule,
  type CeleriacModuleOptions,
  CeleriacWorker,
  currentTask,
  InvalidScheduleError,
  Scheduler,
  Task,
  TaskClient,
  TaskDefinitionError,
  TaskState,
  type ScheduleSpec,
  UnknownScheduleError,
} from '../../../lib/index.js';
import { FakeClock } from '../../support/fake-clock.js';

const START = '2026-05-01T12:00:00.250Z';

/** Runs of the scheduled tasks, by task id, across every application of a test. */
const runs: string[] = [];

@Injectable()
class CounterTasks {
  @Task({ schedule: { every: '10s', args: ['tick'] } })
  snapshot(label: string): string {
    runs.push(currentTask().id);
    return label;
  }

  @Task({
    schedules: [
      { cron: '0 * * * *' },
      { id: 'counter-nightly', cron: '0 2 * * *', timezone: 'Europe/Paris' },
    ],
  })
  rollup(): void {
    runs.push(currentTask().id);
  }

  @Task()
  report(day: string, pages = 1): string {
    return `${day}:${pages}`;
  }
}

describe('Scheduler', () => {
  let clock: FakeClock;
  let prefix: string;
  /** The client of the latest application booted. */
  let client: TaskClient;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(() => {
    clock = new FakeClock(START);
    prefix = `scheduler-spec-${randomUUID()}`;
    runs.length = 0;
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function boot(
    options: CeleriacModuleOptions = {},
    providers: Provider[] = [CounterTasks],
    worker?: CeleriacWorker,
  ): Promise<Scheduler> {
    const moduleRef = await Test.createTestingModule({
      imports: [CeleriacModule.forRoot({ prefix, logger: false, ...options })],
      providers,
    })
      .overrideProvider(CELERIAC_CLOCK)
      .useValue(clock)
      .compile();
    if (worker) {
      const app = moduleRef.createNestMicroservice({ strategy: worker, logger: false });
      await app.listen();
      closers.push(() => app.close());
      client = app.get(TaskClient);
      return app.get(Scheduler);
    }
    const app = await moduleRef.init();
    closers.push(() => app.close());
    client = app.get(TaskClient);
    return app.get(Scheduler);
  }

  it('writes every declared schedule to the store at bootstrap, with its next fire time', async () => {
    const scheduler = await boot({
      schedules: { 'weekly-report': { task: 'CounterTasks.report', cron: '0 9 * * MON', args: ['mon', 3] } },
    });
    const list = await scheduler.list();
    expect(list.map((s) => [s.id, s.origin, s.nextFireAt?.toISOString()])).toEqual([
      ['CounterTasks.rollup[0]', 'task', '2026-05-01T13:00:00.000Z'],
      ['CounterTasks.snapshot', 'task', '2026-05-01T12:00:10.000Z'],
      ['counter-nightly', 'task', '2026-05-02T00:00:00.000Z'],
      ['weekly-report', 'module', '2026-05-04T09:00:00.000Z'],
    ]);
    expect(list[1]).toEqual({
      id: 'CounterTasks.snapshot',
      task: 'CounterTasks.snapshot',
      origin: 'task',
      every: 10_000,
      args: ['tick'],
      catchUp: true,
      paused: false,
      nextFireAt: new Date('2026-05-01T12:00:10.000Z'),
    });
    expect((await scheduler.next('counter-nightly', 2)).map((d) => d.toISOString())).toEqual([
      '2026-05-02T00:00:00.000Z',
      '2026-05-03T00:00:00.000Z',
    ]);
  });

  it('fires schedules from a worker with beat: true, and shows the last fire and its task state', async () => {
    const scheduler = await boot({}, [CounterTasks], new CeleriacWorker({ beat: true }));
    await clock.advance(10_000);
    const taskId = 'schedule:CounterTasks.snapshot@2026-05-01T12:00:10.000Z';
    expect(await client.handle(taskId).wait({ timeout: 10_000 })).toBe('tick');
    expect(runs).toEqual([taskId]);
    const snapshot = (await scheduler.get('CounterTasks.snapshot'))!;
    expect(snapshot).toMatchObject({
      lastFireAt: new Date('2026-05-01T12:00:10.000Z'),
      lastTaskId: 'schedule:CounterTasks.snapshot@2026-05-01T12:00:10.000Z',
      nextFireAt: new Date('2026-05-01T12:00:20.000Z'),
      lastFiredBy: expect.any(String),
    });
    expect(snapshot.lastState).toBe(TaskState.SUCCESS);
  });

  it('adds, pauses, resumes and removes schedules at run time, and fires them on another node', async () => {
    const api = await boot({ producerOnly: true });
    await boot({ beat: true }, [CounterTasks], new CeleriacWorker({ beat: true }));
    const added = await api.upsert('report-often', {
      task: 'CounterTasks.report',
      every: '5s',
      args: ['fri'],
    });
    expect(added).toMatchObject({
      origin: 'dynamic',
      every: 5_000,
      nextFireAt: new Date('2026-05-01T12:00:05Z'),
    });
    await api.pause('report-often');
    expect(await api.get('report-often')).toMatchObject({ paused: true, nextFireAt: undefined });
    await api.resume('report-often');
    expect(
      await api.upsert('report-often', { task: 'CounterTasks.report', every: '5s', args: ['fri'] }),
    ).toMatchObject({
      paused: false,
    });
    await clock.advance(5_000);
    expect((await api.get('report-often'))?.lastTaskId).toBe(
      'schedule:report-often@2026-05-01T12:00:05.000Z',
    );
    expect(await api.remove('report-often')).toBe(true);
    expect(await api.remove('report-often')).toBe(false);
    expect(await api.get('report-often')).toBeUndefined();
  });

  it('refuses bad run-time schedules and unknown ids with clear errors', async () => {
    const scheduler = await boot();
    await expect(scheduler.upsert('x', { task: 'CounterTasks.report', every: '10ms' })).rejects.toThrow(
      InvalidScheduleError,
    );
    await expect(scheduler.upsert('x', { task: 'CounterTasks.report', every: '1m' })).rejects.toThrow(
      'invalid arguments for task "CounterTasks.report": expected at least 1 argument(s), got 0',
    );
    await expect(
      scheduler.upsert('x', { task: 'CounterTasks.report', every: '1m', args: ['a'], queue: 'nope' }),
    ).rejects.toThrow('queue: unknown queue "nope"');
    await expect(
      scheduler.upsert('CounterTasks.snapshot', { task: 'CounterTasks.snapshot', every: '1m', args: ['x'] }),
    ).rejects.toThrow(
      'schedule "CounterTasks.snapshot" is declared in code (@Task); change it there, or pause it',
    );
    await expect(scheduler.pause('nowhere')).rejects.toThrow(UnknownScheduleError);
    await expect(scheduler.resume('nowhere')).rejects.toThrow('unknown schedule "nowhere"');
    await expect(scheduler.next('nowhere')).rejects.toThrow(UnknownScheduleError);
    await expect(scheduler.next('CounterTasks.snapshot', 0)).rejects.toThrow(RangeError);
    // A task this application does not know may live in another one, as with sendByName.
    await expect(
      scheduler.upsert('elsewhere', { task: 'Other.task', every: '1m', args: [1] }),
    ).resolves.toMatchObject({
      task: 'Other.task',
    });
  });

  it('removes a schedule a task no longer declares when a node with that task starts', async () => {
    await boot({
      schedules: { weekly: { task: 'CounterTasks.report', cron: '0 9 * * MON', args: ['mon'] } },
    });
    @Injectable()
    class CounterTasksV2 {
      @Task({ name: 'CounterTasks.snapshot' })
      snapshot(): void {}

      @Task({ name: 'CounterTasks.report' })
      report(): void {}
    }
    const scheduler = await boot({ schedules: {} }, [CounterTasksV2]);
    // Rollup is not a task here, so this node cannot tell its schedules are gone: they stay.
    expect((await scheduler.list()).map((s) => s.id)).toEqual(['CounterTasks.rollup[0]', 'counter-nightly']);
  });

  describe('bootstrap errors name the task and say what is wrong', () => {
    async function bootstrapError(
      options: CeleriacModuleOptions,
      providers: Provider[] = [],
    ): Promise<Error> {
      try {
        await boot(options, providers);
      } catch (error) {
        return error as Error;
      }
      throw new Error('bootstrap succeeded');
    }

    function tasksWith(schedule: object, method = 'run'): Provider {
      @Injectable()
      class BadTasks {}
      Object.defineProperty(BadTasks.prototype, method, {
        value: function run(this: void) {},
        writable: true,
        configurable: true,
      });
      Task(schedule)(
        BadTasks.prototype,
        method,
        Object.getOwnPropertyDescriptor(BadTasks.prototype, method)!,
      );
      return BadTasks;
    }

    it.each<[string, object, string]>([
      [
        'a bad cron',
        { schedule: { cron: '61 * * * *' } },
        '@Task on BadTasks.run(): schedule: cron: "61 * * * *" is not a valid cron expression (Invalid value for minute: 61)',
      ],
      [
        'an unknown time zone',
        { schedule: { cron: '0 2 * * *', timezone: 'Europe/Pari' } },
        '@Task on BadTasks.run(): schedule: timezone: "Europe/Pari" is not a known time zone',
      ],
      [
        'an interval under the floor',
        { schedule: { every: '200ms' } },
        '@Task on BadTasks.run(): schedule: every: "200ms" is 200 ms, under the 1000 ms floor of a schedule',
      ],
      [
        'neither cron nor every',
        { schedules: [{ every: '1m' }, { args: [] }] },
        '@Task on BadTasks.run(): schedules[1]: give exactly one of cron or every',
      ],
      [
        'both cron and every',
        { schedule: { cron: '0 2 * * *', every: '1m' } },
        '@Task on BadTasks.run(): schedule: give exactly one of cron or every',
      ],
      [
        'both schedule and schedules',
        { schedule: { every: '1m' }, schedules: [] },
        '@Task on BadTasks.run(): give schedule or schedules, not both',
      ],
      [
        'an unknown queue',
        { schedule: { every: '1m', queue: 'mail' } },
        '@Task on BadTasks.run(): schedule: queue: unknown queue "mail" (configured queues: default)',
      ],
      [
        'an unknown option',
        { schedule: { every: '1m', tz: 'UTC' } },
        '@Task on BadTasks.run(): schedule: unknown option(s) tz',
      ],
      [
        'schedules that are not an array',
        { schedules: { every: '1m' } },
        '@Task on BadTasks.run(): schedules must be an array of schedules',
      ],
      [
        'a schedule that is not an object',
        { schedule: 'every 5 minutes' },
        "@Task on BadTasks.run(): schedule: a schedule must be an object such as { every: '5m' } or { cron: '0 2 * * *' }",
      ],
      [
        'args that are not an array',
        { schedule: { every: '1m', args: 'x' } },
        '@Task on BadTasks.run(): schedule: args: must be an array',
      ],
      [
        'a catchUp that is not a boolean',
        { schedule: { every: '1m', catchUp: 'yes' } },
        '@Task on BadTasks.run(): schedule: catchUp: must be true or false',
      ],
      [
        'a priority out of range',
        { schedule: { every: '1m', priority: 10 } },
        '@Task on BadTasks.run(): schedule: priority: must be an integer from 0 to 9',
      ],
      [
        'an expires that is not ms > 0',
        { schedule: { every: '1m', expires: -1 } },
        '@Task on BadTasks.run(): schedule: expires: must be ms > 0',
      ],
      [
        'a timezone on an interval',
        { schedules: [{ every: '1m', timezone: 'Europe/Paris' }] },
        '@Task on BadTasks.run(): schedules[0]: timezone applies to cron only',
      ],
      [
        'a cron that never fires',
        { schedule: { cron: '0 0 31 2 *' } },
        '@Task on BadTasks.run(): schedule: cron: "0 0 31 2 *" never fires',
      ],
    ])('%s', async (_what, taskOptions, message) => {
      const error = await bootstrapError({}, [tasksWith(taskOptions)]);
      expect(error).toBeInstanceOf(TaskDefinitionError);
      expect(error.message).toContain(message);
    });

    it('arguments the method does not take', async () => {
      @Injectable()
      class ArgTasks {
        @Task({ schedule: { every: '1m', args: ['a', 'b'] } })
        run(day: string): string {
          return day;
        }
      }
      expect((await bootstrapError({}, [ArgTasks])).message).toBe(
        '@Task on ArgTasks.run(): schedule: invalid arguments for task "ArgTasks.run": expected at most 1 argument(s), got 2',
      );
    });

    it('a module schedule of an unknown task, or with a bad cron', async () => {
      expect(
        (await bootstrapError({ schedules: { nightly: { task: 'Reports.render', cron: '0 2 * * *' } } }))
          .message,
      ).toBe(
        'CeleriacModule schedules.nightly (task "Reports.render"): unknown task "Reports.render" (registered tasks: none)',
      );
      const bad = await bootstrapError(
        { schedules: { nightly: { task: 'CounterTasks.report', cron: '0 2 * *' } } },
        [CounterTasks],
      );
      expect(bad.message).toContain(
        'CeleriacModule schedules.nightly (task "CounterTasks.report"): cron: "0 2 * *" is not a valid cron expression',
      );
    });

    it.each<[string, object, string]>([
      ['no task', { every: '1m' }, 'CeleriacModule schedules.nightly: task: must be a registered task name'],
      [
        'an unknown time zone',
        { task: 'CounterTasks.report', cron: '0 2 * * *', timezone: 'Europe/Pari', args: ['d'] },
        'CeleriacModule schedules.nightly (task "CounterTasks.report"): timezone: "Europe/Pari" is not a known time zone',
      ],
      [
        'an interval under the floor',
        { task: 'CounterTasks.report', every: 500, args: ['d'] },
        'CeleriacModule schedules.nightly (task "CounterTasks.report"): every: 500 is 500 ms, under the 1000 ms floor of a schedule',
      ],
      [
        'an unknown queue',
        { task: 'CounterTasks.report', every: '1m', args: ['d'], queue: 'mail' },
        'CeleriacModule schedules.nightly (task "CounterTasks.report"): queue: unknown queue "mail" (configured queues: default)',
      ],
      [
        'arguments the task does not take',
        { task: 'CounterTasks.report', every: '1m' },
        'CeleriacModule schedules.nightly (task "CounterTasks.report"): invalid arguments for task "CounterTasks.report": expected at least 1 argument(s), got 0',
      ],
      [
        'both cron and every',
        { task: 'CounterTasks.report', cron: '0 2 * * *', every: '1m', args: ['d'] },
        'CeleriacModule schedules.nightly (task "CounterTasks.report"): give exactly one of cron or every',
      ],
      [
        'an unknown option',
        { task: 'CounterTasks.report', every: '1m', args: ['d'], cronTz: 'UTC' },
        'CeleriacModule schedules.nightly (task "CounterTasks.report"): unknown option(s) cronTz',
      ],
    ])('a module schedule with %s', async (_what, spec, message) => {
      const error = await bootstrapError({ schedules: { nightly: spec as ScheduleSpec } }, [CounterTasks]);
      expect(error).toBeInstanceOf(TaskDefinitionError);
      expect(error.message).toContain(message);
    });

    it('one schedule id declared twice', async () => {
      const error = await bootstrapError(
        { schedules: { 'CounterTasks.snapshot': { task: 'CounterTasks.report', every: '1m', args: ['x'] } } },
        [CounterTasks],
      );
      expect(error.message).toBe(
        'schedule id "CounterTasks.snapshot" is declared twice: @Task on CounterTasks.snapshot(): schedule and ' +
          'CeleriacModule schedules.CounterTasks.snapshot (task "CounterTasks.report"); give one an id',
      );
    });
  });
});
