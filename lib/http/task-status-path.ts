/** DI token of the status routes' path (default `tasks`), used to build `Location` headers. */
export const TASK_STATUS_PATH = Symbol('CELERIAC_TASK_STATUS_PATH');

/** `/tasks/<id>` for a path and an id. */
export function taskStatusUrl(path: string, taskId: string): string {
  return `/${path.replace(/^\/+|\/+$/g, '')}/${encodeURIComponent(taskId)}`;
}
