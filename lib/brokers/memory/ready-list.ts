import { MAX_PRIORITY } from '../../celeriac.constants.js';
import { Deque } from './deque.js';
import type { MemoryMessage } from './memory-message.js';

/** Messages ready for delivery: one FIFO per priority, highest priority served first. */
export class ReadyList {
  private readonly levels = Array.from({ length: MAX_PRIORITY + 1 }, () => new Deque<MemoryMessage>());
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Behind every message of its priority: a new or requeued message. */
  push(message: MemoryMessage): void {
    this.levels[message.priority].push(message);
    this.count++;
  }

  /** Ahead of every message of its priority: a message handed back unsettled keeps its place. */
  unshift(message: MemoryMessage): void {
    this.levels[message.priority].unshift(message);
    this.count++;
  }

  shift(): MemoryMessage | undefined {
    if (this.count === 0) return undefined;
    for (let priority = MAX_PRIORITY; priority >= 0; priority--) {
      const message = this.levels[priority].shift();
      if (message) {
        this.count--;
        return message;
      }
    }
    return undefined;
  }

  clear(): void {
    for (const level of this.levels) level.clear();
    this.count = 0;
  }
}
