/**
 * Publishes waiting for RabbitMQ's confirms, and the one deadline that covers them all: a publish
 * fails only when RabbitMQ confirmed nothing for `timeoutMs` while it waited. Confirms arrive in
 * publish order on a channel, so a steady stream of them — even a slow one behind a large burst —
 * means the broker is working through the queue of publishes, not frozen; and one timer serves
 * every outstanding publish instead of a timer per message.
 */
export class ConfirmWatch {
  private readonly outstanding = new Set<(error: Error) => void>();
  /** When RabbitMQ last confirmed something, or when the oldest outstanding publish went out. */
  private progressAt = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly timeoutMs: number,
    private readonly stalled: () => Error,
  ) {}

  /**
   * Tracks one publish; `fail` is called if RabbitMQ stalls first. Returns the function its confirm
   * (or nack) calls: true when the publish is still the caller's to settle, false when the watch
   * already failed it (a late confirm then settles nothing: the caller was told).
   */
  track(fail: (error: Error) => void): () => boolean {
    if (this.outstanding.size === 0) this.progressAt = Date.now();
    this.outstanding.add(fail);
    this.timer ??= this.arm(this.timeoutMs);
    return () => {
      if (!this.outstanding.delete(fail)) return false;
      this.progressAt = Date.now();
      return true;
    };
  }

  private arm(ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.check(), ms);
    // A pending publish keeps the process alive through its socket; the watch need not.
    timer.unref();
    return timer;
  }

  private check(): void {
    this.timer = undefined;
    if (this.outstanding.size === 0) return;
    const quietMs = Date.now() - this.progressAt;
    if (quietMs < this.timeoutMs) {
      this.timer = this.arm(this.timeoutMs - quietMs);
      return;
    }
    const failing = [...this.outstanding];
    this.outstanding.clear();
    const error = this.stalled();
    for (const fail of failing) fail(error);
  }
}
