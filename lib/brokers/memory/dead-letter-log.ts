import type { DeadLetter } from '../broker.interface.js';
import { Deque } from './deque.js';

/**
 * Dead letters of one queue, oldest first. Bounded, because an embedded broker lives in the
 * application's own heap: past the limit the oldest letters are dropped.
 */
export class DeadLetterLog {
  private readonly letters = new Deque<DeadLetter>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.letters.length;
  }

  add(letter: DeadLetter): void {
    this.letters.push(letter);
    while (this.letters.length > this.limit) this.letters.shift();
  }

  /** Copies of the oldest `limit` letters. */
  list(limit: number): DeadLetter[] {
    return this.letters.toArray(limit).map((letter) => ({ ...letter }));
  }

  clear(): void {
    this.letters.clear();
  }
}
