import type { JsonValue } from './json-value.js';
import type { PolicyFields } from './policy-fields.js';

/** Wire protocol version; bumped on any incompatible change of {@link TaskEnvelope}. */
export const PROTOCOL_VERSION = 1;

/**
 * The one message every broker carries, modelled on Celery's message protocol v2.
 * Times are epoch milliseconds. Only JSON crosses the wire.
 */
export interface TaskEnvelope {
  /** Protocol version ({@link PROTOCOL_VERSION}). */
  v: number;
  /** Task id: stable across retries and redeliveries, so results are idempotent. */
  id: string;
  /** Registered task name, e.g. `ReportTasks.render`. */
  task: string;
  /** Queue the message was published to. */
  queue: string;
  args: JsonValue[];
  kwargs: Record<string, JsonValue>;
  /** Retries already spent (0 on the first run). */
  retries: number;
  /** When the envelope was first created. */
  createdAt: number;
  /** Earliest start time. */
  eta?: number;
  /** After this time the task is revoked instead of run. */
  expires?: number;
  /** 0 (lowest) to 9 (highest). */
  priority?: number;
  /** Soft time limit in ms for this call (overrides the task's `timeLimit`). */
  timeLimit?: number;
  /** Id of the first task of the workflow this task belongs to (itself when alone). */
  rootId: string;
  /** Id of the task that sent this one, if any. */
  parentId?: string;
  /** Id of the group this task is a member of. */
  group?: string;
  /** Position of this task inside its group. */
  groupIndex?: number;
  /** Number of members of its group. */
  groupSize?: number;
  /** Ids of stored steps to run with this task's result when it succeeds (chain links, `link`). */
  callbacks?: string[];
  /** Ids of stored steps to run with this task's failure when it finally fails (`linkError`). */
  errbacks?: string[];
  /** Id of the stored step to run with the group's ordered results once the group completes (a chord). */
  chord?: string;
  /** Do not store the outcome. */
  ignoreResult?: boolean;
  /** Reply address of the process that sent it: the final record is also sent there. */
  replyTo?: string;
  /** Free-form headers for extensions. */
  headers?: Record<string, JsonValue>;
  /** Delivery-policy keys and marks (rate and concurrency keys, deduplication). */
  policy?: PolicyFields;
}
