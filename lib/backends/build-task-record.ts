import type { TaskEnvelope } from '../protocol/task-envelope.js';
import type { TaskRecord } from './task-record.js';
import type { TaskState } from './task-state.js';

/** The envelope fields a record repeats. */
export type RecordSource = Pick<
  TaskEnvelope,
  'id' | 'task' | 'queue' | 'retries' | 'rootId' | 'parentId' | 'group'
>;

/**
 * The one place a task's record is built from its envelope: the client's PENDING, the worker's
 * states and a workflow's abandoned steps all go through here. Absent fields stay absent, so the
 * stored JSON carries nothing empty.
 */
export function buildTaskRecord(
  source: RecordSource,
  state: TaskState,
  extra?: Partial<TaskRecord>,
): TaskRecord {
  const record: TaskRecord = {
    id: source.id,
    state,
    task: source.task,
    queue: source.queue,
    retries: source.retries,
    updatedAt: Date.now(),
  };
  if (source.rootId !== undefined) record.rootId = source.rootId;
  if (source.parentId !== undefined) record.parentId = source.parentId;
  if (source.group !== undefined) record.group = source.group;
  return extra === undefined ? record : Object.assign(record, extra);
}
