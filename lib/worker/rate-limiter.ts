import type { TaskDefinition } from '../discovery/task-definition.js';
import { TokenBucket } from './token-bucket.js';

/** One token bucket per rate-limited task name, on this worker (as Celery's `rate_limit`). */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  /** ms the caller must wait before starting `definition` (0 when it may start now). */
  reserve(definition: TaskDefinition): number {
    if (!definition.rateLimit) return 0;
    let bucket = this.buckets.get(definition.name);
    if (!bucket) {
      bucket = new TokenBucket(definition.rateLimit);
      this.buckets.set(definition.name, bucket);
    }
    return bucket.reserve();
  }
}
