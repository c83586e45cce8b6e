import { EventEmitter } from 'node:events';

/** What happened to a task on this worker, as Celery names its events. */
export type TaskEventType =
  | 'task-received'
  | 'task-started'
  | 'task-succeeded'
  | 'task-failed'
  | 'task-retried'
  | 'task-revoked'
  | 'task-rejected';

export interface TaskEvent {
  type: TaskEventType;
  id?: string;
  task?: string;
  queue: string;
  /** Epoch ms. */
  at: number;
  retries?: number;
  /** Run time in ms, for finished attempts. */
  runtime?: number;
  /** Error message for failed, retried and rejected. */
  error?: string;
}

/** Worker-local event stream; monitoring and tests subscribe with `on('task', …)`. */
export class TaskEvents extends EventEmitter<{ task: [TaskEvent] }> {
  emitTask(event: Omit<TaskEvent, 'at'>): void {
    if (this.listenerCount('task') > 0) this.emit('task', { ...event, at: Date.now() });
  }
}
