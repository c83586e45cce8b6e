import { CorruptRecordError } from '../../errors/corrupt-record.error.js';

/**
 * Parses a record read from Redis. It is untrusted input: anything but a JSON object is a
 * {@link CorruptRecordError} naming the task, never a bare `SyntaxError` far from its cause.
 */
export function parseRecordJson(raw: string, taskId: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new CorruptRecordError(taskId, `not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new CorruptRecordError(
      taskId,
      `a JSON ${Array.isArray(parsed) ? 'array' : typeof parsed}, not an object`,
    );
  return parsed as Record<string, unknown>;
}
