import { EventEmitter } from 'node:events';
import type { JsonValue } from '../protocol/json-value.js';

/** What happened to a task, as Celery names its events. `task-sent` comes from the producer. */
export type TaskEventType =
  | 'task-sent'
  | 'task-received'
  | 'task-rate-limited'
  | 'task-started'
  | 'task-progress'
  | 'task-succeeded'
  | 'task-failed'
  | 'task-retried'
  | 'task-revoked'
  | 'task-rejected'
  | 'task-lease-lost';

export interface TaskEvent {
  type: TaskEventType;
  id?: string;
  task?: string;
  queue: string;
  /** Epoch ms. */
  at: number;
  /** Id of the worker the event happened on (absent for `task-sent`). */
  worker?: string;
  retries?: number;
  /** Run time in ms, for finished attempts. */
  runtime?: number;
  /**
   * Error message for failed, retried and rejected; for `task-lease-lost`, why the attempt's
   * outcome was refused (another worker took its delivery over).
   */
  error?: string;
  /** What the task reported, for `task-progress`. */
  progress?: JsonValue;
  /** For `task-sent`: when the task is due (countdown, ETA); for `task-rate-limited`: when it comes back. */
  eta?: number;
  /**
   * For `task-started`: ms from when the task was due (sent, or its countdown, ETA or retry time) to
   * this start — time spent waiting in the queue and for a free slot.
   */
  wait?: number;
  /** For `task-sent` and `task-received`: the call's arguments, unless larger than 4 KB as JSON. */
  args?: JsonValue[];
  /** Keyword arguments, beside `args`, when the call had any. */
  kwargs?: Record<string, JsonValue>;
  /** For `task-sent` and `task-received` of a group member: its group, the group's size, and whether a chord callback follows. */
  group?: string;
  groupSize?: number;
  chord?: boolean;
}

/** Worker-local event stream; monitoring and tests subscribe with `on('task', …)`. */
export class TaskEvents extends EventEmitter<{ task: [TaskEvent] }> {
  emitTask(event: Omit<TaskEvent, 'at'>): void {
    if (this.listenerCount('task') > 0) this.emit('task', { ...event, at: Date.now() });
  }

  /** Emits an event that already carries its time. */
  emitEvent(event: TaskEvent): void {
    if (this.listenerCount('task') > 0) this.emit('task', event);
  }
}
