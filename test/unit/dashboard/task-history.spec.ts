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
    });
    expect(seen.timeline.map((entry) => entry.type)).toEqual([
      'task-sent',
      'task-started',
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
});
