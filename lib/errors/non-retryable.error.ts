/**
 * Throw this (or a subclass) from a task to fail it at once, whatever retries remain.
 * Use it for errors that another attempt cannot fix, such as invalid input.
 */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
