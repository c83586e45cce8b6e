import type { CeleriacLogger } from '../../logging/celeriac-logger.js';

/** Renews a batch of leases of one queue; resolves with the message ids whose lease was already lost. */
export type RenewLeases = (queue: string, pairs: string[]) => Promise<string[]>;

/** What holds a broker's leases: the lease thread, or a keeper on the event loop. */
export interface Leases {
  /** Resolves once leases can be held and renewed (before the first consumer starts). */
  open?(): Promise<void>;
  hold(queue: string, mid: string, token: string): void;
  release(queue: string, mid: string): void;
  stop(): void | Promise<void>;
}

export interface LeaseKeeperHooks {
  /**
   * Told of each lease found lost (after it was dropped); when given, it reports the loss, the
   * keeper does not (its owner may know the delivery was settled meanwhile).
   */
  lost?(queue: string, mid: string, token: string): void;
  /** Asked before each round: false skips it (the leases are kept, not renewed). */
  renewing?(): boolean;
}

const RENEW_BATCH = 500;

/**
 * Keeps the leases of a broker's unsettled deliveries alive: every `renewEveryMs`, one script call
 * per queue extends them all. The timer runs only while something is unsettled, so an idle broker
 * sends nothing.
 */
export class LeaseKeeper implements Leases {
  private readonly held = new Map<string, Map<string, string>>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly renewEveryMs: number,
    private readonly renew: RenewLeases,
    private readonly logger: Pick<CeleriacLogger, 'warn'>,
    private readonly hooks: LeaseKeeperHooks = {},
  ) {}

  hold(queue: string, mid: string, token: string): void {
    let leases = this.held.get(queue);
    if (!leases) this.held.set(queue, (leases = new Map<string, string>()));
    leases.set(mid, token);
    this.arm();
  }

  release(queue: string, mid: string): void {
    const leases = this.held.get(queue);
    if (!leases?.delete(mid) || leases.size > 0) return;
    this.held.delete(queue);
    if (this.held.size === 0) this.disarm();
  }

  stop(): void {
    this.stopped = true;
    this.disarm();
    this.held.clear();
  }

  private arm(): void {
    if (this.timer || this.stopped || this.held.size === 0) return;
    // Unref'd: leases alone must not keep a process alive; its consumers' connections do that.
    this.timer = setTimeout(() => void this.tick(), this.renewEveryMs).unref();
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    if (this.hooks.renewing && !this.hooks.renewing()) {
      this.timer = undefined;
      return this.arm();
    }
    const batches: [string, [string, string][]][] = [];
    for (const [queue, leases] of this.held) {
      const entries = [...leases];
      for (let at = 0; at < entries.length; at += RENEW_BATCH)
        batches.push([queue, entries.slice(at, at + RENEW_BATCH)]);
    }
    await Promise.all(batches.map(([queue, entries]) => this.renewBatch(queue, new Map(entries))));
    this.timer = undefined;
    this.arm();
  }

  private async renewBatch(queue: string, batch: Map<string, string>): Promise<void> {
    try {
      const lost = await this.renew(queue, [...batch].flat());
      for (const mid of lost) {
        const token = batch.get(mid);
        // Settled meanwhile: not a loss. Still held with the same token: its lease ended first.
        if (this.held.get(queue)?.get(mid) !== token) continue;
        this.release(queue, mid);
        if (this.hooks.lost) this.hooks.lost(queue, mid, token!);
        else this.logger.warn(lostLeaseWarning(queue, mid));
      }
    } catch (error) {
      this.logger.warn(`queue "${queue}": could not renew leases (${(error as Error).message}); will retry`);
    }
  }
}

/** What a worker says when a lease ended before it was renewed. */
export function lostLeaseWarning(queue: string, mid: string): string {
  return `queue "${queue}": lease of message ${mid} ended before it was renewed; it may run again elsewhere`;
}
