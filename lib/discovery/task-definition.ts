import type { BackoffOptions, TaskOptions } from '../decorators/task-options.interface.js';
import type { RateLimit } from '../decorators/rate-limit.js';
import type { DeliveryPolicy } from './delivery-policy.js';

/** Everything the worker and client need to know about one `@Task` method, resolved at bootstrap. */
export interface TaskDefinition {
  name: string;
  queue: string;
  className: string;
  methodName: string;
  options: TaskOptions;
  retries: number;
  backoff: BackoffOptions;
  /** Per-worker start rate. */
  rateLimit?: RateLimit;
  /** Shared rate limits, concurrency limits and argument schemas. */
  policy: DeliveryPolicy;
  /** Declared parameter types (from `design:paramtypes`), used to check arguments. */
  paramTypes: readonly unknown[];
  /** Parameters before the first one with a default value (`Function.length`). */
  requiredArgs: number;
  /** Parameter names from the method's declaration (`undefined` where destructured), for keyword arguments. */
  paramNames: readonly (string | undefined)[];
  /** The provider instance the method runs on. */
  instance: object;
  /** Calls the method through Nest's guards, interceptors, pipes and filters. */
  handler: (...args: unknown[]) => Promise<unknown>;
}
