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

/** What a stored `rootId` of a task that is its own workflow's root holds: its id is in the key already. */
const OWN_ROOT = '';

/**
 * Celeriac's own record: the `TaskRecord` as JSON under `<prefix>:task:<id>`, without the id (the key
 * and every channel that carries a record name it) and with a task that is its own root stored as
 * `"rootId":""` (a task id is never empty), so a record that had no `rootId` still has none when read.
 * The older form, `id` and `rootId` written out, reads the same.
 */
export const celeriacRecordFormat: RecordFormat = {
  name: 'celeriac',
  key: (prefix, taskId) => `${prefix}:task:${taskId}`,
  encode(record) {
    const stored: Record<string, unknown> = {};
    for (const field in record) {
      const value = (record as unknown as Record<string, unknown>)[field];
      if (value === undefined || field === 'id') continue;
      stored[field] = field === 'rootId' && value === record.id ? OWN_ROOT : value;
    }
    return JSON.stringify(stored);
  },
  decode(raw, taskId) {
    const stored = parseRecordJson(raw, taskId);
    // The fence of the attempt that wrote it is the backend's business, not the reader's.
    delete stored.fence;
    if (typeof stored.state !== 'string') throw new CorruptRecordError(taskId, 'it has no state');
    const record = stored.id === undefined ? { id: taskId, ...stored } : stored;
    if (record.rootId === OWN_ROOT) record.rootId = record.id;
    return record as unknown as TaskRecord;
  },
};

/** The format named by `backendOptions.format`. */
export function recordFormatOf(name: string | undefined): RecordFormat {
  if (name === undefined || name === 'celeriac') return celeriacRecordFormat;
  if (name === 'celery') return celeryRecordFormat;
  throw new TaskDefinitionError(`backendOptions.format: "${name}" is not celeriac or celery`);
}
