import type { JsonValue } from '../protocol/json-value.js';
import type { TaskState } from './task-state.js';

/** An error as stored and shown: it crosses process boundaries as plain data. */
export interface TaskErrorInfo {
  name: string;
  message: string;
  stack?: string;
}

/** What the result backend keeps about one task id. */
export interface TaskRecord {
  id: string;
  state: TaskState;
  task: string;
  queue: string;
  retries: number;
  result?: JsonValue;
  error?: TaskErrorInfo;
  progress?: JsonValue;
  /** Epoch ms of the last change. */
  updatedAt: number;
  /** Group this task belongs to, if any. */
  group?: string;
  parentId?: string;
  rootId?: string;
}
