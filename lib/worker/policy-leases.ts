import type { LoggerService } from '@nestjs/common';
import type { DeliveryPolicyStore } from '../backends/delivery-policy-store.interface.js';

/**
 * Keeps alive the concurrency places this worker holds: every `leaseMs / 3`, one renewal per limit
 * key for all its holders. The timer runs only while a place is held, so an idle worker sends
 * nothing; a worker that dies stops renewing and its places come back when their leases end.
 */
export class PolicyLeases {
  private readonly held = new Map<string, Set<string>>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: DeliveryPolicyStore,
    readonly leaseMs: number,
    private readonly logger: LoggerService,
  ) {}

  hold(key: string, holder: string): void {
    let holders = this.held.get(key);
    if (!holders) this.held.set(key, (holders = new Set()));
    holders.add(holder);
    this.timer ??= setTimeout(() => void this.renew(), this.leaseMs / 3).unref();
  }

  release(key: string, holder: string): void {
    const holders = this.held.get(key);
    if (!holders?.delete(holder) || holders.size > 0) return;
    this.held.delete(key);
    if (this.held.size > 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async renew(): Promise<void> {
    await Promise.all(
      [...this.held].map(async ([key, holders]) => {
        try {
          const lost = await this.store.renewSlots(key, [...holders], this.leaseMs);
          for (const holder of lost) {
            this.logger.warn(`concurrency place "${key}" of task ${holder} was lost (its lease ended first)`);
          }
        } catch (error) {
          this.logger.warn(`could not renew concurrency places "${key}": ${(error as Error).message}`);
        }
      }),
    );
    this.timer =
      this.held.size > 0 ? setTimeout(() => void this.renew(), this.leaseMs / 3).unref() : undefined;
  }
}
