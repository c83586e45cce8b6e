/** What names one attempt of a task in a log line. */
export interface AttemptOf {
  id: string;
  task: string;
  /** Retries spent before this attempt (0 on the first). */
  retries: number;
}

/**
 * `ReportTasks.render[3f0c…] attempt 2/4`: the task's name, its id (to look it up with
 * `GET /tasks/:id` or `client.handle(id)`) and which attempt out of how many.
 */
export function attemptLabel(attempt: AttemptOf, maxRetries: number): string {
  return `${attempt.task}[${attempt.id}] attempt ${attempt.retries + 1}/${Math.max(maxRetries, attempt.retries) + 1}`;
}

/** `TypeError: x is undefined` — an error's name and message on one line, whatever was thrown. */
export function errorSummary(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
}

/** `1.5 s`, `800 ms`: a retry delay as a person reads it. */
export function formatDelay(ms: number): string {
  return ms >= 1_000 ? `${Number((ms / 1_000).toFixed(1))} s` : `${ms} ms`;
}
