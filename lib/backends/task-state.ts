/** Lifecycle of a task, as in Celery. */
export const TaskState = {
  PENDING: 'PENDING',
  RECEIVED: 'RECEIVED',
  STARTED: 'STARTED',
  RETRY: 'RETRY',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
  REVOKED: 'REVOKED',
} as const;

export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** States after which nothing more happens to a task. */
export const READY_STATES: ReadonlySet<TaskState> = new Set([
  TaskState.SUCCESS,
  TaskState.FAILURE,
  TaskState.REVOKED,
]);

export function isReadyState(state: TaskState): boolean {
  return READY_STATES.has(state);
}
