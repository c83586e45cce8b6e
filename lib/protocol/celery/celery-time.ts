import { InvalidEnvelopeError } from '../../errors/invalid-envelope.error.js';

/**
 * Epoch ms as Celery writes times: ISO 8601 with microseconds and an explicit UTC offset. Celery's
 * own parser reads the fraction as microseconds whatever its length, so it must have six digits.
 */
export function toCeleryTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString(); // 2024-01-02T03:04:05.678Z
  return `${iso.slice(0, -1)}000+00:00`;
}

const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** An ISO 8601 time from a Celery header, as epoch ms; a time without an offset is UTC, as Celery means it. */
export function fromCeleryTime(value: unknown, header: string): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !ISO.test(value)) {
    throw new InvalidEnvelopeError(
      `Celery header "${header}" must be an ISO 8601 time, got ${JSON.stringify(value)}`,
    );
  }
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  // Date.parse takes at most millisecond precision reliably: cut longer fractions.
  const ms = Date.parse(zoned.replace(' ', 'T').replace(/(\.\d{3})\d+/, '$1'));
  if (!Number.isFinite(ms)) {
    throw new InvalidEnvelopeError(`Celery header "${header}" is not a valid time: ${value}`);
  }
  return ms;
}
