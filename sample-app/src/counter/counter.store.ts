import { Injectable } from '@nestjs/common';

/** The counter's value at one tick of its snapshot schedule. */
export interface CounterSnapshot {
  at: string;
  value: number;
}

/** How many snapshots the store keeps. */
const KEPT_SNAPSHOTS = 10;

/**
 * A deliberately naive store: reads and writes are separate async steps, so concurrent
 * read-modify-write cycles would lose updates. The `serial` queue's solo pool is what keeps it correct.
 */
@Injectable()
export class CounterStore {
  private value = 0;
  private readonly taken: CounterSnapshot[] = [];

  async read(): Promise<number> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.value;
  }

  async write(value: number): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.value = value;
  }

  /** Keeps a snapshot, newest first. */
  keep(snapshot: CounterSnapshot): void {
    this.taken.unshift(snapshot);
    this.taken.length = Math.min(this.taken.length, KEPT_SNAPSHOTS);
  }

  snapshots(): CounterSnapshot[] {
    return [...this.taken];
  }
}
