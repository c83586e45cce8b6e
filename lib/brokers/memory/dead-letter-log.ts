import type { DeadLetter } from '../broker.interface.js';
import { Deque } from './deque.js';

/** A dead letter as the embedded broker keeps it: with the priority a replay restores. */
export interface StoredDeadLetter extends DeadLetter {
  priority: number;
}

/**
 * Dead letters of one queue, oldest first. Bounded, because an embedded broker lives in the
 * application's own heap: past the limit the oldest letters are dropped.
 */
export class DeadLetterLog {
  private letters = new Deque<StoredDeadLetter>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.letters.length;
  }

  add(letter: StoredDeadLetter): void {
    this.letters.push(letter);
    while (this.letters.length > this.limit) this.letters.shift();
  }

  /** Copies of the oldest `limit` letters. */
  list(limit: number): DeadLetter[] {
    return this.letters.toArray(limit).map(({ priority: _priority, ...letter }) => ({ ...letter }));
  }

  /** Removes the letters `matches` selects (all when absent) and returns them, oldest first. */
  take(matches?: (letter: StoredDeadLetter) => boolean): StoredDeadLetter[] {
    const all = this.letters.toArray();
    const taken = matches ? all.filter(matches) : all;
    const kept = matches ? all.filter((letter) => !matches(letter)) : [];
    this.letters = new Deque();
    for (const letter of kept) this.letters.push(letter);
    return taken;
  }

  clear(): void {
    this.letters.clear();
  }
}
