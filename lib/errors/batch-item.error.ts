import { CeleriacError } from './celeriac.error.js';

/**
 * One item of a `sendMany` batch was refused before anything was published, so none of the batch
 * was sent. `index` is the item's position in the arguments list; `cause` is the error the item
 * alone would have raised with `send`, and `code` is that error's code.
 */
export class BatchItemError extends CeleriacError {
  constructor(
    readonly index: number,
    readonly size: number,
    override readonly cause: unknown,
  ) {
    const message = cause instanceof Error ? cause.message : String(cause);
    super(
      cause instanceof CeleriacError ? cause.code : 'INVALID_ARGUMENTS',
      `sendMany: item ${index} of ${size} refused, nothing of the batch was sent: ${message}`,
    );
  }
}
