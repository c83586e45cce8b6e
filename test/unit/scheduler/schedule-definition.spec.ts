import { InvalidScheduleError } from '../../../lib/errors/invalid-schedule.error.js';
import { defineSchedule, digestOf } from '../../../lib/scheduler/schedule-definition.js';
import type { ScheduleSpec } from '../../../lib/scheduler/schedule-options.interface.js';

describe('defineSchedule', () => {
  it('brings a schedule to its stored form: intervals in ms, catch-up on by default', () => {
    expect(
      defineSchedule('snap', { task: 'Counter.snapshot', every: '10s', args: ['a', 1] }, 'task'),
    ).toEqual({
      id: 'snap',
      task: 'Counter.snapshot',
      origin: 'task',
      every: 10_000,
      args: ['a', 1],
      catchUp: true,
    });
    expect(
      defineSchedule(
        'nightly',
        {
          task: 'Reports.render',
          cron: ' 0 2 * * * ',
          timezone: 'Europe/Paris',
          catchUp: false,
          queue: 'cpu',
          priority: 7,
          expires: 60_000,
        },
        'module',
      ),
    ).toEqual({
      id: 'nightly',
      task: 'Reports.render',
      origin: 'module',
      cron: '0 2 * * *',
      timezone: 'Europe/Paris',
      args: [],
      catchUp: false,
      queue: 'cpu',
      priority: 7,
      expires: 60_000,
    });
  });

  it.each<[string, unknown, string]>([
    ['a typo in an option', { task: 'T.t', every: '1m', timeZone: 'UTC' }, 'unknown option(s) timeZone'],
    ['no task', { every: '1m' }, 'task: must be a registered task name'],
    ['args that are not an array', { task: 'T.t', every: '1m', args: 'x' }, 'args: must be an array'],
    ['args that are not JSON', { task: 'T.t', every: '1m', args: [1n] }, 'args of schedule "s" is not JSON'],
    [
      'a catchUp that is not a boolean',
      { task: 'T.t', every: '1m', catchUp: 'no' },
      'catchUp: must be true or false',
    ],
    [
      'a priority out of range',
      { task: 'T.t', every: '1m', priority: 12 },
      'priority: must be an integer from 0 to 9',
    ],
    ['a non-positive expires', { task: 'T.t', every: '1m', expires: 0 }, 'expires: must be ms > 0'],
    ['an empty queue', { task: 'T.t', every: '1m', queue: '' }, 'queue: must be a queue name'],
    ['a bad cron', { task: 'T.t', cron: '* * * * * * * *' }, 'is not a valid cron expression'],
    [
      'an unknown time zone',
      { task: 'T.t', cron: '* * * * *', timezone: 'Nowhere/City' },
      'not a known time zone',
    ],
    ['a short interval', { task: 'T.t', every: '100ms' }, 'under the 1000 ms floor'],
  ])('refuses %s', (_what, spec, message) => {
    const define = () => defineSchedule('s', spec as ScheduleSpec, 'dynamic');
    expect(define).toThrow(InvalidScheduleError);
    expect(define).toThrow(message);
  });

  it('refuses an empty id', () => {
    expect(() => defineSchedule(' ', { task: 'T.t', every: '1m' }, 'dynamic')).toThrow(
      'id: must be a non-empty string',
    );
  });

  it('fingerprints what defines a schedule, whatever the order of its fields', () => {
    const a = defineSchedule('s', { task: 'T.t', every: '1m', args: [{ x: 1, y: 2 }] }, 'dynamic');
    const b = defineSchedule('s', { args: [{ y: 2, x: 1 }], every: 60_000, task: 'T.t' }, 'dynamic');
    const c = defineSchedule('s', { task: 'T.t', every: '2m', args: [{ x: 1, y: 2 }] }, 'dynamic');
    expect(digestOf(a)).toBe(digestOf(b));
    expect(digestOf(a)).not.toBe(digestOf(c));
    expect(digestOf(a)).not.toBe(digestOf({ ...a, origin: 'task' }));
  });
});
