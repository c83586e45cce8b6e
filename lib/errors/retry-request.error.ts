/**
 * Thrown by `TaskContext.retry()`: asks for another attempt after `countdownMs`,
 * counted against the task's retries like any failure.
 */
export class RetryRequest extends Error {
  constructor(
    readonly countdownMs: number | undefined,
    readonly reason?: Error,
  ) {
    super(reason ? `retry requested: ${reason.message}` : 'retry requested');
    this.name = 'RetryRequest';
  }
}
