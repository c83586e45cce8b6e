import { InvalidScheduleError } from '../../../lib/errors/invalid-schedule.error.js';
import { cadenceOf } from '../../../lib/scheduler/schedule-cadence.js';
import { MIN_INTERVAL_MS, parseInterval } from '../../../lib/scheduler/schedule-interval.js';

const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

/** The next `n` ticks after `from`, as ISO strings. */
function ticks(cadence: ReturnType<typeof cadenceOf>, from: string, n: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  let at = Date.parse(from);
  for (let i = 0; i < n; i++) {
    const next = cadence.next(at);
    out.push(iso(next));
    if (next === undefined) break;
    at = next;
  }
  return out;
}

describe('schedule intervals', () => {
  it.each([
    [1_000, 1_000],
    [90_000, 90_000],
    ['1s', 1_000],
    ['10s', 10_000],
    ['1.5s', 1_500],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1500ms', 1_500],
    [' 30 s ', 30_000],
  ])('reads %p as %p ms', (every, ms) => {
    expect(parseInterval(every)).toBe(ms);
  });

  it.each([
    ['500ms', `is 500 ms, under the ${MIN_INTERVAL_MS} ms floor`],
    [999, `is 999 ms, under the ${MIN_INTERVAL_MS} ms floor`],
    [0, 'under the'],
    [-5_000, 'under the'],
    ['ten seconds', 'is not an interval'],
    ['10', 'is not an interval'],
    ['10w', 'is not an interval'],
    [1_000.5, 'not a whole number of ms'],
    [Number.NaN, 'not a whole number of ms'],
  ])('refuses %p (%s)', (every, message) => {
    expect(() => parseInterval(every)).toThrow(InvalidScheduleError);
    expect(() => parseInterval(every)).toThrow(message);
  });

  it('puts interval ticks on multiples of the interval since the epoch', () => {
    const cadence = cadenceOf({ every: '10s' });
    expect(ticks(cadence, '2026-05-01T12:00:03.250Z', 3)).toEqual([
      '2026-05-01T12:00:10.000Z',
      '2026-05-01T12:00:20.000Z',
      '2026-05-01T12:00:30.000Z',
    ]);
    expect(cadence.next(Date.parse('2026-05-01T12:00:10.000Z'))).toBe(Date.parse('2026-05-01T12:00:20.000Z'));
    expect(iso(cadence.latest(Date.parse('2026-05-01T12:00:19.999Z')))).toBe('2026-05-01T12:00:10.000Z');
    expect(iso(cadence.latest(Date.parse('2026-05-01T12:00:20.000Z')))).toBe('2026-05-01T12:00:20.000Z');
  });
});

describe('cron schedules', () => {
  it('reads five-field and six-field (seconds first) expressions and nicknames, in UTC by default', () => {
    expect(ticks(cadenceOf({ cron: '*/15 * * * *' }), '2026-05-01T12:07:00Z', 2)).toEqual([
      '2026-05-01T12:15:00.000Z',
      '2026-05-01T12:30:00.000Z',
    ]);
    expect(ticks(cadenceOf({ cron: '*/20 * * * * *' }), '2026-05-01T12:00:05Z', 2)).toEqual([
      '2026-05-01T12:00:20.000Z',
      '2026-05-01T12:00:40.000Z',
    ]);
    expect(ticks(cadenceOf({ cron: '@daily' }), '2026-05-01T12:00:00Z', 1)).toEqual([
      '2026-05-02T00:00:00.000Z',
    ]);
    expect(ticks(cadenceOf({ cron: '0 9 * * MON' }), '2026-05-01T12:00:00Z', 1)).toEqual([
      '2026-05-04T09:00:00.000Z',
    ]);
  });

  it('finds the latest tick at or before a time', () => {
    const cadence = cadenceOf({ cron: '0 * * * *', timezone: 'Asia/Kolkata' });
    // India is UTC+05:30, so its whole hours fall on the half hour in UTC.
    expect(iso(cadence.latest(Date.parse('2026-05-01T12:29:59Z')))).toBe('2026-05-01T11:30:00.000Z');
    expect(iso(cadence.latest(Date.parse('2026-05-01T12:30:00Z')))).toBe('2026-05-01T12:30:00.000Z');
  });

  describe('across DST in Europe/Paris (last Sundays of March and October 2026)', () => {
    const paris = (cron: string) => cadenceOf({ cron, timezone: 'Europe/Paris' });

    it('keeps a daily local time on the local clock on both sides of each change', () => {
      expect(ticks(paris('0 9 * * *'), '2026-03-28T00:00:00Z', 2)).toEqual([
        '2026-03-28T08:00:00.000Z', // CET, UTC+1
        '2026-03-29T07:00:00.000Z', // CEST, UTC+2
      ]);
      expect(ticks(paris('0 9 * * *'), '2026-10-24T00:00:00Z', 2)).toEqual([
        '2026-10-24T07:00:00.000Z',
        '2026-10-25T08:00:00.000Z',
      ]);
    });

    it('fires a local time the spring change skips once, just after the gap', () => {
      // 02:30 does not exist on 29 March: the clock jumps from 02:00 to 03:00.
      expect(ticks(paris('30 2 * * *'), '2026-03-28T00:00:00Z', 3)).toEqual([
        '2026-03-28T01:30:00.000Z',
        '2026-03-29T01:00:00.000Z', // 03:00 CEST
        '2026-03-30T00:30:00.000Z',
      ]);
    });

    it('fires a local time the autumn change repeats once, at its first occurrence', () => {
      // 02:30 happens twice on 25 October (CEST, then CET again).
      expect(ticks(paris('30 2 * * *'), '2026-10-24T00:00:00Z', 3)).toEqual([
        '2026-10-24T00:30:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-26T01:30:00.000Z',
      ]);
    });

    it('keeps hourly ticks one real hour apart through both changes', () => {
      expect(ticks(paris('0 * * * *'), '2026-03-28T23:30:00Z', 4)).toEqual([
        '2026-03-29T00:00:00.000Z',
        '2026-03-29T01:00:00.000Z',
        '2026-03-29T02:00:00.000Z',
        '2026-03-29T03:00:00.000Z',
      ]);
      expect(ticks(paris('30 * * * *'), '2026-10-24T23:45:00Z', 4)).toEqual([
        '2026-10-25T00:30:00.000Z', // 02:30 CEST
        '2026-10-25T01:30:00.000Z', // 02:30 CET
        '2026-10-25T02:30:00.000Z',
        '2026-10-25T03:30:00.000Z',
      ]);
    });
  });

  describe('across DST in America/New_York (8 March and 1 November 2026)', () => {
    const newYork = (cron: string) => cadenceOf({ cron, timezone: 'America/New_York' });

    it('keeps a daily local time on the local clock on both sides of each change', () => {
      expect(ticks(newYork('0 9 * * *'), '2026-03-07T00:00:00Z', 2)).toEqual([
        '2026-03-07T14:00:00.000Z', // EST, UTC−5
        '2026-03-08T13:00:00.000Z', // EDT, UTC−4
      ]);
      expect(ticks(newYork('0 9 * * *'), '2026-10-31T00:00:00Z', 2)).toEqual([
        '2026-10-31T13:00:00.000Z',
        '2026-11-01T14:00:00.000Z',
      ]);
    });

    it('fires a skipped local time once just after the gap, and a repeated one once', () => {
      expect(ticks(newYork('30 2 * * *'), '2026-03-07T00:00:00Z', 3)).toEqual([
        '2026-03-07T07:30:00.000Z',
        '2026-03-08T07:00:00.000Z', // 03:00 EDT
        '2026-03-09T06:30:00.000Z',
      ]);
      expect(ticks(newYork('30 1 * * *'), '2026-10-31T00:00:00Z', 3)).toEqual([
        '2026-10-31T05:30:00.000Z',
        '2026-11-01T05:30:00.000Z', // the first 01:30, EDT
        '2026-11-02T06:30:00.000Z',
      ]);
    });
  });

  it.each([
    [
      { cron: '61 * * * *' },
      'cron: "61 * * * *" is not a valid cron expression (Invalid value for minute: 61)',
    ],
    [{ cron: '* * *' }, 'cron: "* * *" is not a valid cron expression'],
    [{ cron: 'every day' }, 'cron: "every day" is not a valid cron expression'],
    [{ cron: '0 0 1 1 * 2030' }, 'is not a valid cron expression'],
    [{ cron: '' }, 'cron: must be a non-empty string'],
    [{ cron: '0 0 30 2 *' }, 'cron: "0 0 30 2 *" never fires'],
    [{ cron: '0 2 * * *', timezone: 'Europe/Pari' }, 'timezone: "Europe/Pari" is not a known time zone'],
    [{ cron: '0 2 * * *', timezone: 'Mars/Olympus_Mons' }, 'is not a known time zone'],
    [{}, 'give exactly one of cron or every'],
    [{ cron: '* * * * *', every: '1m' }, 'give exactly one of cron or every'],
    [{ every: '1m', timezone: 'Europe/Paris' }, 'timezone applies to cron only'],
  ])('refuses %p: %s', (timing, message) => {
    expect(() => cadenceOf(timing)).toThrow(InvalidScheduleError);
    expect(() => cadenceOf(timing)).toThrow(message);
  });
});
