import type { PolicyKeyFunction, TaskPolicyOptions } from '../decorators/policy-options.interface.js';
import { parseRateLimit, type RateLimit } from '../decorators/rate-limit.js';
import { InvalidArgumentsError } from '../errors/invalid-arguments.error.js';
import { TaskDefinitionError } from '../errors/task-definition.error.js';
import { ArgumentSchemas } from '../protocol/argument-schema.js';

/** A limit shared by every worker, kept in the result backend; per key when `key` is set. */
export interface SharedLimit<T> {
  limit: T;
  key?: PolicyKeyFunction;
}

/** A task's delivery policies, resolved from its `@Task` options. */
export interface DeliveryPolicy {
  /** Per-worker start rate (the string form of `rateLimit`). */
  workerRate?: RateLimit;
  /** Start rate shared by all workers, or per key. */
  rate?: SharedLimit<RateLimit>;
  /** Most running at once across all workers, or per key. */
  concurrency?: SharedLimit<number>;
  schemas?: ArgumentSchemas;
}

/** The keys a message carries; computed from the arguments when it is sent. */
export interface PolicyKeys {
  rateKey?: string;
  concurrencyKey?: string;
}

const resolved = new WeakMap<object, DeliveryPolicy>();

/**
 * Resolves (once per options object) and checks the policy fields of a task's options. A mistake is a
 * {@link TaskDefinitionError} that names `where`.
 */
export function deliveryPolicyOf(
  task: string,
  options: TaskPolicyOptions,
  where = `task "${task}"`,
): DeliveryPolicy {
  let policy = resolved.get(options);
  if (!policy) {
    policy = resolve(task, options, where);
    resolved.set(options, policy);
  }
  return policy;
}

function resolve(task: string, options: TaskPolicyOptions, where: string): DeliveryPolicy {
  const policy: DeliveryPolicy = {};
  const rate = options.rateLimit;
  if (typeof rate === 'string' || typeof rate === 'number') {
    policy.workerRate = parseRateLimit(rate, `${where}: rateLimit`);
  } else if (rate !== undefined) {
    const limit = parseRateLimit(rate.limit, `${where}: rateLimit.limit`);
    checkKey(rate.key, `${where}: rateLimit.key`);
    if (rate.scope !== undefined && rate.scope !== 'worker' && rate.scope !== 'global') {
      throw new TaskDefinitionError(`${where}: rateLimit.scope must be "worker" or "global"`);
    }
    if (rate.key && rate.scope === 'worker') {
      throw new TaskDefinitionError(
        `${where}: a keyed rateLimit is shared by every worker; remove scope: 'worker' or the key`,
      );
    }
    if (rate.key || rate.scope === 'global') policy.rate = { limit, key: rate.key };
    else policy.workerRate = limit;
  }
  const concurrency = options.concurrency;
  if (concurrency !== undefined) {
    const { limit, key } =
      typeof concurrency === 'number' ? { limit: concurrency, key: undefined } : concurrency;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new TaskDefinitionError(`${where}: concurrency limit must be an integer ≥ 1`);
    }
    checkKey(key, `${where}: concurrency.key`);
    policy.concurrency = { limit, key };
  }
  if (options.schema !== undefined) policy.schemas = ArgumentSchemas.compile(task, options.schema, where);
  return policy;
}

function checkKey(key: unknown, where: string): void {
  if (key !== undefined && typeof key !== 'function') {
    throw new TaskDefinitionError(`${where} must be a function of the task's arguments`);
  }
}

/** Evaluates the policy's key functions; a key that is not a non-empty string or number is the caller's error. */
export function policyKeys(task: string, policy: DeliveryPolicy, args: readonly unknown[]): PolicyKeys {
  const keys: PolicyKeys = {};
  if (policy.rate?.key) keys.rateKey = evaluate(task, 'rateLimit', policy.rate.key, args);
  if (policy.concurrency?.key)
    keys.concurrencyKey = evaluate(task, 'concurrency', policy.concurrency.key, args);
  return keys;
}

function evaluate(task: string, what: string, key: PolicyKeyFunction, args: readonly unknown[]): string {
  let value: unknown;
  try {
    value = (key as (...args: unknown[]) => unknown)(...args);
  } catch (error) {
    throw new InvalidArgumentsError(task, `the ${what} key function threw: ${(error as Error).message}`);
  }
  if (
    (typeof value === 'string' && value.length > 0) ||
    (typeof value === 'number' && Number.isFinite(value))
  ) {
    return String(value);
  }
  throw new InvalidArgumentsError(
    task,
    `the ${what} key function returned ${JSON.stringify(value) ?? String(value)}; it must return a non-empty string or a number`,
  );
}

/** True when the task needs the result backend's policy store. */
export function usesSharedPolicies(policy: DeliveryPolicy): boolean {
  return policy.rate !== undefined || policy.concurrency !== undefined;
}
