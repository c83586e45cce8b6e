/** A message as the embedded broker holds it while it waits, is delayed or is in flight. */
export interface MemoryMessage {
  readonly messageId: string;
  readonly body: string;
  /** 0–9, already clamped. */
  readonly priority: number;
  /** How many times it has been handed to a consumer so far. */
  deliveries: number;
}

/** Lowest and highest priority a message can carry; anything else is clamped into this range. */
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 9;

/** Brings any number (or nothing) into 0–9, the way AMQP brokers treat out-of-range priorities. */
export function clampPriority(priority: number | undefined): number {
  if (priority === undefined || !Number.isFinite(priority)) return MIN_PRIORITY;
  return Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.trunc(priority)));
}
