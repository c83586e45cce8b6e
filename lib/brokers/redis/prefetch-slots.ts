import type { DeliveryHandler } from '../broker.interface.js';
import type { RedisDelivery } from './redis-delivery.js';
import type { CeleriacLogger } from '../../logging/celeriac-logger.js';

/**
 * A Redis consumer's prefetch window: how many deliveries it holds unsettled, and a wait for a
 * free place that a settled delivery (or a cancel) ends. Both Redis layouts' consumers keep one.
 */
export class PrefetchSlots {
  private held = 0;
  private freed?: () => void;

  constructor(private readonly prefetch: number) {}

  /** How many more deliveries the consumer may take now. */
  get free(): number {
    return this.prefetch - this.held;
  }

  /** Resolves once a place is free (at once if one is), or when {@link wake} is called. */
  whenFree(): Promise<void> {
    if (this.held < this.prefetch) return Promise.resolve();
    return new Promise((resolve) => (this.freed = resolve));
  }

  /** Ends a pending {@link whenFree} without freeing a place (the consumer is cancelling). */
  wake(): void {
    const wake = this.freed;
    this.freed = undefined;
    wake?.();
  }

  /**
   * Hands `delivery` to the consumer's handler, holding a place until it is settled (the delivery
   * calls {@link release}). A handler that throws gets the delivery requeued, not lost.
   */
  dispatch(delivery: RedisDelivery, handler: DeliveryHandler, logger: CeleriacLogger, queue: string): void {
    this.held++;
    try {
      handler(delivery);
    } catch (error) {
      logger.error(`queue "${queue}": delivery handler threw (${(error as Error).message}); requeueing`);
      delivery.requeue().catch(() => undefined);
    }
  }

  /** A delivery was settled: its place is free again. */
  release(): void {
    this.held--;
    this.wake();
  }
}
