import type { TaskRecord } from '../backends/task-record.js';
import type { TaskState } from '../backends/task-state.js';
import type { JsonValue } from '../protocol/json-value.js';
import { taskStatusUrl } from './task-status-path.js';

/** The JSON a client sees for a task. Stacks stay on the server. */
export interface TaskStatusView {
  id: string;
  state: TaskState;
  task?: string;
  queue?: string;
  retries?: number;
  progress?: JsonValue;
  result?: JsonValue;
  error?: { name: string; message: string };
  updatedAt?: string;
  links: { self: string };
}

export function toStatusView(record: TaskRecord, path: string): TaskStatusView {
  return {
    id: record.id,
    state: record.state,
    task: record.task,
    queue: record.queue,
    retries: record.retries,
    progress: record.progress,
    result: record.result,
    error: record.error && { name: record.error.name, message: record.error.message },
    updatedAt: new Date(record.updatedAt).toISOString(),
    links: { self: taskStatusUrl(path, record.id) },
  };
}
