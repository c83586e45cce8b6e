import type { Unsubscribe } from '../backends/result-backend.interface.js';
import type { CeleriacEvent } from './celeriac-event.js';

/** Receives one published batch of events, in publishing order. */
export type EventBatchListener = (events: CeleriacEvent[]) => void;

/**
 * Where task and worker events travel: every subscriber sees every batch published after it
 * subscribed, and batches from one publisher arrive in the order they were published. Events are
 * monitoring data (at most once): a subscriber that is away misses what was published meanwhile,
 * unless the implementation can replay it (Redis resumes from the last entry of its stream).
 * Implementations: memory, redis (a capped stream), amqp (a topic exchange, a queue per subscriber).
 */
export interface EventBus {
  readonly kind: string;
  connect(): Promise<void>;
  /** Publishes one batch; resolves once the transport took it. */
  publish(events: readonly CeleriacEvent[]): Promise<void>;
  /** Calls `listener` with each batch published from now on; resolves once subscribed. */
  subscribe(listener: EventBatchListener): Promise<Unsubscribe>;
  close(): Promise<void>;
}
