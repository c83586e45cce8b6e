import type { DeliveryPolicyStore } from '../backends/delivery-policy-store.interface.js';
import type { TaskOptions } from '../decorators/task-options.interface.js';
import { parseDuration } from '../decorators/duration.js';
import { deliveryPolicyOf, policyKeys, type DeliveryPolicy } from '../discovery/delivery-policy.js';
import type { TaskRegistry } from '../discovery/task.registry.js';
import { CeleriacError } from '../errors/celeriac.error.js';
import type { PolicyFields } from '../protocol/policy-fields.js';
import type { TaskEnvelope } from '../protocol/task-envelope.js';
import type { SendOptions } from './send-options.interface.js';

/** The policy of a task: from its registered definition, else from the `@Task` options at hand. */
export function policyFor(registry: TaskRegistry, name: string, taskOptions: TaskOptions): DeliveryPolicy {
  return registry.find(name)?.policy ?? deliveryPolicyOf(name, taskOptions);
}

/**
 * The envelope's policy fields: the keys computed from the arguments (pure functions, run here at
 * send time) and the deduplication key. `undefined` when there is nothing to carry.
 */
export function policyFields(
  name: string,
  policy: DeliveryPolicy,
  args: readonly unknown[] | undefined,
  options: SendOptions,
  now: number,
): PolicyFields | undefined {
  const fields: PolicyFields = args ? policyKeys(name, policy, args) : {};
  if (options.dedupKey !== undefined) {
    if (typeof options.dedupKey !== 'string' || options.dedupKey === '') {
      throw new CeleriacError('INVALID_OPTION', `task "${name}": dedupKey must be a non-empty string`);
    }
    fields.dedupKey = options.dedupKey;
    fields.dedupUntil = now + parseDuration(options.dedupTtl ?? 0, `task "${name}": dedupTtl`);
  }
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/**
 * Deduplication at send: claims the envelope's key for its task, for as long as the task may still
 * be pending (the result TTL) — the worker shortens the claim to `dedupUntil` once the task has
 * finished. Resolves with the id of the task that already holds the key, if any.
 */
export async function claimDedup(
  store: DeliveryPolicyStore | undefined,
  envelope: TaskEnvelope,
  resultTtlMs: number,
): Promise<string | undefined> {
  const key = envelope.policy?.dedupKey;
  if (key === undefined) return undefined;
  if (!store) {
    throw new CeleriacError(
      'UNSUPPORTED',
      `task "${envelope.task}": dedupKey needs a result backend that keeps delivery policies (redis or memory)`,
    );
  }
  const until = envelope.policy?.dedupUntil ?? 0;
  return store.claimDedup(key, envelope.id, Math.max(resultTtlMs, until - Date.now()));
}
