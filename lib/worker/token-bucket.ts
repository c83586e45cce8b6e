import type { RateLimit } from '../decorators/rate-limit.js';

/**
 * Per-worker token bucket, as Celery's: tokens refill continuously at `tokens / periodMs` and the
 * bucket holds one token, so starts are evenly spaced (`'100/m'` = one start every 600 ms) and no
 * window ever sees more than the stated rate. `reserve()` never blocks: it books the next slot and
 * says how long to wait for it.
 */
export class TokenBucket {
  private readonly capacity: number;
  private readonly ratePerMs: number;
  private level: number;
  private updatedAt: number;

  constructor(
    limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    this.capacity = 1;
    this.ratePerMs = limit.tokens / limit.periodMs;
    this.level = this.capacity;
    this.updatedAt = now();
  }

  /** Takes one token (the level may go negative: a queue of reservations); returns ms to wait. */
  reserve(): number {
    this.refill();
    this.level -= 1;
    return this.level >= 0 ? 0 : Math.ceil(-this.level / this.ratePerMs);
  }

  private refill(): void {
    const now = this.now();
    this.level = Math.min(this.capacity, this.level + (now - this.updatedAt) * this.ratePerMs);
    this.updatedAt = now;
  }
}
