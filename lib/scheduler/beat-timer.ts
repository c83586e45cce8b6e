import type { Clock, ClockTimer } from './clock.js';

/** `setTimeout` cannot wait longer than this; a later due time is reached in several hops. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The beat's single timer: armed for one due time, the earliest of all schedules, and moved only when
 * that time changes. A wake-up that comes early (the wall clock moved, or the due time was beyond one
 * timer's reach) arms again for what is left instead of firing.
 */
export class BeatTimer {
  private timer?: ClockTimer;
  private armedFor = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: () => void,
  ) {}

  /** When the timer will fire next (epoch ms), or Infinity when it is off. */
  get dueAt(): number {
    return this.armedFor;
  }

  /** Arms the timer for `dueAt` (Infinity: off). */
  set(dueAt: number): void {
    if (dueAt === this.armedFor && this.timer) return;
    this.cancel();
    if (dueAt === Infinity) return;
    this.armedFor = dueAt;
    this.schedule();
  }

  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.armedFor = Infinity;
  }

  private schedule(): void {
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, this.armedFor - this.clock.now()));
    this.timer = this.clock.setTimer(() => this.wake(), delay);
  }

  private wake(): void {
    this.timer = undefined;
    if (this.clock.now() < this.armedFor) return this.schedule();
    this.armedFor = Infinity;
    this.onDue();
  }
}
