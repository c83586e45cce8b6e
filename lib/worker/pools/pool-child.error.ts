import { CeleriacError } from '../../errors/celeriac.error.js';
import type { ChildExit } from './pool-child.interface.js';

/**
 * A `threads` / `processes` pool child ended or never started: `CHILD_EXITED` (it ended while
 * running a task, which fails or retries alone), `CHILD_BOOT_FAILED` (no child of the pool could
 * boot) or `POOL_CLOSED` (the worker shut down before the task could finish).
 */
export class PoolChildError extends CeleriacError {
  constructor(code: 'CHILD_EXITED' | 'CHILD_BOOT_FAILED' | 'POOL_CLOSED', message: string, stack?: string) {
    super(code, message);
    if (stack) this.stack = `${this.name}: ${message}\n  caused in the child by: ${stack}`;
  }
}

/** "thread 3" / "process 4242". */
export function describeChild(kind: 'threads' | 'processes', id: number): string {
  return kind === 'threads' ? `thread ${id}` : `process ${id}`;
}

/** How a child ended, in words: the uncaught error, running out of memory, a signal, or its exit code. */
export function describeExit(exit: ChildExit): string {
  const { error } = exit;
  if (exit.outOfMemory) return 'ran out of memory (JavaScript heap out of memory)';
  if (error) return `failed with an uncaught ${error.name}: ${error.message}`;
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code}`;
}
