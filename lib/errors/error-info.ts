import type { TaskErrorInfo } from '../backends/task-record.js';

/** Turns anything thrown into plain data that can be stored and shown. */
export function toErrorInfo(error: unknown): TaskErrorInfo {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return {
    name: 'Error',
    message: typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)),
  };
}
