import type { JsonValue } from '../protocol/json-value.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';

/**
 * Largest arguments (args and kwargs as JSON) an event carries. Events are monitoring data that
 * every watcher receives; a bigger payload stays in the message and the event goes without it.
 */
export const MAX_EVENT_ARGUMENTS_CHARS = 4_096;

/**
 * What `task-sent` and `task-received` add about the call, as Celery's events carry args and
 * kwargs: the arguments, and where the task sits in a workflow (so a dashboard can show a group's
 * or a chord's progress from events alone).
 */
export interface TaskEventCall {
  args?: JsonValue[];
  /** Present only when the call had keyword arguments. */
  kwargs?: Record<string, JsonValue>;
  /** The group the task is a member of. */
  group?: string;
  /** How many members that group has. */
  groupSize?: number;
  /** True when a chord callback runs once the group completes. */
  chord?: boolean;
}

/** The envelope's call for an event; arguments larger than {@link MAX_EVENT_ARGUMENTS_CHARS} are left out. */
export function eventCall(envelope: TaskEnvelope): TaskEventCall {
  const call: TaskEventCall = {};
  const hasKwargs = Object.keys(envelope.kwargs).length > 0;
  const size =
    JSON.stringify(envelope.args).length + (hasKwargs ? JSON.stringify(envelope.kwargs).length : 0);
  if (size <= MAX_EVENT_ARGUMENTS_CHARS) {
    call.args = envelope.args;
    if (hasKwargs) call.kwargs = envelope.kwargs;
  }
  if (envelope.group !== undefined) {
    call.group = envelope.group;
    if (envelope.groupSize !== undefined) call.groupSize = envelope.groupSize;
    if (envelope.chord !== undefined) call.chord = true;
  }
  return call;
}
