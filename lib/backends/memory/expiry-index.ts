/** `setTimeout` cannot wait longer than this; a later expiry is reached in several hops. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Slot {
  key: string;
  expiresAt: number;
}

/**
 * When each key expires, in a min-heap indexed by key (so rewriting a record moves its expiry
 * instead of leaving a stale entry behind), with one timer armed for the earliest expiry.
 *
 * Reads check expiry themselves, so the timer only frees memory: it is unref'd and never keeps
 * the process alive, and it is stopped altogether while the store has no client.
 * Times are `performance.now()` values: a wall-clock jump expires nothing early.
 */
export class ExpiryIndex {
  private readonly heap: Slot[] = [];
  private readonly positions = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private armedFor = Infinity;
  private suspended = false;

  constructor(private readonly expire: (key: string) => void) {}

  get size(): number {
    return this.heap.length;
  }

  get isArmed(): boolean {
    return this.timer !== undefined;
  }

  set(key: string, expiresAt: number): void {
    const index = this.positions.get(key);
    if (index === undefined) {
      this.heap.push({ key, expiresAt });
      this.positions.set(key, this.heap.length - 1);
      this.siftUp(this.heap.length - 1);
    } else {
      const previous = this.heap[index].expiresAt;
      this.heap[index].expiresAt = expiresAt;
      if (expiresAt < previous) this.siftUp(index);
      else this.siftDown(index);
    }
    if (expiresAt < this.armedFor) this.arm();
  }

  delete(key: string): void {
    const index = this.positions.get(key);
    if (index === undefined) return;
    this.positions.delete(key);
    const last = this.heap.pop()!;
    if (index < this.heap.length) {
      this.heap[index] = last;
      this.positions.set(last.key, index);
      this.siftDown(index);
      this.siftUp(index);
    }
  }

  suspend(): void {
    this.suspended = true;
    this.disarm();
  }

  resume(): void {
    this.suspended = false;
    this.fire();
  }

  /** Expires every key due by now, then re-arms for the next. */
  fire(): void {
    this.disarm();
    const now = performance.now();
    while (this.heap.length > 0 && this.heap[0].expiresAt <= now) {
      const { key } = this.heap[0];
      this.delete(key);
      this.expire(key);
    }
    this.arm();
  }

  private arm(): void {
    this.disarm();
    const next = this.heap[0]?.expiresAt;
    if (this.suspended || next === undefined || next === Infinity) return;
    const waitMs = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(next - performance.now())));
    this.armedFor = performance.now() + waitMs;
    this.timer = setTimeout(() => this.fire(), waitMs);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private swap(a: number, b: number): void {
    const { heap } = this;
    [heap[a], heap[b]] = [heap[b], heap[a]];
    this.positions.set(heap[a].key, a);
    this.positions.set(heap[b].key, b);
  }

  private siftUp(index: number): void {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.heap[parent].expiresAt <= this.heap[index].expiresAt) return;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(index: number): void {
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.heap.length && this.heap[left].expiresAt < this.heap[smallest].expiresAt)
        smallest = left;
      if (right < this.heap.length && this.heap[right].expiresAt < this.heap[smallest].expiresAt)
        smallest = right;
      if (smallest === index) return;
      this.swap(index, smallest);
      index = smallest;
    }
  }
}
