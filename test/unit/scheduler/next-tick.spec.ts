import { cadenceOf } from '../../../lib/scheduler/schedule-cadence.js';
import { nextTick, ON_TIME_MS } from '../../../lib/scheduler/next-tick.js';

const T = Date.parse('2026-05-01T12:00:00Z');
const everyMinute = cadenceOf({ every: '1m' });

describe('nextTick', () => {
  it('plans the first tick after the base at its own time', () => {
    expect(nextTick(everyMinute, T + 10_000, true, T + 20_000)).toEqual({
      fireAt: T + 60_000,
      dueAt: T + 60_000,
    });
  });

  it('fires a tick that is just due (a timer that ran a little late) at once', () => {
    expect(nextTick(everyMinute, T, true, T + 60_040)).toEqual({ fireAt: T + 60_000, dueAt: T + 60_040 });
    expect(nextTick(everyMinute, T, false, T + 60_040)).toEqual({ fireAt: T + 60_000, dueAt: T + 60_040 });
  });

  it('fires every tick of a short stall, oldest first, each at once', () => {
    const everySecond = cadenceOf({ every: '1s' });
    expect(nextTick(everySecond, T, true, T + 3_500)).toEqual({ fireAt: T + 1_000, dueAt: T + 3_500 });
    expect(nextTick(everySecond, T + 1_000, false, T + 3_500)).toEqual({
      fireAt: T + 2_000,
      dueAt: T + 3_500,
    });
    expect(nextTick(everySecond, T + 3_000, true, T + 3_500)).toEqual({
      fireAt: T + 4_000,
      dueAt: T + 4_000,
    });
  });

  it('after an outage of a one-second schedule, fires the latest tick alone', () => {
    const everySecond = cadenceOf({ every: '1s' });
    const now = T + 60_000 + 400;
    expect(nextTick(everySecond, T, true, now)).toEqual({ fireAt: T + 60_000, dueAt: now });
    // Without catch-up too: that tick is not missed, only late.
    expect(nextTick(everySecond, T, false, now)).toEqual({ fireAt: T + 60_000, dueAt: now });
  });

  it('with catch-up, fires only the most recent of several missed ticks, at once', () => {
    const now = T + 10 * 60_000 + 30_000;
    expect(nextTick(everyMinute, T, true, now)).toEqual({ fireAt: T + 10 * 60_000, dueAt: now });
  });

  it('without catch-up, skips a missed tick and waits for the next one', () => {
    const now = T + 10 * 60_000 + ON_TIME_MS + 1;
    expect(nextTick(everyMinute, T, false, now)).toEqual({ fireAt: T + 11 * 60_000, dueAt: T + 11 * 60_000 });
  });

  it('without catch-up, still fires a tick that is late by no more than the on-time window', () => {
    const now = T + 10 * 60_000 + ON_TIME_MS;
    expect(nextTick(everyMinute, T, false, now)).toEqual({ fireAt: T + 10 * 60_000, dueAt: now });
  });

  it('counts a daily cron missed overnight once', () => {
    const daily = cadenceOf({ cron: '0 2 * * *', timezone: 'Europe/Paris' });
    const lastFired = Date.parse('2026-04-27T00:00:00Z'); // 02:00 in Paris
    const morning = Date.parse('2026-04-30T07:00:00Z');
    expect(nextTick(daily, lastFired, true, morning)).toEqual({
      fireAt: Date.parse('2026-04-30T00:00:00Z'),
      dueAt: morning,
    });
    expect(nextTick(daily, lastFired, false, morning)).toEqual({
      fireAt: Date.parse('2026-05-01T00:00:00Z'),
      dueAt: Date.parse('2026-05-01T00:00:00Z'),
    });
  });
});
