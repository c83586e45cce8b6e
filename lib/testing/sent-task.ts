import type { JsonValue } from '../protocol/json-value.js';

/** One task message published while a testing module ran, as the worker will read it. */
export interface SentTask {
  id: string;
  /** Registered name, `ClassName.method` unless `@Task({ name })` says otherwise. */
  task: string;
  queue: string;
  args: JsonValue[];
  kwargs?: Record<string, JsonValue>;
  /** Epoch ms before which it does not run (countdown, ETA). */
  eta?: number;
  priority?: number;
  /** Id of the task that sent it, for a task sent from inside another (or a workflow step). */
  parentId?: string;
}

/** `ReportTasks.render("42", 3) → cpu`: one sent task as a failure message lists it. */
export function describeSentTask(sent: SentTask): string {
  const args = sent.args.map((arg) => JSON.stringify(arg)).join(', ');
  const kwargs = sent.kwargs && Object.keys(sent.kwargs).length > 0 ? ` ${JSON.stringify(sent.kwargs)}` : '';
  return `${sent.task}(${args})${kwargs} → ${sent.queue}`;
}
