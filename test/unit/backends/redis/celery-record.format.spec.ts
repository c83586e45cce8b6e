import { celeryRecordFormat } from '../../../../lib/backends/redis/celery-record.format.js';
import { TaskState } from '../../../../lib/backends/task-state.js';

describe('Celery result record format', () => {
  it("writes Celery's keys, with a failure as an exception record Celery can rebuild", () => {
    const record = {
      id: 't1',
      state: TaskState.FAILURE,
      task: 'js.fail',
      queue: 'legacy',
      retries: 1,
      updatedAt: Date.UTC(2030, 0, 1),
      error: { name: 'RangeError', message: 'out of range', stack: 'RangeError: out of range\n    at x' },
    };
    expect(celeryRecordFormat.key('celeriac', 't1')).toBe('celery-task-meta-t1');
    expect(JSON.parse(celeryRecordFormat.encode(record))).toMatchObject({
      status: 'FAILURE',
      result: { exc_type: 'RangeError', exc_message: ['out of range'], exc_module: 'celeriac' },
      traceback: 'RangeError: out of range\n    at x',
      children: [],
      date_done: '2030-01-01T00:00:00.000',
      task_id: 't1',
      name: 'js.fail',
      retries: 1,
    });
    expect(celeryRecordFormat.decode(celeryRecordFormat.encode(record), record.id)).toMatchObject(record);
  });

  it("reads Celery's records: results, failures as text only, custom states as progress", () => {
    const success = {
      status: 'SUCCESS',
      result: 5,
      traceback: null,
      children: [],
      date_done: '2030-01-01T00:00:01.500000',
      task_id: 'a',
    };
    expect(celeryRecordFormat.decode(JSON.stringify(success), 'a-task')).toMatchObject({
      id: 'a',
      state: 'SUCCESS',
      result: 5,
      updatedAt: Date.UTC(2030, 0, 1, 0, 0, 1, 500),
    });
    // The CVE-2021-23727 shape: a "failure" naming os.system. It stays a name and a message.
    const hostile = {
      status: 'FAILURE',
      result: { exc_module: 'os', exc_type: 'system', exc_message: ['rm -rf /'] },
      traceback: 'tb',
      task_id: 'b',
    };
    expect(celeryRecordFormat.decode(JSON.stringify(hostile), 'a-task').error).toEqual({
      name: 'system',
      message: 'rm -rf /',
      stack: 'tb',
    });
    const progress = { status: 'PROGRESS', result: { done: 3 }, task_id: 'c' };
    expect(celeryRecordFormat.decode(JSON.stringify(progress), 'a-task')).toMatchObject({
      state: 'STARTED',
      progress: { done: 3 },
    });
  });
});
