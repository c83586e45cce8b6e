/** How many consumed slots at the head are tolerated before the backing array is compacted. */
const COMPACT_AFTER = 1024;

/**
 * A double-ended queue with O(1) amortised `push`, `shift` and (after a `shift`) `unshift`.
 * `Array.prototype.shift` is O(n), which a busy queue of many thousands of messages would feel.
 */
export class Deque<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  unshift(item: T): void {
    if (this.head > 0) this.items[--this.head] = item;
    else this.items.unshift(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head === this.items.length) this.clear();
    else if (this.head >= COMPACT_AFTER && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The first `limit` items, front to back. */
  toArray(limit = Infinity): T[] {
    return this.items.slice(this.head, this.head + Math.min(limit, this.length)) as T[];
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
