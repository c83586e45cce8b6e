import type { TaskDefinition } from '../discovery/task-definition.js';
import type { RateLimit } from '../decorators/rate-limit.js';
import { TokenBucket } from './token-bucket.js';

/**
 * One token bucket per rate-limited task name, on this worker (as Celery's `rate_limit`). A limit
 * changed at run time (remote control) wins over the task's own until the worker restarts.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly changed = new Map<string, RateLimit | null>();

  /** ms the caller must wait before starting `definition` (0 when it may start now). */
  reserve(definition: TaskDefinition): number {
    const changed = this.changed.get(definition.name);
    const limit = changed === undefined ? definition.rateLimit : changed;
    if (!limit) return 0;
    let bucket = this.buckets.get(definition.name);
    if (!bucket) {
      bucket = new TokenBucket(limit);
      this.buckets.set(definition.name, bucket);
    }
    return bucket.reserve();
  }

  /** `limit`: the new rate; null: unlimited; undefined: the task's own again. */
  override(task: string, limit: RateLimit | null | undefined): void {
    this.buckets.delete(task);
    if (limit === undefined) this.changed.delete(task);
    else this.changed.set(task, limit);
  }

  /** Run-time changes, as `<tokens>/<s|m|h>` text (null: unlimited). */
  overrides(): Record<string, string | null> {
    return Object.fromEntries(
      [...this.changed].map(([task, limit]) => [task, limit && formatRateLimit(limit)]),
    );
  }
}

/** `{ tokens: 10, periodMs: 1000 }` → `'10/s'`. */
export function formatRateLimit(limit: RateLimit): string {
  const unit = limit.periodMs === 3_600_000 ? 'h' : limit.periodMs === 60_000 ? 'm' : 's';
  const periods = { s: 1_000, m: 60_000, h: 3_600_000 }[unit];
  return `${+((limit.tokens * periods) / limit.periodMs).toFixed(6)}/${unit}`;
}
