import { TaskHistory } from '../../../lib/dashboard/task-history.js';
import type { TaskEvent } from '../../../lib/index.js';

const event = (
  type: TaskEvent['type'],
  id: string,
  at: number,
  extra: Partial<TaskEvent> = {},
): TaskEvent => ({
  type,
  id,
  task: 'Reports.build',
  queue: 'io',
  at,
  ...extra,
});

describe('TaskHistory', () => {
  it('follows a task through its events, with a timeline', () => {
    const history = new TaskHistory();
    history.observe(event('task-sent', 'a', 1));
    history.observe(event('task-started', 'a', 2, { worker: 'host:1' }));
    history.observe(event('task-progress', 'a', 2, { progress: { page: 1 } }));
    history.observe(event('task-retried', 'a', 3, { error: 'boom', runtime: 5 }));
    history.observe(event('task-succeeded', 'a', 4, { retries: 1, runtime: 7 }));
    const seen = history.get('a')!;
    expect(seen.summary).toEqual({
      id: 'a',
      task: 'Reports.build',
      queue: 'io',
      state: 'SUCCESS',
      retries: 1,
      firstSeen: 1,
      updatedAt: 4,
      worker: 'host:1',
      runtime: 7,
      progress: { page: 1 },
    });
    expect(seen.timeline.map((entry) => entry.type)).toEqual([
      'task-sent',
      'task-started',
      'task-progress',
      'task-retried',
      'task-succeeded',
    ]);
  });

  it('a send confirmed after a fast worker finished does not move the task back to PENDING', () => {
    const history = new TaskHistory();
    history.observe(event('task-started', 'a', 1));
    history.observe(event('task-succeeded', 'a', 2));
    history.observe(event('task-sent', 'a', 3));
    expect(history.get('a')!.summary.state).toBe('SUCCESS');
  });

  it('lists newest first, filtered, and forgets the oldest beyond its size', () => {
    const history = new TaskHistory(2);
    history.observe(event('task-sent', 'a', 1));
    history.observe(event('task-sent', 'b', 2, { queue: 'cpu' }));
    history.observe(event('task-failed', 'c', 3, { error: 'no' }));
    expect(history.list().map((summary) => summary.id)).toEqual(['c', 'b']);
    expect(history.list({ state: 'FAILURE' }).map((summary) => summary.id)).toEqual(['c']);
    expect(history.list({ queue: 'cpu' }).map((summary) => summary.id)).toEqual(['b']);
    expect(history.get('a')).toBeUndefined();
  });

  it('ignores events without a task id (a garbage message)', () => {
    const history = new TaskHistory();
    expect(history.observe({ type: 'task-rejected', queue: 'io', at: 1, error: 'not JSON' })).toBeUndefined();
    expect(history.list()).toEqual([]);
  });

  it('keeps the arguments an event carried, and the latest of them', () => {
    const history = new TaskHistory();
    history.observe(event('task-sent', 'a', 1, { args: [1], kwargs: { dry: true } }));
    history.observe(event('task-started', 'a', 2));
    expect(history.get('a')!.call).toEqual({ args: [1], kwargs: { dry: true } });
    history.observe(event('task-received', 'a', 3, { args: [2] }));
    expect(history.get('a')!.call).toEqual({ args: [2] });
    expect(history.list()[0]).not.toHaveProperty('args');
  });

  it("counts each group's members by state, with its size from the events, newest group first", () => {
    const history = new TaskHistory();
    const member = { group: 'g1', groupSize: 3, chord: true };
    history.observe(event('task-sent', 'a', 1, member));
    history.observe(event('task-sent', 'b', 1, member));
    history.observe(event('task-sent', 'c', 1, member));
    history.observe(event('task-succeeded', 'a', 2));
    history.observe(event('task-failed', 'b', 3, { error: 'no' }));
    history.observe(event('task-sent', 'x', 4, { group: 'g2', groupSize: 1 }));
    history.observe(event('task-sent', 'alone', 5));
    expect(history.workflows()).toEqual([
      { group: 'g2', size: 1, chord: false, states: { PENDING: 1 }, finished: 0, firstSeen: 4, updatedAt: 4 },
      {
        group: 'g1',
        size: 3,
        chord: true,
        states: { SUCCESS: 1, FAILURE: 1, PENDING: 1 },
        finished: 2,
        firstSeen: 1,
        updatedAt: 3,
      },
    ]);
  });
});
