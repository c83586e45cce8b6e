/** What a message carries for its delivery policies; every field optional. */
export interface PolicyFields {
  /** Key of a per-key rate limit, computed from the arguments at send time. */
  rateKey?: string;
  /** Key of a per-key concurrency limit, computed from the arguments at send time. */
  concurrencyKey?: string;
  /** Deduplication key the task was sent with. */
  dedupKey?: string;
  /** Until when (epoch ms) the deduplication key stays claimed once the task has finished. */
  dedupUntil?: number;
  /** Set by a worker that delayed the task for a place under its rate limit: it has a booked place. */
  rateBooked?: boolean;
  /**
   * How often a worker gave the message back to wait for a place: these requeues are not lost
   * deliveries, so the poison check does not count them.
   */
  waits?: number;
}

const STRING_FIELDS = ['rateKey', 'concurrencyKey', 'dedupKey'] as const;

/** Envelope check for `policy`: an object whose known fields have their types. */
export function isPolicyFields(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const fields = value as Record<string, unknown>;
  const stringsOk = STRING_FIELDS.every(
    (field) => fields[field] === undefined || (typeof fields[field] === 'string' && fields[field] !== ''),
  );
  const until = fields.dedupUntil;
  const untilOk = until === undefined || (typeof until === 'number' && Number.isFinite(until) && until >= 0);
  const bookedOk = fields.rateBooked === undefined || typeof fields.rateBooked === 'boolean';
  const waits = fields.waits;
  const waitsOk = waits === undefined || (Number.isInteger(waits) && (waits as number) >= 0);
  return stringsOk && untilOk && bookedOk && waitsOk;
}
