import { DEFAULT_PRIORITY, MAX_PRIORITY, MIN_PRIORITY } from '../../celeriac.constants.js';

/** A message as the embedded broker holds it while it waits, is delayed or is in flight. */
export interface MemoryMessage {
  readonly messageId: string;
  readonly body: string;
  /** 0–9, already clamped. */
  readonly priority: number;
  /** How many times it has been handed to a consumer so far. */
  deliveries: number;
}

/** Brings any number (or nothing) into 0–9, the way AMQP brokers treat out-of-range priorities. */
export function clampPriority(priority: number | undefined): number {
  if (priority === undefined || !Number.isFinite(priority)) return DEFAULT_PRIORITY;
  return Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.trunc(priority)));
}
