import type { MessageHeaders, MessageProperties } from '../broker.interface.js';

/** A message as the embedded broker holds it while it waits, is delayed or is in flight. */
export interface MemoryMessage {
  readonly messageId: string;
  readonly body: string;
  /** 0–9, already clamped. */
  readonly priority: number;
  readonly headers?: MessageHeaders;
  readonly properties?: MessageProperties;
  /** How many times it has been handed to a consumer so far. */
  deliveries: number;
}
