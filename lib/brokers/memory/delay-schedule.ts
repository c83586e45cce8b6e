import { DelayHeap } from './delay-heap.js';
import type { MemoryMessage } from './memory-message.js';

/** `setTimeout` cannot wait longer than this; a later due time is reached in several hops. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Delayed messages of one queue and the single timer that releases them: armed for the earliest
 * due time and re-armed only when an earlier message arrives or the timer fires, so an idle queue
 * costs no wake-ups. Times come from the monotonic clock, so a wall-clock jump moves no delay.
 *
 * While suspended (no client is connected to the store) the timer is off, so nothing keeps the
 * process alive; resuming releases whatever fell due meanwhile.
 */
export class DelaySchedule {
  private readonly heap = new DelayHeap();
  private timer?: NodeJS.Timeout;
  private armedFor = Infinity;
  private suspended = false;

  constructor(private readonly release: (message: MemoryMessage) => void) {}

  get size(): number {
    return this.heap.size;
  }

  get isArmed(): boolean {
    return this.timer !== undefined;
  }

  add(message: MemoryMessage, delayMs: number): void {
    const dueAt = performance.now() + delayMs;
    this.heap.push(message, dueAt);
    if (dueAt < this.armedFor) this.arm();
  }

  clear(): void {
    this.heap.clear();
    this.disarm();
  }

  suspend(): void {
    this.suspended = true;
    this.disarm();
  }

  resume(): void {
    if (!this.suspended) return;
    this.suspended = false;
    this.fire();
  }

  private fire(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = performance.now();
    for (let message = this.heap.popDue(now); message; message = this.heap.popDue(now)) this.release(message);
    this.arm();
  }

  private arm(): void {
    this.disarm();
    const next = this.heap.peekDueAt();
    if (this.suspended || next === undefined) return;
    // Rounded up: a timer that fires a fraction of a ms early would only have to be re-armed.
    const waitMs = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil(next - performance.now())));
    this.armedFor = performance.now() + waitMs;
    this.timer = setTimeout(() => this.fire(), waitMs);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }
}
