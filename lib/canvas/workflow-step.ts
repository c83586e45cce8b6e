import type { JsonValue } from '../protocol/json-value.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';

/** Record `task` name of a group's own record. */
export const GROUP_TASK = 'celeriac.group';

/** One envelope of a stored step; a mutable one receives the parent's result as its first argument. */
export interface StepEntry {
  envelope: TaskEnvelope;
  immutable: boolean;
}

/**
 * What to publish when a workflow reaches this point: one task, or a group's members. Stored once
 * in the backend; messages refer to it by id.
 */
export interface WorkflowStep {
  entries: StepEntry[];
  /** Set when the step is a group: its id, size, and the step that follows it (for an empty group). */
  group?: { id: string; size: number; next?: string };
}

/** What an error callback receives as its first argument. */
export interface TaskFailureInfo {
  taskId: string;
  task: string;
  error: { name: string; message: string };
}

export function asStep(value: JsonValue | undefined): WorkflowStep | undefined {
  return value as unknown as WorkflowStep | undefined;
}
