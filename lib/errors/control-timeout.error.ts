import { CeleriacError } from './celeriac.error.js';

/** A control call addressed to particular workers did not hear from all of them in time. */
export class ControlTimeoutError extends CeleriacError {
  constructor(
    readonly command: string,
    /** The workers that did not reply. */
    readonly missing: readonly string[],
    readonly timeoutMs: number,
    detail = '',
  ) {
    super(
      'CONTROL_TIMEOUT',
      `control command "${command}": no reply from ${missing.map((worker) => `"${worker}"`).join(', ')} ` +
        `within ${timeoutMs} ms; the worker is gone, or too busy to answer${detail}`,
    );
  }
}
