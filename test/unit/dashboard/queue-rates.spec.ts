import { QueueRates } from '../../../lib/dashboard/queue-rates.js';

describe('QueueRates', () => {
  let now = 1_700_000_000_000;
  const rates = () => new QueueRates(() => now);
  const ended = (type: 'task-succeeded' | 'task-failed', queue = 'io') => ({ type, queue });

  beforeEach(() => {
    now = 1_700_000_000_000;
  });

  it('counts succeeded and failed tasks per queue over the last minute', () => {
    const r = rates();
    for (let i = 0; i < 3; i++) r.observe(ended('task-succeeded'));
    r.observe(ended('task-failed'));
    r.observe(ended('task-succeeded', 'cpu'));
    r.observe({ type: 'task-started', queue: 'io' });
    r.observe({ type: 'task-succeeded' });
    expect(r.of('io')).toEqual({ succeededPerMinute: 3, failedPerMinute: 1 });
    expect(r.of('cpu')).toEqual({ succeededPerMinute: 1, failedPerMinute: 0 });
    expect(r.of('never-seen')).toEqual({ succeededPerMinute: 0, failedPerMinute: 0 });
  });

  it('lets each second leave the window 60 s later', () => {
    const r = rates();
    r.observe(ended('task-succeeded'));
    now += 30_000;
    r.observe(ended('task-succeeded'));
    r.observe(ended('task-failed'));
    expect(r.of('io')).toEqual({ succeededPerMinute: 2, failedPerMinute: 1 });
    now += 30_000; // the first success is 60 s old: out
    expect(r.of('io')).toEqual({ succeededPerMinute: 1, failedPerMinute: 1 });
    now += 29_999;
    expect(r.of('io')).toEqual({ succeededPerMinute: 1, failedPerMinute: 1 });
    now += 1;
    expect(r.of('io')).toEqual({ succeededPerMinute: 0, failedPerMinute: 0 });
  });

  it('reuses a slot a minute later without carrying its old count', () => {
    const r = rates();
    for (let i = 0; i < 5; i++) r.observe(ended('task-succeeded'));
    now += 60_000; // same slot of the ring, a new second
    r.observe(ended('task-succeeded'));
    expect(r.of('io').succeededPerMinute).toBe(1);
    now += 120_000;
    expect(r.of('io').succeededPerMinute).toBe(0);
  });
});
