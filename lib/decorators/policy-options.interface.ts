import type { ArgumentSchemaOption } from '../protocol/argument-schema.js';

/**
 * Computes a policy key (a tenant, an account, a resource) from a task's arguments. It must be pure:
 * it runs when the task is sent (or, for a task sent by name from a process that does not know it,
 * when a worker first receives it), and its result travels in the message.
 */
export type PolicyKeyFunction = (...args: never[]) => string | number;

/** `rateLimit` in object form. */
export interface RateLimitOptions {
  /** `'10/s'`, `'100/m'`, `'5/h'`, or a number per second. */
  limit: string | number;
  /**
   * `worker` (default without `key`): each worker keeps its own bucket, as the string form does.
   * `global`: one limit shared by every worker of the task, kept in the result backend.
   */
  scope?: 'worker' | 'global';
  /** One shared limit per key (implies `scope: 'global'`), e.g. `(order) => order.tenantId`. */
  key?: PolicyKeyFunction;
}

/** `concurrency` in object form: at most `limit` running at once across all workers. */
export interface ConcurrencyOptions {
  limit: number;
  /** One limit per key, e.g. `(job) => job.tenantId`: one tenant cannot take every worker. */
  key?: PolicyKeyFunction;
}

/** The delivery-policy fields of `@Task()`. */
export interface TaskPolicyOptions {
  /**
   * Start rate. The string or number form is per worker (as Celery's `rate_limit`); the object form
   * can be shared by all workers (`scope: 'global'`) or per key.
   */
  rateLimit?: string | number | RateLimitOptions;
  /** At most this many running at once across all workers (a number), or per key. */
  concurrency?: number | ConcurrencyOptions;
  /**
   * Argument schema, checked when the task is sent and again by the worker: a zod schema (or any
   * Standard Schema validator) or a class-validator DTO class. A single schema checks the first
   * argument; an array checks one argument each (`null` skips one). The worker passes the parsed
   * value (defaults, coercions, DTO instances) to the method.
   */
  schema?: ArgumentSchemaOption;
}
