import type { MemoryMessage } from './memory-message.js';

interface Entry {
  dueAt: number;
  /** Breaks ties so messages due at the same moment keep their publish order. */
  seq: number;
  message: MemoryMessage;
}

/** Delayed messages in a binary min-heap on (due time, arrival order). */
export class DelayHeap {
  private readonly entries: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.entries.length;
  }

  /** Due time of the earliest message, or `undefined` when empty. */
  peekDueAt(): number | undefined {
    return this.entries[0]?.dueAt;
  }

  push(message: MemoryMessage, dueAt: number): void {
    this.entries.push({ dueAt, seq: this.seq++, message });
    this.siftUp(this.entries.length - 1);
  }

  /** Removes and returns the earliest message if it is due at `now`. */
  popDue(now: number): MemoryMessage | undefined {
    const top = this.entries[0];
    if (!top || top.dueAt > now) return undefined;
    const last = this.entries.pop()!;
    if (this.entries.length > 0) {
      this.entries[0] = last;
      this.siftDown(0);
    }
    return top.message;
  }

  clear(): void {
    this.entries.length = 0;
  }

  private before(a: Entry, b: Entry): boolean {
    return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
  }

  private siftUp(index: number): void {
    const { entries } = this;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(entries[index], entries[parent])) return;
      [entries[index], entries[parent]] = [entries[parent], entries[index]];
      index = parent;
    }
  }

  private siftDown(index: number): void {
    const { entries } = this;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < entries.length && this.before(entries[left], entries[smallest])) smallest = left;
      if (right < entries.length && this.before(entries[right], entries[smallest])) smallest = right;
      if (smallest === index) return;
      [entries[index], entries[smallest]] = [entries[smallest], entries[index]];
      index = smallest;
    }
  }
}
