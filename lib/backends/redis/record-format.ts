import { CorruptRecordError } from '../../errors/corrupt-record.error.js';
import { TaskDefinitionError } from '../../errors/task-definition.error.js';
import type { TaskRecord } from '../task-record.js';
import { celeryRecordFormat } from './celery-record.format.js';
import { parseRecordJson } from './record-json.js';

/**
 * How the Redis backend names and writes a task's record. A record's channel is its key, so a writer
 * that publishes on the key's name (Celeriac's scripts, Celery's backend) wakes every waiter.
 */
export interface RecordFormat {
  readonly name: string;
  key(prefix: string, taskId: string): string;
  encode(record: TaskRecord): string;
  /**
   * Parses a stored or published record of `taskId`; it is untrusted input, read as data only, and
   * anything unreadable is a `CorruptRecordError` naming the task.
   */
  decode(raw: string, taskId: string): TaskRecord;
}

/** Celeriac's own record: the `TaskRecord` as JSON under `<prefix>:task:<id>`. */
export const celeriacRecordFormat: RecordFormat = {
  name: 'celeriac',
  key: (prefix, taskId) => `${prefix}:task:${taskId}`,
  encode: (record) => JSON.stringify(record),
  decode(raw, taskId) {
    const record = parseRecordJson(raw, taskId);
    // The fence of the attempt that wrote it is the backend's business, not the reader's.
    delete record.fence;
    if (typeof record.state !== 'string') throw new CorruptRecordError(taskId, 'it has no state');
    return record as unknown as TaskRecord;
  },
};

/** The format named by `backendOptions.format`. */
export function recordFormatOf(name: string | undefined): RecordFormat {
  if (name === undefined || name === 'celeriac') return celeriacRecordFormat;
  if (name === 'celery') return celeryRecordFormat;
  throw new TaskDefinitionError(`backendOptions.format: "${name}" is not celeriac or celery`);
}
